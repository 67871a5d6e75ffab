#ifndef CLICK_ERROR_HH
#define CLICK_ERROR_HH
#include <click/glue.hh>

class ErrorHandler {
  public:
    int error(const char *fmt, ...) {
        va_list val;
        va_start(val, fmt);
        vfprintf(stderr, fmt, val);
        va_end(val);
        return -1;
    }
    int warning(const char *fmt, ...) { (void)fmt; return 0; }
};
#endif
