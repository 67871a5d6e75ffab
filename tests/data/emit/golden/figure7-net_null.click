define($port 0000:17:00.0)

fd0 :: FromDPDKDevice($port, MAXTHREADS 1, NDESC 256, N_QUEUES 1)
    -> fm_dispatch0_fd0 :: { input -> sw :: HashSwitch(26, 4); sw[0] -> q0 :: Pipeliner -> output; sw[1] -> q1 :: Pipeliner -> output; sw[2] -> q2 :: Pipeliner -> output; sw[3] -> q3 :: Pipeliner -> output } -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> psd :: IPortScanDetector(SIZE 8000000)
    -> policer :: IPolicer(SIZE 8000000)
    -> flowCounter :: IFlowCounter(SIZE 64000000)
    -> td0 :: ToDPDKDevice($port, VERBOSE 99, TIMEOUT -1);

// flowmagec: software dispatch on src_ip into 4 threads
StaticThreadSched(fm_dispatch0_fd0/q0 0, fm_dispatch0_fd0/q1 1, fm_dispatch0_fd0/q2 2, fm_dispatch0_fd0/q3 3);
