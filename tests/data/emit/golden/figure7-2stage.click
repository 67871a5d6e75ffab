define($port 0000:17:00.0)

fd0 :: FromDPDKDevice($port, MAXTHREADS 4, NDESC 256, N_QUEUES 4, MODE flow, FLOW_RULES_FILE chain.rules)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> psd :: IPortScanDetector(SIZE 8000000)
    -> policer :: IPolicer(SIZE 8000000)
    -> flowCounter :: IFlowCounter(SIZE 64000000)
    -> td0 :: ToDPDKDevice($port, VERBOSE 99, TIMEOUT -1);
