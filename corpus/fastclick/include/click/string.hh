#ifndef CLICK_STRING_HH
#define CLICK_STRING_HH
#include <click/glue.hh>

class String {
  public:
    String() : _data(""), _len(0) {}
    String(const char *s) : _data(s), _len((int)strlen(s)) {}
    String(int) : _data("<int>"), _len(5) {}
    const char *c_str() const { return _data; }
    int length() const { return _len; }
    bool equals(const char *s) const { return strcmp(_data, s) == 0; }
  private:
    const char *_data;
    int _len;
};
#endif
