// Configuration strings: parentheses counted only outside quotes, comments and \<hex>;
// arguments split at every unquoted comma (not bracket-aware).
s1 :: Script(print "a (b, c)", write x.y ")", TYPE ACTIVE);
s2 :: Paint(\<0a 0b // ) not a paren
  0c>, 'q(' /* ) */ , last);
s3 :: Classifier(12/0800 20/ff(2), -,);
s4 :: RatedSource(
# 12 "elsewhere.click"
  DATA "x", RATE 10)
s5
 ::
 Print  (  spaced  ,  LENGTH   12  )
s1 -> s2 -> s3 -> s4 -> s5 -> Discard;
