// The input path is a compound; both instances share its body.
elementclass Input { $dev |
    FromDPDKDevice($dev, MAXTHREADS 2 /* was tuned for a 2-core box */)
        -> Strip(14)
        -> CheckIPHeader
        -> output
}

in0 :: Input(0) -> tally :: Tally -> Discard;
in1 :: Input(1) -> Discard;
