from pathlib import Path

import pytest
import yaml

from bayesnma import ConfigError, HalfNormal, Uniform
from bayesnma.config import (
    _UniqueKeyLoader,
    analysis_config,
    default_settings,
    load_config_file,
    settings_reference,
    validate_config,
)

REPO = Path(__file__).resolve().parents[1]


def test_defaults_and_overrides():
    plan = validate_config({
        "defaults": {"sampler": {"draws": 50}},
        "analyses": {"a": {"data": "x.csv", "priors": {"het": {"uniform": {"upper": 5}}}},
                     "b": {"data": "y.csv", "trt_effects": "fixed", "lower_better": True}},
    })
    a = analysis_config("a", plan["a"])
    b = analysis_config("b", plan["b"])
    assert a.sampler.draws == 50 and a.sampler.chains == 4
    assert a.priors.het == Uniform(0, 5) and a.priors.trt is None  # default for the data
    assert b.priors.het is None and b.trt_effects == "fixed" and b.lower_better
    assert a.on_failure == "flag" and a.disconnected == "split"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "config: config: 'analyses' is a required property"),
        ({"analyses": {"a": {}}}, "config: analyses.a: 'data' is a required property"),
        ({"analyses": {"a": {"data": "x", "trt_effects": "mixed"}}},
         "analyses.a.trt_effects: 'mixed' is not one of ['random', 'fixed']"),
        ({"analyses": {"a": {"data": "x", "priors": {"het": {"cauchy": {"scale": 1}}}}}},
         "analyses.a.priors.het"),
        ({"analyses": {"a": {"data": "x", "sampler": {"chain": 4}}}},
         "config: analyses.a.sampler: unknown key 'chain' (did you mean 'chains'?)"),
        ({"analyses": {"a": {"data": "x", "samplr": {}}}},
         "config: analyses.a: unknown key 'samplr' (did you mean 'sampler'?)"),
        ({"analyses": {"a": {"data": "x", "sampler": {"zzz": 1}}}},
         "config: analyses.a.sampler: unknown key 'zzz' (valid keys: backend, chains,"),
        ({"analyses": {"a": {"data": "x", "sensitivity": {"s": {"trt_effect": "fixed"}}}}},
         "config: analyses.a.sensitivity.s: unknown key 'trt_effect' (did you mean "
         "'trt_effects'?)"),
        # a list of sources: the item's missing key, not "not valid under any schema"
        ({"analyses": {"a": {"data": [{"format": "binary"}]}}},
         "config: analyses.a.data.0: 'file' is a required property"),
        ({"analyses": {"a\n": {"data": "x"}}},
         "config: analyses: 'a\\n' is not a valid name: letters, digits, '_' or '-' only"),
        ({"analyses": {"a": {"data": "x", "sensitivity": {"s t": {}}}}},
         "config: analyses.a.sensitivity: 's t' is not a valid name: letters, digits, '_' "
         "only"),
    ],
)
def test_schema_errors_name_the_key(config, message):
    with pytest.raises(ConfigError) as err:
        validate_config(config)
    assert message in str(err.value)


def _one(spec):
    return analysis_config("a", validate_config({"analyses": {"a": spec}})["a"])


def test_data_sources():
    cfg = _one({"data": [{"file": "hr.csv", "format": "contrast", "measure": "HR"},
                         {"file": "m.csv", "format": "median"}]})
    assert [s.describe() for s in cfg.sources] == ["hr.csv (contrast, HR)", "m.csv (median)"]
    assert cfg.data == "hr.csv + m.csv"


def test_contrast_source_needs_measure():
    with pytest.raises(ConfigError, match=r"analyses.a: contrast-level data \(hr.csv\) need "
                                          r"their effect measure"):
        _one({"data": "hr.csv", "format": "contrast"})


def test_measure_contradicting_the_format():
    with pytest.raises(ConfigError, match=r"binary data \(x.csv\) estimate OR, not HR"):
        _one({"data": "x.csv", "measure": "HR"})


def test_unknown_format_in_schema():
    with pytest.raises(ConfigError, match=r"analyses.a.format: 'survival' is not one of"):
        _one({"data": "x.csv", "format": "survival"})


