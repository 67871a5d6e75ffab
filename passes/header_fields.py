"""What packet-header code means, as data shared by the source and IR passes.

Which struct fields, accessor calls and flow-id constructors of FastClick,
VPP, DPDK and plain Linux C denote the 5-tuple fields (``src_ip`` ... ``protocol``)
or other key parts (``src_mac``, ``ip_id`` ...).  Written from the public
headers' field names; no code of theirs is copied.
"""
from __future__ import annotations

from dataclasses import dataclass

from flowmagec.artifacts import KEY_FIELDS

# ---------------------------------------------------------------------------
# Header structs: struct/typedef name -> header layer.
# ---------------------------------------------------------------------------
HEADER_STRUCTS: dict[str, str] = {
    # FastClick (clicknet/*.h)
    "click_ip": "ip4", "click_ip6": "ip6", "click_tcp": "tcp", "click_udp": "udp",
    "click_ether": "ether", "click_icmp": "icmp", "click_ether_vlan": "vlan",
    # VPP (vnet/ip/*.h, vnet/udp, vnet/tcp, vnet/ethernet)
    "ip4_header_t": "ip4", "ip6_header_t": "ip6", "udp_header_t": "udp",
    "tcp_header_t": "tcp", "ethernet_header_t": "ether", "icmp46_header_t": "icmp",
    "ethernet_vlan_header_t": "vlan", "rte_vlan_hdr": "vlan", "vlan_hdr": "vlan",
    # DPDK (rte_ip.h, rte_tcp.h, rte_udp.h, rte_ether.h)
    "rte_ipv4_hdr": "ip4", "rte_ipv6_hdr": "ip6", "rte_tcp_hdr": "tcp",
    "rte_udp_hdr": "udp", "rte_ether_hdr": "ether", "rte_ipv4_tuple": "tuple4",
    # Linux / BSD (netinet/*.h, linux/*.h)
    "iphdr": "ip4", "ip": "ip4", "ipv6hdr": "ip6", "ip6_hdr": "ip6", "tcphdr": "tcp",
    "udphdr": "udp", "ethhdr": "ether", "ether_header": "ether",
    # Tunnel headers (VPP plugins gtpu/gtpu_packet.h, vxlan/vxlan_packet.h)
    "gtpu_header_t": "gtpu", "vxlan_header_t": "vxlan",
}

# Field name -> key field, per header layer.  Address sub-fields (``.s_addr``,
# ``.as_u32``) are stripped by the caller: only the first field after the
# header pointer matters.
LAYER_FIELDS: dict[str, dict[str, str]] = {
    "ip4": {
        "ip_src": "src_ip", "ip_dst": "dst_ip", "ip_p": "protocol", "ip_id": "ip_id",
        "ip_tos": "tos", "src_address": "src_ip", "dst_address": "dst_ip",
        "protocol": "protocol", "fragment_id": "ip_id", "tos": "tos",
        "src_addr": "src_ip", "dst_addr": "dst_ip", "next_proto_id": "protocol",
        "packet_id": "ip_id", "type_of_service": "tos",
        "ip_ttl": "ttl", "ttl": "ttl", "time_to_live": "ttl",
        "saddr": "src_ip", "daddr": "dst_ip", "id": "ip_id",
        "address_pair": "src_ip+dst_ip",        # VPP: union over both addresses
    },
    "ip6": {
        "ip6_src": "src_ip", "ip6_dst": "dst_ip", "ip6_nxt": "protocol",
        "src_address": "src_ip", "dst_address": "dst_ip", "protocol": "protocol",
        "src_addr": "src_ip", "dst_addr": "dst_ip", "proto": "protocol",
        "saddr": "src_ip", "daddr": "dst_ip", "nexthdr": "protocol",
        "ip6_flow": "flow_label",
    },
    "tcp": {
        "th_sport": "src_port", "th_dport": "dst_port", "src_port": "src_port",
        "dst_port": "dst_port", "src": "src_port", "dst": "dst_port",
        "source": "src_port", "dest": "dst_port", "th_seq": "tcp_seq",
        "seq_number": "tcp_seq", "sent_seq": "tcp_seq", "seq": "tcp_seq",
    },
    "udp": {
        "uh_sport": "src_port", "uh_dport": "dst_port", "src_port": "src_port",
        "dst_port": "dst_port", "src": "src_port", "dst": "dst_port",
        "source": "src_port", "dest": "dst_port",
    },
    "ether": {
        "ether_shost": "src_mac", "ether_dhost": "dst_mac", "src_address": "src_mac",
        "dst_address": "dst_mac", "s_addr": "src_mac", "d_addr": "dst_mac",
        "src_addr": "src_mac", "dst_addr": "dst_mac",
        "h_source": "src_mac", "h_dest": "dst_mac", "ether_type": "ethertype",
        "type": "ethertype",
    },
    "vlan": {"vlan_tci": "vlan", "ether_vlan_tci": "vlan", "priority_cfi_and_id": "vlan",
             "h_vlan_TCI": "vlan"},
    "icmp": {"icmp_type": "icmp_type", "type": "icmp_type", "icmp_identifier": "icmp_id"},
    "gtpu": {"teid": "tunnel_id"},
    "vxlan": {"vni_reserved": "tunnel_id"},
    "tuple4": {"src_addr": "src_ip", "dst_addr": "dst_ip", "sport": "src_port",
               "dport": "dst_port"},
}
# Layers whose ports sit at the same offsets (a transport_header() may be either).
LAYER_FIELDS["l4"] = {**LAYER_FIELDS["tcp"], **LAYER_FIELDS["udp"]}
LAYER_FIELDS["ip"] = {**LAYER_FIELDS["ip6"], **LAYER_FIELDS["ip4"]}

