#ifndef CLICK_PAIR_HH
#define CLICK_PAIR_HH
template <typename T, typename U> struct Pair {
    T first;
    U second;
    Pair() : first(), second() {}
    Pair(const T &t, const U &u) : first(t), second(u) {}
};
#endif
