define($dev 0, $threads 4)

// thread count comes from a define: the edit must replace the use, not the define
src :: FromDPDKDevice($dev, MAXTHREADS 8, N_QUEUES 8, MODE flow, FLOW_RULES_FILE chain.rules)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> tally :: TallyIMP
    -> Discard;