# Field names that mean a header field whatever the base expression is (they
# are spelled only in header structs, so a match is safe even when the base
# variable's type is unknown).  Their key names come from LAYER_FIELDS.
DISTINCT_NAMES = ("ip_src", "ip_dst", "ip_p", "ip_id", "ip6_src", "ip6_dst", "ip6_nxt",
                  "th_sport", "th_dport", "uh_sport", "uh_dport", "ether_shost", "ether_dhost",
                  "next_proto_id", "h_source", "h_dest", "ether_vlan_tci")
DISTINCT_FIELDS: dict[str, str] = {name: key for fields in LAYER_FIELDS.values()
                                   for name, key in fields.items() if name in DISTINCT_NAMES}

# Accessor calls returning a header pointer: name -> layer.
HEADER_ACCESSORS: dict[str, str] = {
    # FastClick Packet
    "ip_header": "ip4", "ip6_header": "ip6", "tcp_header": "tcp", "udp_header": "udp",
    "transport_header": "l4", "network_header": "ip", "ether_header": "ether",
    "mac_header": "ether", "icmp_header": "icmp", "vlan_header": "vlan",
    # VPP
    "ip4_next_header": "l4", "ip6_next_header": "l4",
    "vlib_buffer_get_current": None,   # layer given by the cast / declared type
    "vlib_buffer_get_current_ip4": "ip4",  # not upstream, harmless
    # DPDK
    "rte_pktmbuf_mtod": None, "rte_pktmbuf_mtod_offset": None,
}

# Metadata accessors that carry header fields (VPP sv-reassembly).
METADATA_FIELDS: dict[str, str] = {
    "l4_src_port": "src_port", "l4_dst_port": "dst_port",
}

# Flow-id constructors (FastClick): the fields their packet constructor reads.
# IPFlowID(p) takes saddr, sport, daddr, dport (no protocol: see ipflowid.cc);
# IPFlow5ID adds the protocol.
FLOW_ID_TYPES: dict[str, tuple[str, ...]] = {
    "IPFlowID": ("src_ip", "dst_ip", "src_port", "dst_port"),
    "IPFlow5ID": KEY_FIELDS,
}

# Header fields that never identify a flow on their own (header checks and
# rewrites read them): not key parts, though ``rewrites`` names them.
NON_KEY_FIELDS = frozenset({"ttl", "tos", "ethertype"})

# Fields that come in a source/destination pair: a key mixing both sides of
# one pair reads the same for both directions of a connection.
DIRECTION_PAIRS: tuple[tuple[str, str], ...] = (("src_ip", "dst_ip"), ("src_port", "dst_port"),
                                               ("src_mac", "dst_mac"))

# Packet annotations used as keys (FastClick): accessor -> key name, from the
# reviewed rows of ``knowledge/fastclick.py``.  A header field carried in an
# annotation (dst_ip, vlan) keeps its name; others are 'anno:<name>'.
def _annotation_keys(role: str) -> dict[str, str]:
    from . import knowledge
    return {d.name: (d.kind if d.kind in KEY_FIELDS or d.kind in ("vlan",) else f"anno:{d.kind}")
            for d in knowledge.rows(role)}


ANNOTATION_FIELDS: dict[str, str] = _annotation_keys("annotation")
ANNOTATION_SETTERS: dict[str, str] = _annotation_keys("annotation-set")


@dataclass(frozen=True)
class FieldRef:
    """One header field read: the key name it stands for, and how it was recognised."""
    field: str
    how: str


def layer_of_type(type_tokens: list[str]) -> str | None:
    """Header layer of a spelled type such as ``const click_ip *`` or ``struct iphdr *``."""
    for t in type_tokens:
        if t in HEADER_STRUCTS and t != "ip":
            return HEADER_STRUCTS[t]
    if "ip" in type_tokens and "struct" in type_tokens:
        return "ip4"
    return None


def field_of(layer: str | None, member: str) -> str | None:
    """Key name for ``member`` read through a header pointer of ``layer``."""
    if layer and member in LAYER_FIELDS.get(layer, {}):
        return LAYER_FIELDS[layer][member]
    return DISTINCT_FIELDS.get(member)


def fields_of(layer: str | None, member: str) -> set[str]:
    """Like ``field_of`` but a member covering several fields yields all of them."""
    f = field_of(layer, member)
    return set(f.split("+")) if f else set()


def is_five_tuple(field: str) -> bool:
    return field in KEY_FIELDS
