"""Click's port numbering for one arrow (click_ports.pair_ports)."""
import pytest

from flowmagec.frontends.click_ports import End, PortError, pair_ports

A, B, C, D = 0, 1, 2, 3
EXP = -1   # marks an expandable port list: [] is [0, EXP], [2,] is [2, EXP]


def pairs(outs, ins, double=False):
    return pair_ports([End(e, p) for e, p in outs], [End(e, p) for e, p in ins], double)


def test_plain_arrow_defaults_to_port_zero():
    assert pairs([(A, [])], [(B, [])]) == [(A, 0, B, 0)]
    assert pairs([(A, [2])], [(B, [1])]) == [(A, 2, B, 1)]


def test_one_output_to_a_list_of_inputs_fans_out():
    assert pairs([(A, [])], [(B, []), (C, [1])]) == [(A, 0, B, 0), (A, 0, C, 1)]


def test_port_lists_pair_in_order_with_double_arrow():
    assert pairs([(A, [0, 1])], [(B, [1, 0])], double=True) == [(A, 0, B, 1), (A, 1, B, 0)]


def test_many_to_many_needs_double_arrow():
    with pytest.raises(PortError, match="=>"):
        pairs([(A, [0, 1])], [(B, [0, 1])])


def test_mismatched_counts_are_rejected():
    with pytest.raises(PortError, match="2 outputs connected to 3 inputs"):
        pairs([(A, [0, 1])], [(B, [0, 1, 2])], double=True)


def test_expandable_output_stretches_to_the_inputs():
    assert pairs([(A, [0, EXP])], [(B, []), (C, []), (D, [])], double=True) == \
        [(A, 0, B, 0), (A, 1, C, 0), (A, 2, D, 0)]
    assert pairs([(A, [2, EXP])], [(B, []), (C, [])], double=True) == [(A, 2, B, 0), (A, 3, C, 0)]


def test_only_one_expandable_side():
    with pytest.raises(PortError, match="at most one expandable"):
        pairs([(A, [0, EXP])], [(B, [0, EXP])], double=True)


def test_double_arrow_numbers_a_portless_end():
    # 'a => b, c' connects a[0] -> b and a[1] -> c
    assert pairs([(A, [])], [(B, []), (C, [])], double=True) == [(A, 0, B, 0), (A, 1, C, 0)]
    # a list on the output side walks end by end
    assert pairs([(A, [1]), (B, [])], [(C, [0, 1])], double=True) == [(A, 1, C, 0), (B, 0, C, 1)]


def test_ranges_and_lists_mix():
    assert pairs([(A, [0, 1, 2])], [(B, [0]), (C, [0]), (D, [0])], double=True) == \
        [(A, 0, B, 0), (A, 1, C, 0), (A, 2, D, 0)]
