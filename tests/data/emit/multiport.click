// Two ports, one chain each way: a bump-in-the-wire counter.
define($left 0000:3b:00.0, $right 0000:3b:00.1)

left  :: FromDPDKDevice($left, PROMISC true)
right :: FromDPDKDevice(PORT $right, NDESC 1024)

left  -> Classifier(12/0800) -> MarkIPHeader(OFFSET 14) -> tally :: Tally(SLOTS 1024) -> ToDPDKDevice($right);
right -> Classifier(12/0800) -> MarkIPHeader(OFFSET 14) -> meter :: Meter2(RATE 10) -> ToDPDKDevice($left);
