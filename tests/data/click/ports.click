s :: Switch(3); t :: Tee(4);
a, b, c, d :: Idle;
// a list of ports on each side, one-to-one with =>
s [0,1] => [1,0] a;
// ranges and an expandable output: t[0..3] to a, b, c, d
t [0-1, 2] => [0] b, [0] c, [0] d;
// expandable port [] connected to several inputs
Tee(2) [] => c, d;
// [n,]: expandable from n
Tee(3) [1,] => a, b;
// config before an output port
Switch(2)[1] -> [1] b;
// many outputs, missing port numbered automatically by =>
d => [0] a, [0] b;
