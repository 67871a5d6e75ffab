template <typename T>
int TallyBase<T>::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh).read("SLOTS", _slots).complete();
}
