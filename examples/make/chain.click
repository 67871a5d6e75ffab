// A one-port chain: the framework's I/O around our own element.
in :: FromDPDKDevice(0, MAXTHREADS 4);
in -> counter :: SrcBytes() -> seen :: DstPackets() -> ToDPDKDevice(0);
