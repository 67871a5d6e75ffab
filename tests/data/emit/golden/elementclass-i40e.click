// The input path is a compound; both instances share its body.
elementclass Input { $dev |
    FromDPDKDevice($dev, MAXTHREADS 4, MODE flow, FLOW_RULES_FILE chain.rules /* was tuned for a 2-core box */)
        -> Strip(14)
        -> CheckIPHeader
        -> output
}

in0 :: Input(0) -> tally :: TallyIMP -> Discard;
in1 :: Input(1) -> Discard;