def test_sensitivity_analyses_expand_into_analyses():
    from bayesnma.config import validate_config

    out = validate_config({"analyses": {"a": {"data": "x.csv", "sensitivity": {
        "vague": {"description": "vague prior", "priors": {"het": {"half_normal": {"scale": 1}}}}
    }}}})
    assert list(out) == ["a", "a--vague"]
    assert out["a"]["sensitivity"] == ["a--vague"]
    assert out["a--vague"]["sensitivity_of"] == "a"
    assert out["a--vague"]["priors"]["het"] == {"half_normal": {"scale": 1}}


def test_sensitivity_analysis_settings_are_validated():
    from bayesnma.config import validate_config

    with pytest.raises(ConfigError, match="analyses.a.sensitivity.s.trt_effects: 'mixed'"):
        validate_config({"analyses": {"a": {"data": "x.csv", "sensitivity": {
            "s": {"trt_effects": "mixed"}}}}})
    with pytest.raises(ConfigError, match="s.sensitivity: a sensitivity analysis has no "
                       "sensitivity analysis of its own"):
        validate_config({"analyses": {"a": {"data": "x.csv", "sensitivity": {
            "s": {"sensitivity": {"t": {}}}}}}})
    with pytest.raises(ConfigError, match="s.influence: a sensitivity analysis has no "
                       "influence analysis of its own"):
        validate_config({"analyses": {"a": {"data": "x.csv", "sensitivity": {
            "s": {"influence": True}}}}})
    # Another reading of the data is a sensitivity analysis too.
    out = validate_config({"analyses": {"a": {"data": "x.csv", "sensitivity": {
        "s": {"data": "y.csv", "leave_out": {"s1": "why"}}}}}})
    assert out["a--s"]["data"] == "y.csv" and out["a--s"]["leave_out"] == {"s1": "why"}


def test_baseline_settings():
    cfg = _one({"data": "x.csv", "allow_single_arm": True, "disconnected": "bridge",
                "baseline": {"model": "exchangeable", "covariates": ["line"],
                             "sd_prior": {"half_normal": {"scale": 2.5}}}})
    assert cfg.allow_single_arm and cfg.baseline.exchangeable
    assert cfg.baseline.covariates == ("line",) and cfg.baseline.sd_prior == HalfNormal(2.5)
    assert not _one({"data": "x.csv"}).baseline.exchangeable


def test_bridge_needs_exchangeable_baselines():
    with pytest.raises(ConfigError, match="analyses.a: disconnected: bridge fits separate "
                       "parts of the network in one model, which needs an assumption"):
        _one({"data": "x.csv", "disconnected": "bridge"})


def test_baseline_covariates_need_exchangeable_baselines():
    with pytest.raises(ConfigError, match="analyses.a.baseline.covariates need "
                       "baseline.model: exchangeable"):
        _one({"data": "x.csv", "baseline": {"covariates": ["line"]}})


def test_description_is_one_line_of_text():
    # YAML's folded scalars (description: >) end with a newline
    assert _one({"data": "x.csv", "description": "class bridge;\n  Turner prior\n"}
                ).description == "class bridge; Turner prior"


@pytest.mark.parametrize(("sampler", "message"), [
    ({"chains": 1}, r"sampler.chains: 1 is less than the minimum of 2"),
    ({"random_seed": 2**64}, r"sampler.random_seed: 18446744073709551616 is greater than"),
])
def test_sampler_settings_the_checks_need(sampler, message):
    with pytest.raises(ConfigError, match=message):
        _one({"data": "x.csv", "sampler": sampler})


def test_one_chain_is_refused_by_the_api_too():
    import bayesnma as nma

    with pytest.raises(ConfigError, match="chains must be at least 2: convergence is checked"):
        nma.SamplerSettings(chains=1)
    with pytest.raises(ConfigError, match="random_seed must be between 0 and 4294967295"):
        nma.SamplerSettings(random_seed=2**40)


