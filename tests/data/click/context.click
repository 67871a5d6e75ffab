fd :: FromIPSummaryDump(IN1);
fd ~> Print(ANY) -> Discard;
fd ~ip> Print(IN) -> Discard;
fd ~/ip> Print(OUT) -> Discard;
