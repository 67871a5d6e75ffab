require(package "fastclick", library lib/common.click, compact_config,)
require(library lib/common.click)   // a library is read once
define($dev eth0, $burst 32,
       $list a b c,)
define($nested "$dev:$burst")
elementclass Local { $dev |
    // $dev is the formal here, $burst comes from the file scope
    define($inner in-$dev)
    input -> p :: Print($dev, $burst, $inner) -> output
}
FromDevice($dev, BURST ${burst}) -> t :: Tagged(${tag-7}) -> l :: Local(eth9)
  -> Print($undefined, ${missing-fallback}, ${list[1]}, '$dev', "$dev", $$, ${self:$NIC:pci})
  -> Print($nested) -> libsink;
