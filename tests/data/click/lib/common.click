// A library: classes and elements shared by configurations that require it.
elementclass Tagged { $tag | input -> Paint($tag) -> output }
libsink :: Discard;
