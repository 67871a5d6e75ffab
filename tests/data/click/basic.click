// Declarations in every form, with and without semicolons.
src :: FromDevice(eth0, PROMISC true) ;
q1, q2 :: Queue(64)
cls :: Classifier(12/0800 /* IPv4 */, 12/0806, -)
src -> cls;
cls[0] -> Strip(14) -> CheckIPHeader
    (0) -> q1 -> Unqueue -> Discard;
cls [1] -> q2;
cls[2] -> Discard
a/b :: Counter
q2 -> a/b -> Print@x :: Print(ok) -> Discard;
