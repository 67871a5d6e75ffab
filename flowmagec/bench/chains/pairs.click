// A bench chain of our own: host-pair tracker ({src_ip, dst_ip}, thread-safe code)
// then a per-source tracker ({src_ip}, per-core code) and a per-destination policer.
fd0 :: FromDPDKDevice(0000:17:00.0, MAXTHREADS 4, NDESC 256)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> pairs :: HostPairs()
    -> origins :: Origins()
    -> policer :: DstMeter(CIR 10000, CBS 64000)
    -> td0 :: ToDPDKDevice(0000:17:00.0);
