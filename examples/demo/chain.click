// flowmagec demo: the FlowMage paper's Figure 7 chain, built from our corpus NFs.
//   ProbeWatch   - port-scan detector: per source IP, list of touched ports (pointers)
//   DstMeter     - policer: token bucket per destination IP
//   CommonLedger - flow counter: packets/bytes per 5-tuple
// Run:  make demo   (or: flowmagec examples/demo/chain.click --src corpus/fastclick -o out.click)

define($port 0000:17:00.0)

fd0 :: FromDPDKDevice($port, MAXTHREADS 4, NDESC 256)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> psd :: ProbeWatch(LIMIT 64)                 /* scan detector */
    -> policer :: DstMeter(CIR 10000, CBS 64000)
    -> flowCounter :: CommonLedger()
    -> td0 :: ToDPDKDevice($port, VERBOSE 99, TIMEOUT -1);
