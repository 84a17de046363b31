import pandas as pd
import pytest

import bayesnma as nma
from bayesnma.testing import simulate_binary_network


def test_simulated_network_is_connected_valid_and_seeded():
    arms = simulate_binary_network(60, n_treatments=8, seed=4)
    assert arms["study"].nunique() == 60
    assert ((arms["events"] >= 0) & (arms["events"] <= arms["total"])).all()
    assert set(arms.groupby("study").size()) <= {2, 3}
    assert len(nma.connected_components(nma.set_agd_arm(arms))) == 1
    assert sorted(arms.attrs["d"]) == [f"T{k:02d}" for k in range(2, 9)]
    pd.testing.assert_frame_equal(arms, simulate_binary_network(60, n_treatments=8, seed=4))
    assert not arms.equals(simulate_binary_network(60, n_treatments=8, seed=5))


def test_simulated_network_needs_a_study_per_treatment():
    with pytest.raises(ValueError, match="5 studies cannot connect 8 treatments"):
        simulate_binary_network(5, n_treatments=8)
