define($port 0000:17:00.0)

fd0 :: FromDPDKDevice($port, MAXTHREADS 16, NDESC 256, MODE flow, FLOW_RULES_FILE chain.rules)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> psd :: { input[0] -> rs0 :: ExactCPUSwitch; r0 :: IPortScanDetector(SIZE 8000000); rs0[0] -> [0]r0; r0[0] -> [0]output; r1 :: IPortScanDetector(SIZE 8000000); rs0[1] -> [0]r1; r1[0] -> [0]output; r2 :: IPortScanDetector(SIZE 8000000); rs0[2] -> [0]r2; r2[0] -> [0]output; r3 :: IPortScanDetector(SIZE 8000000); rs0[3] -> [0]r3; r3[0] -> [0]output; r4 :: IPortScanDetector(SIZE 8000000); rs0[4] -> [0]r4; r4[0] -> [0]output; r5 :: IPortScanDetector(SIZE 8000000); rs0[5] -> [0]r5; r5[0] -> [0]output; r6 :: IPortScanDetector(SIZE 8000000); rs0[6] -> [0]r6; r6[0] -> [0]output; r7 :: IPortScanDetector(SIZE 8000000); rs0[7] -> [0]r7; r7[0] -> [0]output }
    -> policer :: IPolicer(SIZE 8000000)
    -> flowCounter :: { input[0] -> rs0 :: ExactCPUSwitch; r0 :: IFlowCounter(SIZE 64000000); rs0[0] -> [0]r0; r0[0] -> [0]output; r1 :: IFlowCounter(SIZE 64000000); rs0[1] -> [0]r1; r1[0] -> [0]output; r2 :: IFlowCounter(SIZE 64000000); rs0[2] -> [0]r2; r2[0] -> [0]output; r3 :: IFlowCounter(SIZE 64000000); rs0[3] -> [0]r3; r3[0] -> [0]output; r4 :: IFlowCounter(SIZE 64000000); rs0[4] -> [0]r4; r4[0] -> [0]output; r5 :: IFlowCounter(SIZE 64000000); rs0[5] -> [0]r5; r5[0] -> [0]output; r6 :: IFlowCounter(SIZE 64000000); rs0[6] -> [0]r6; r6[0] -> [0]output; r7 :: IFlowCounter(SIZE 64000000); rs0[7] -> [0]r7; r7[0] -> [0]output }
    -> td0 :: ToDPDKDevice($port, VERBOSE 99, TIMEOUT -1);
