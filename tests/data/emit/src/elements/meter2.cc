int Meter2::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh).read("RATE", _rate).read("SHARED_STATE", _shared).complete();
}
ELEMENT_MT_SAFE(Meter2)
