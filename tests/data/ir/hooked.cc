#include "hooked.hh"

bool VolumeHooks::new_flow(Volume *state, Packet *p)
{
    state->first = p->len;          // once per flow
    return true;
}

bool VolumeHooks::process(Volume *state, Packet *p)
{
    state->bytes += p->len;         // every packet of the flow
    return true;
}
