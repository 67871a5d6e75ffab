// Two ports, one chain each way: a bump-in-the-wire counter.
define($left 0000:3b:00.0, $right 0000:3b:00.1)

left  :: FromDPDKDevice($left, PROMISC true, MODE flow, FLOW_RULES_FILE chain.rules)
right :: FromDPDKDevice(PORT $right, NDESC 1024, MODE flow, FLOW_RULES_FILE chain-1.rules)

left  -> Classifier(12/0800) -> MarkIPHeader(OFFSET 14) -> tally :: TallyIMP(SLOTS 1024) -> ToDPDKDevice($right);
right -> Classifier(12/0800) -> MarkIPHeader(OFFSET 14) -> meter :: { input[0] -> rs0 :: ExactCPUSwitch; r0 :: Meter2(RATE 10); rs0[0] -> [0]r0; r0[0] -> [0]output; r1 :: Meter2(RATE 10); rs0[1] -> [0]r1; r1[0] -> [0]output; r2 :: Meter2(RATE 10); rs0[2] -> [0]r2; r2[0] -> [0]output; r3 :: Meter2(RATE 10); rs0[3] -> [0]r3; r3[0] -> [0]output } -> ToDPDKDevice($left);
