// Compound classes: formals, keywords, __REST__, implicit ports, overloads,
// extension, synonyms, and an inline compound.
elementclass Counted { $cap, BURST $b, __REST__ $rest |
    input -> c :: Counter -> q :: Queue($cap) -> uq :: Unqueue(BURST $b) -> output;
}
elementclass Fwd {
    -> Paint(1) ->
}
// overloads chosen by port count: 1 output here, 2 outputs in the second body
elementclass Split {
    input -> output
 || input -> t :: Tee(2); t[0] -> [0]output; t[1] -> [1]output
}
// extend an existing class with another overload (0 inputs)
elementclass Split { Idle -> output || ... }
elementclass Alias Counted;

src :: Idle;
src -> cq :: Alias(10, BURST 4, X 1) -> f :: Fwd -> sp :: Split;
sp[0] -> Discard; sp[1] -> Discard;
Split -> inline :: { -> Strip(14) -> [0] } -> Discard;