def test_a_key_given_twice_in_a_config_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("defaults:\n  sampler:\n    draws: 2000\n    tune: 500\n    draws: 20\n")
    with pytest.raises(ConfigError, match=r"config.yaml, line 5: key 'draws' is given twice in "
                                          r"the same block \(first on line 3\)"):
        load_config_file(path)


def test_merged_keys_may_be_overridden_and_the_bundled_config_reads():
    text = "a: &base {x: 1, y: 2}\nb: {<<: *base, y: 3}\n"
    path = REPO / "config" / "config.yaml"
    assert load_config_file(path)["analyses"]
    assert yaml.load(text, Loader=_UniqueKeyLoader)["b"] == {"x": 1, "y": 3}


def test_the_python_api_starts_from_the_schemas_defaults():
    from dataclasses import asdict

    from bayesnma.diagnostics import ConvergenceCriteria
    from bayesnma.pymc_backend import SamplerSettings

    defaults = default_settings()
    assert defaults["sampler"] == asdict(SamplerSettings())
    conv = dict(defaults["convergence"])
    assert conv.pop("on_failure") == "flag"
    assert conv == asdict(ConvergenceCriteria())
    assert analysis_config("a", validate_config({"analyses": {"a": {"data": "x"}}})["a"]) \
        .baseline.model == defaults["baseline"]["model"]


def test_config_readme_lists_every_key_as_the_schema_has_it():
    readme = (REPO / "config" / "README.md").read_text()
    table = settings_reference()
    assert table in readme, "config/README.md is out of date: paste settings_reference()"
    for key in ("`sampler.draws` | `1000`", "`trt_effects` | `random`", "`data` | required"):
        assert key in table


def test_consistency_auto_checks_main_analyses_with_the_variants_their_model_allows():
    def resolved(**settings):
        merged = validate_config({"analyses": {"a": {"data": "x", **settings}}})["a"]
        cfg = analysis_config("a", merged)
        return cfg.consistency, cfg.consistency_auto

    assert resolved() == (("consistency", "ume", "nodesplit"), True)
    assert resolved(baseline={"model": "exchangeable"}) == (("consistency", "nodesplit"), True)
    assert resolved(class_effects={"classes": {"A": "x"}})[0] == ("consistency", "nodesplit")
    assert resolved(consistency=["consistency", "ume"]) == (("consistency", "ume"), False)
    assert resolved(consistency=["consistency"]) == (("consistency",), False)
    scenario = validate_config({"analyses": {"a": {"data": "x", "sensitivity": {
        "alt": {"description": "d"}}}}})
    alt = next(name for name in scenario if name != "a")
    assert analysis_config(alt, scenario[alt]).consistency == ("consistency",)


YTE_CONFIG = """__use_yte__: true
analyses:
  x:
    data: arms.csv
    outcome: ?__import__("pathlib").Path(r"{marker}").write_text("ran") and "Response"
"""


def test_a_config_with_yte_templating_is_refused_without_running_its_code(tmp_path):
    from bayesnma.config import load_config_file

    marker = tmp_path / "ran.txt"
    path = tmp_path / "yte.yaml"
    path.write_text(YTE_CONFIG.format(marker=marker))
    with pytest.raises(ConfigError, match=r"yte.yaml: uses YTE templating \(__use_yte__: "
                       "true\\), whose expressions are Python code"):
        load_config_file(path)
    assert not marker.exists()
    # opted in: rendered, its code run
    assert load_config_file(path, allow_yte=True)["analyses"]["x"]["outcome"] == "Response"
    assert marker.read_text() == "ran"


@pytest.mark.parametrize(("spec", "message"), [
    ({"priors": {"het": {"uniform": {"lower": 2, "upper": 1}}}},
     "config: analyses.a.priors.het: Uniform prior needs upper > lower, got 2, 1"),
    ({"baseline": {"model": "exchangeable", "sd_prior": {"uniform": {"lower": 2, "upper": 1}}}},
     "config: analyses.a.baseline.sd_prior: Uniform prior needs upper > lower, got 2, 1"),
])
def test_a_bad_prior_names_the_analysis_and_key(spec, message):
    with pytest.raises(ConfigError) as err:
        _one({"data": "x.csv", **spec})
    assert str(err.value) == message
