int helper_not_an_nf (int x) { return x + 1; }
