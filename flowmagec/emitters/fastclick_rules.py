"""The FLOW_RULES_FILE that vanilla FastClick installs with ``FromDPDKDevice(MODE flow)``.

FastClick (lib/flowrulemanager.cc) reads the file line by line, skips lines that
start with a blank, prefixes every other line with ``flow create <port>`` and
hands it to DPDK's testpmd flow parser (app/test-pmd/cmdline_flow.c, linked
into FastClick) through a 512-byte line buffer (lib/flowruleparser.cc).  So:
no comments, one rule per line, each line short enough, and the grammar of
testpmd's RSS action::

    ingress pattern eth / ipv4 / tcp / end actions rss [func toeplitz|symmetric_toeplitz]
        types ipv4-tcp l3-src-only end [key HEX] queues 0 1 2 3 end / end

``key`` takes plain hex and sets ``key_len`` itself; ``queues`` holds at most 128
indices (ACTION_RSS_QUEUE_NUM); an omitted ``queues`` means testpmd's own
``nb_rxq``, which FastClick never sets, so we always spell it (``queues end``
is the empty list, which some drivers require).

Drivers accept different shapes of the same action (DPDK 22.11 sources):
  * mlx5 (mlx5_flow.c ``mlx5_validate_action_rss``): queues required in the rule,
    40-byte key, func default|toeplitz only, *_ONLY types need their L3/L4 type.
  * i40e (i40e_hash.c): a rule with a pattern sets types / key / symmetric func and
    must carry no queues; the queue set goes in one ``pattern end`` rule.
  * ice (ice_hash.c): pattern rules take types and func but neither key nor queues;
    the RETA spreads over all N_QUEUES at port start.
  * ixgbe (ixgbe_flow.c / ixgbe_rxtx.c): one RSS rule per port, pattern ignored,
    func must be the default, types are port-wide rss_hf, 40-byte key.
  * net_null, virtio: no rte_flow RSS at all; FastClick's fixed port RSS
    (IP|UDP|TCP, driver key) is all there is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import AnalysisError

# testpmd limits (cmdline_flow.c / FastClick's flowruleparser.cc)
MAX_RULE_QUEUES = 128
MAX_LINE = 511                        # 512-byte buffer, NUL included
_PREFIX = "flow create 65535 "        # what FastClick prepends, widest port id
FUNC_WORDS = ("toeplitz", "symmetric_toeplitz", "simple_xor")


@dataclass(frozen=True)
class FlowRuleStyle:
    """How one DPDK driver wants the rte_flow RSS action spelled."""
    name: str
    rte_flow: bool = True       # driver implements the RSS action at all
    per_pattern: bool = True    # one rule per packet type, else one 'pattern end' rule
    queues: str = "inline"      # 'inline' | 'global' ('pattern end' rule) | 'port' (RETA at start)
    key: bool = True            # the action may carry a key
    func: bool = True           # the action may name its hash function
    selection: bool = True      # L3/L4 *_ONLY words are honoured

    def mechanisms(self) -> tuple[str, ...]:
        """The rss.realise mechanisms FastClick can express through this driver."""
        if not self.rte_flow:
            return ("software",)
        out = ["port"]
        if self.key:
            out.append("key")
        if self.selection:
            out.append("rte_flow")
        return tuple(out + ["software"])


STYLES = {
    "mlx5": FlowRuleStyle("mlx5"),
    "i40e": FlowRuleStyle("i40e", queues="global"),
    "ice": FlowRuleStyle("ice", queues="port", key=False),
    "ixgbe": FlowRuleStyle("ixgbe", per_pattern=False, func=False, selection=False),
    "net_null": FlowRuleStyle("net_null", rte_flow=False),
    "virtio": FlowRuleStyle("virtio", rte_flow=False),
}
# Unknown drivers get the most portable shape: one global rule, default function.
PORTABLE = FlowRuleStyle("portable", per_pattern=False, func=False, selection=False)


def style_for(driver: str) -> FlowRuleStyle:
    return STYLES.get(driver, PORTABLE)


def _split_types(rss_types: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(l4 types, l3 types, *_ONLY words) of a realisation's type list."""
    selection = [t for t in rss_types if t.endswith("-only")]
    l4 = [t for t in rss_types if t.count("-") == 1 and t.startswith(("ipv4-", "ipv6-"))]
    l3 = [t for t in rss_types if t in ("ipv4", "ipv6")]
    return l4, l3, selection


def _action(types: list[str], func: Optional[str], key: str, queues: Optional[list[int]]) -> str:
    parts = ["actions rss"]
    if func:
        parts.append(f"func {func}")
    parts.append("types " + " ".join(types + ["end"]))
    if key:
        parts.append(f"key {key}")
    parts.append("queues " + " ".join([str(q) for q in queues or []] + ["end"]))
    return " ".join(parts) + " / end"


def _pattern(rss_type: str) -> str:
    ip, _, proto = rss_type.partition("-")
    return "pattern eth / " + ip + (f" / {proto}" if proto else "") + " / end"


def flow_rules(rss_types: list[str], key_hex: str, hash_function: str, queues: int,
               style: FlowRuleStyle) -> list[str]:
    """The rules (one per line, without FastClick's 'flow create N' prefix)."""
    if not style.rte_flow:
        raise AnalysisError(f"driver style '{style.name}' has no rte_flow RSS action")
    if queues > MAX_RULE_QUEUES and style.queues != "port":
        raise AnalysisError(f"{queues} queues: testpmd's flow parser takes at most "
                            f"{MAX_RULE_QUEUES} queues per RSS action")
    l4, l3, selection = _split_types(rss_types)
    if not l4 and not l3:
        l3 = ["ipv4"]
    func = hash_function if style.func and hash_function in FUNC_WORDS else None
    key = key_hex if style.key else ""
    every = list(range(queues))
    rules: list[str] = []
    if not style.per_pattern:
        rules.append("ingress pattern end " + _action(l4 + l3 + selection, func, key, every))
    else:
        inline = every if style.queues == "inline" else None
        if style.queues == "global":
            rules.append("ingress pattern end " + _action([], None, "", every))
        for t in l4 + l3:        # specific patterns first
            words = [w for w in selection if t in l4 or w.startswith("l3-")]
            rules.append(f"ingress {_pattern(t)} " + _action([t] + words, func, key, inline))
    for r in rules:
        if len(_PREFIX) + len(r) + 1 > MAX_LINE:
            raise AnalysisError(
                f"a flow rule for {queues} queues is {len(_PREFIX) + len(r) + 1} bytes; FastClick "
                f"parses rule lines through a {MAX_LINE + 1}-byte buffer",
                notes=("use fewer cores, or --dispatcher for a C dispatcher",))
    return rules


def fixed_port_rss_fields() -> list[str]:
    """What FastClick's hard-coded port RSS (rss_hf = IP|UDP|TCP, driver key) dispatches
    TCP/UDP on (lib/dpdkdevice.cc); the only dispatch a NIC without rte_flow gives."""
    return ["src_ip", "dst_ip", "src_port", "dst_port"]
