FromDump(trace.pcap, STOP true) -> Strip(14) -> CheckIPHeader -> tally :: Tally -> Discard;
