// The FlowMage paper's Figure 4 chain, built from our corpus NFs (bench input):
//   DstMeter - policer: token bucket per destination IP
//   Origins  - source-IP tracker: packets per source IP
// Run:  flowmagec bench flowmagec/bench/chains/figure4.click --src corpus/fastclick \
//         --assume Classifier=stateless --assume MarkIPHeader=stateless --cores 1,2

fd0 :: FromDPDKDevice(0000:17:00.0, MAXTHREADS 4, NDESC 256)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> policer :: DstMeter(CIR 10000, CBS 64000)
    -> tracker :: Origins()
    -> td0 :: ToDPDKDevice(0000:17:00.0);
