define($port 0000:17:00.0)

fd0 :: FromDPDKDevice($port, MAXTHREADS 16, NDESC 256, HASHFUNC "src_ip", N_QUEUES 16)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> psd :: IPortScanDetector(SIZE 8000000, SHARED false)
    -> policer :: IPolicer(SIZE 8000000, SHARED true)
    -> flowCounter :: IFlowCounter(SIZE 64000000, SHARED false)
    -> td0 :: ToDPDKDevice($port, VERBOSE 99, TIMEOUT -1);
