#ifndef CLICK_VECTOR_HH
#define CLICK_VECTOR_HH
#include <click/glue.hh>
#include <new>

// Growable array (heap storage, like Click's Vector).
template <typename T> class Vector {
  public:
    typedef T *iterator;
    typedef const T *const_iterator;

    Vector() : _l(0), _n(0), _cap(0) {}
    explicit Vector(int n, const T &v = T()) : _l(0), _n(0), _cap(0) { resize(n, v); }
    Vector(const Vector &o) : _l(0), _n(0), _cap(0) {
        reserve(o._n);
        for (int i = 0; i < o._n; ++i) push_back(o._l[i]);
    }
    ~Vector() { delete[] _l; }
    Vector &operator=(const Vector &o) {
        if (this != &o) { clear(); for (int i = 0; i < o._n; ++i) push_back(o._l[i]); }
        return *this;
    }

    int size() const { return _n; }
    bool empty() const { return _n == 0; }
    T &operator[](int i) { return _l[i]; }
    const T &operator[](int i) const { return _l[i]; }
    T &at(int i) { return _l[i]; }
    T &back() { return _l[_n - 1]; }
    iterator begin() { return _l; }
    iterator end() { return _l + _n; }
    const_iterator begin() const { return _l; }
    const_iterator end() const { return _l + _n; }

    void reserve(int n) {
        if (n <= _cap) return;
        T *nl = new T[n];
        for (int i = 0; i < _n; ++i) nl[i] = _l[i];
        delete[] _l;
        _l = nl;
        _cap = n;
    }
    void push_back(const T &v) {
        if (_n == _cap) reserve(_cap ? 2 * _cap : 4);
        _l[_n++] = v;
    }
    void pop_back() { --_n; }
    void resize(int n, const T &v = T()) {
        reserve(n);
        for (int i = _n; i < n; ++i) _l[i] = v;
        _n = n;
    }
    void clear() { _n = 0; }
    iterator erase(iterator it) {
        for (iterator j = it; j + 1 < end(); ++j) *j = *(j + 1);
        --_n;
        return it;
    }

  private:
    T *_l;
    int _n;
    int _cap;
};
#endif
