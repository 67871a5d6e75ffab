#ifndef CLICK_TIMESTAMP_HH
#define CLICK_TIMESTAMP_HH
#include <click/glue.hh>
#include <time.h>

class Timestamp {
  public:
    Timestamp() : _ns(0) {}
    explicit Timestamp(int64_t ns) : _ns(ns) {}
    static Timestamp now_steady() {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return Timestamp((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
    }
    static Timestamp now() { return now_steady(); }
    static Timestamp make_msec(int64_t ms) { return Timestamp(ms * 1000000); }
    int64_t msecval() const { return _ns / 1000000; }
    int64_t usecval() const { return _ns / 1000; }
    int64_t nsecval() const { return _ns; }
    Timestamp operator-(const Timestamp &o) const { return Timestamp(_ns - o._ns); }
    bool operator<(const Timestamp &o) const { return _ns < o._ns; }
    bool operator>(const Timestamp &o) const { return _ns > o._ns; }
  private:
    int64_t _ns;
};
#endif
