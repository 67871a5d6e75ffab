define($port 0000:17:00.0)

fd0 :: FromDPDKDevice($port, MAXTHREADS 1, NDESC 256, N_QUEUES 1)
    -> fm_dispatch0_fd0 :: { input -> sw :: HashSwitch(26, 4); sw[0] -> q0 :: Pipeliner -> output; sw[1] -> q1 :: Pipeliner -> output; sw[2] -> q2 :: Pipeliner -> output; sw[3] -> q3 :: Pipeliner -> output } -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> psd :: { input[0] -> rs0 :: ExactCPUSwitch; r0 :: IPortScanDetector(SIZE 8000000); rs0[0] -> [0]r0; r0[0] -> [0]output; r1 :: IPortScanDetector(SIZE 8000000); rs0[1] -> [0]r1; r1[0] -> [0]output; r2 :: IPortScanDetector(SIZE 8000000); rs0[2] -> [0]r2; r2[0] -> [0]output; r3 :: IPortScanDetector(SIZE 8000000); rs0[3] -> [0]r3; r3[0] -> [0]output }
    -> policer :: IPolicer(SIZE 8000000)
    -> flowCounter :: { input[0] -> rs0 :: ExactCPUSwitch; r0 :: IFlowCounter(SIZE 64000000); rs0[0] -> [0]r0; r0[0] -> [0]output; r1 :: IFlowCounter(SIZE 64000000); rs0[1] -> [0]r1; r1[0] -> [0]output; r2 :: IFlowCounter(SIZE 64000000); rs0[2] -> [0]r2; r2[0] -> [0]output; r3 :: IFlowCounter(SIZE 64000000); rs0[3] -> [0]r3; r3[0] -> [0]output }
    -> td0 :: ToDPDKDevice($port, VERBOSE 99, TIMEOUT -1);

// flowmagec: software dispatch on src_ip into 4 threads
StaticThreadSched(fm_dispatch0_fd0/q0 0, fm_dispatch0_fd0/q1 1, fm_dispatch0_fd0/q2 2, fm_dispatch0_fd0/q3 3);
