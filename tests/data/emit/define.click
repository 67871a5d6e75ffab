define($dev 0, $threads 4)

// thread count comes from a define: the edit must replace the use, not the define
src :: FromDPDKDevice($dev, MAXTHREADS $threads, N_QUEUES $threads)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> tally :: Tally
    -> Discard;
