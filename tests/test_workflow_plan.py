"""Fast checks of bayesnma.workflow's planning steps (no sampling); end-to-end runs are in
tests/workflow/."""

from bayesnma.config import analysis_config, validate_config
from bayesnma.workflow import _components, load_network

DATA = """study,treatment,events,total
s1,A,5,50
s1,B,9,50
s2,B,8,40
s2,C,12,40
s3,C,20,60
s4,H,7,20
"""


def _cfg(tmp_path, **spec):
    path = tmp_path / "arms.csv"
    path.write_text(DATA)
    settings = validate_config({"analyses": {"a": {"data": str(path), **spec}}})["a"]
    return analysis_config("a", settings)


def test_single_arm_studies_are_dropped_with_the_reason_under_independent_baselines(tmp_path):
    cfg = _cfg(tmp_path, allow_single_arm=True)
    network = load_network(cfg)
    assert network.studies == ["s1", "s2"]
    assert any("single-arm study 's3' dropped: with independent baselines" in n
               for n in network.notes)


def test_exchangeable_baselines_keep_single_arm_studies_and_say_what_is_unplaced(tmp_path):
    cfg = _cfg(tmp_path, allow_single_arm=True, baseline={"model": "exchangeable"})
    network = load_network(cfg)
    assert network.studies == ["s1", "s2", "s3", "s4"]
    assert [c.treatments for c in _components(cfg, network)] == [("A", "B", "C")]
    assert any("treatment 'H' is in no comparison (single-arm evidence only) and is not "
               "analysed" in n for n in network.notes)


def test_bridge_fits_the_whole_network_as_one_part(tmp_path):
    cfg = _cfg(tmp_path, allow_single_arm=True, disconnected="bridge",
               baseline={"model": "exchangeable"})
    network = load_network(cfg)
    (only,) = _components(cfg, network)
    assert only.label == "c1" and only.treatments == ("A", "B", "C", "H")
    assert not any("not analysed" in n for n in network.notes)
