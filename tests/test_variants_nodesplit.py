"""The node-split variant's one-line consistency verdict (node-split and UME fits are checked
against published analyses in test_validation_inconsistency.py)."""

import pandas as pd

from bayesnma.variants.nodesplit import consistency_verdict


def _splits(p_values):
    return pd.DataFrame({"estimate": "difference", "treatment": ["B", "C"][:len(p_values)],
                         "comparator": "A", "p_value": p_values})


def test_the_verdict_says_what_the_splits_found():
    assert consistency_verdict(_splits([0.40, 0.62]), n_loops_possible=2) == (
        "no evidence of inconsistency (smallest p = 0.40, 2 splits)")
    assert consistency_verdict(_splits([0.01, 0.62]), n_loops_possible=2) == (
        "inconsistency in B vs A (p = 0.010)")
    assert consistency_verdict(None, n_loops_possible=0).startswith("no closed loop")
    assert consistency_verdict(None, n_loops_possible=2).endswith(
        "node-splitting was not run (consistency: auto, the default, runs it)")


def test_no_verdict_rests_on_a_node_split_that_did_not_converge():
    # ns2 failed: the converged split still gives its verdict, ns2 is named as not assessed
    verdict = consistency_verdict(_splits([0.40]), n_loops_possible=2, not_converged=("ns2",))
    assert verdict == ("no evidence of inconsistency (smallest p = 0.40, 1 split); not "
                       "assessed: ns2 (did not converge)")
    assert consistency_verdict(None, n_loops_possible=2, not_converged=("ns1", "ns2")) == (
        "not assessable: the node-split fit(s) ns1, ns2 did not converge (see Diagnostics), "
        "so direct and indirect evidence were not compared")
