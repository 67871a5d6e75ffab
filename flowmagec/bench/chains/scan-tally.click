// A bench chain of our own: per-source spread counter, per-destination talkers,
// per-connection tally (corpus NFs; keys {src_ip}, {dst_ip}, 4-tuple).
fd0 :: FromDPDKDevice(0000:17:00.0, MAXTHREADS 4, NDESC 256)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> spread :: SpreadCount()
    -> talkers :: Talkers()
    -> tally :: IPFlowTally()
    -> td0 :: ToDPDKDevice(0000:17:00.0);
