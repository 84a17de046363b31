"""Analysis configuration: schema validation, defaults and typed settings."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml

from bayesnma.data import ARM_FORMATS, DATA_FORMATS
from bayesnma.diagnostics import ConvergenceCriteria
from bayesnma.errors import ConfigError
from bayesnma.prior_config import prior_from_config
from bayesnma.priors import HET_PRIORS, Priors
from bayesnma.pymc_backend import SamplerSettings

__all__ = ["SENSITIVITY_SEP", "YTE_KEY", "AnalysisConfig", "DataSource", "analysis_config",
           "default_settings", "load_config_file", "schema_path", "settings_reference",
           "uses_yte", "validate_config", "validation_message"]


def schema_path() -> Path:
    """The config schema, ``workflow/schemas/config.schema.yaml`` (shipped in the package as
    ``bayesnma.pipeline``): the one place the keys, their checks and defaults are written."""
    return Path(str(files("bayesnma.pipeline").joinpath("schemas", "config.schema.yaml")))


@cache
def _schema() -> dict:
    return yaml.safe_load(schema_path().read_text(encoding="utf-8"))


def _schema_defaults(node: dict) -> dict:
    out = {}
    for key, sub in node.get("properties", {}).items():
        if "default" in sub:
            out[key] = copy.deepcopy(sub["default"])
        elif sub.get("type") == "object" and (nested := _schema_defaults(sub)):
            out[key] = nested
    return out


def default_settings() -> dict:
    """The settings an analysis starts from: the schema's defaults."""
    return _schema_defaults(_schema()["$defs"]["settings"])


def settings_reference() -> str:
    """Every setting of an analysis as a Markdown table (key, default, allowed values and
    meaning), written from the schema; ``config/README.md`` holds it."""
    defs = _schema()["$defs"]

    def resolved(sub):
        # A key's own entries over those of the definition it refers to.
        return {**defs[sub["$ref"].rsplit("/", 1)[1]], **sub} if "$ref" in sub else sub

    def allowed(sub):
        if "title" in sub:
            return sub["title"]
        if "enum" in sub:
            return " \\| ".join("null" if v is None else str(v) for v in sub["enum"])
        if "oneOf" in sub:
            return " or ".join(str(o["const"]) if "const" in o else o.get("type", "object")
                               for o in sub["oneOf"])
        return sub.get("type", "object")

    def text(sub):
        return " ".join(str(sub.get("description") or "").split())

    def rows(node, prefix):
        for key, sub in node["properties"].items():
            nested = sub.get("type") == "object" and "default" not in sub and any(
                "default" in s for s in sub.get("properties", {}).values())
            if nested:
                yield from rows(sub, f"{prefix}{key}.")
                continue
            default = (f"`{yaml.safe_dump(sub['default'], default_flow_style=True)}`"
                       .replace("\n...", "").replace("\n", "") if "default" in sub
                       else "required" if key == "data" else "")
            sub = resolved(sub)
            yield f"| `{prefix}{key}` | {default} | {allowed(sub)} | {text(sub)} |"

    head = "| key | default | allowed | meaning |\n|---|---|---|---|"
    return "\n".join([head, *rows(defs["settings"], "")]) + "\n"


@dataclass(frozen=True)
class DataSource:
    """One data file of an analysis: its path, format, measure and column names."""

    file: str
    format: str = "binary"
    measure: str | None = None
    columns: dict = field(default_factory=dict)

    def describe(self) -> str:
        """``file (format[, measure])`` for reports."""
        extra = f", {self.measure}" if self.measure else ""
        return f"{self.file} ({self.format}{extra})"


@dataclass(frozen=True)
class AnalysisConfig:
    """Typed settings of one analysis (built by :func:`analysis_config`)."""

    name: str
    sources: tuple[DataSource, ...]
    outcome: str
    lower_better: bool
    trt_effects: str
    trt_ref: str | list[str] | None
    trt_order: tuple[str, ...] | None
    consistency: tuple[str, ...]
    disconnected: str
    priors: Priors
    sampler: SamplerSettings
    convergence: ConvergenceCriteria
    on_failure: str
    settings: dict = field(repr=False)
    regression: object = None
    class_effects: dict | None = None
    description: str = ""
    sensitivity: tuple = ()
    allow_single_arm: bool = False
    baseline: object = None
    excluded: dict = field(default_factory=dict)
    leave_out: dict = field(default_factory=dict)
    #: ``consistency: auto``: the check variants are fitted only where a component has a
    #: comparison with direct and indirect evidence (nothing to check elsewhere).
    consistency_auto: bool = False

    @property
    def data(self) -> str:
        """The data files, joined with `` + `` (for messages and reports)."""
        return " + ".join(src.file for src in self.sources)


def _merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if key == "priors" and isinstance(value, dict):
            # A prior names one distribution: replace it whole rather than merging kinds.
            out[key] = {**out.get(key, {}), **copy.deepcopy(value)}
        elif isinstance(value, dict) and isinstance(out.get(key), dict) and key != "columns":
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def validation_message(err, where: str | None = None) -> str:
    """One line naming the key of a config that fails the schema and why, e.g.
    ``config: analyses.orr.sampler.chains: 0 is less than the minimum of 2``; an unknown
    key gets the closest valid one (``unknown key 'samplr' (did you mean 'sampler'?)``).
    ``where`` replaces the error's own path."""
    if err.context and where is None:  # oneOf/anyOf: the alternative that came closest
        from jsonschema.exceptions import best_match

        # an error inside the instance (a missing key of a list item) beats "not of type"
        deeper = [e for e in err.context if len(e.absolute_path) > len(err.absolute_path)]
        err = max(deeper, key=lambda e: len(e.absolute_path)) if deeper else best_match(
            err.context)
    where = where or ".".join(str(p) for p in err.absolute_path) or "config"
    if err.validator == "pattern" and isinstance(err.instance, str):  # a name
        chars = "'_' or '-'" if "_-" in str(err.validator_value) else "'_'"
        return (f"config: {where}: {err.instance!r} is not a valid name: letters, digits, "
                f"{chars} only, starting with a letter or digit (no spaces or line breaks)")
    return f"config: {where}: {_unknown_keys(err) or err.message}"


def _unknown_keys(err) -> str:
    """For a schema error on keys the schema does not know: each with the closest known
    key, or the known keys; empty for any other error."""
    import difflib

    if err.validator != "additionalProperties" or not isinstance(err.instance, dict):
        return ""
    known = list(err.schema.get("properties", {}))
    unknown = [k for k in err.instance if k not in known]
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        parts.append(f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close
                                                else f" (valid keys: {', '.join(known)})"))
    return "; ".join(parts)


def validate_config(config: dict) -> dict[str, dict]:
    """Validate a workflow config against the schema and apply defaults.

    Returns
    -------
    dict
        Analysis name -> complete settings (plain, JSON-serialisable dict).

    Raises
    ------
    ConfigError
        Naming the offending key and why, e.g. ``analyses.orr.sampler.chains: 0 is less
        than the minimum of 1``.
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError(validation_message(errors[0]))
    defaults = _merge(default_settings(), config.get("defaults") or {})
    if "sensitivity" in defaults:
        raise ConfigError("config: defaults.sensitivity: sensitivity analyses belong to an "
                          "analysis, not to the defaults")
    out = {}
    for name, spec in config["analyses"].items():
        settings = _merge(defaults, spec or {})
        scenarios = settings.pop("sensitivity", None) or {}
        settings["sensitivity"] = [f"{name}{SENSITIVITY_SEP}{s}" for s in scenarios]
        out[name] = settings
        for scenario, overrides in scenarios.items():
            # A scenario may change the data too (another reading of the same studies:
            # data, leave_out), but has no sensitivity or influence analysis of its own.
            for key in ("sensitivity", "influence"):
                if key in overrides:
                    raise ConfigError(f"config: analyses.{name}.sensitivity.{scenario}.{key}: "
                                      f"a sensitivity analysis has no {key} analysis of its "
                                      "own")
            errors = list(validator.iter_errors({"analyses": {"x": {"data": "x", **overrides}}}))
            if errors:
                inner = ".".join(str(p) for p in list(errors[0].absolute_path)[2:])
                where = ".".join(filter(None, (f"analyses.{name}.sensitivity.{scenario}",
                                               inner)))
                raise ConfigError(validation_message(errors[0], where))
            child = _merge({k: v for k, v in settings.items() if k != "sensitivity"},
                           overrides)
            child["sensitivity"] = []
            child["sensitivity_of"] = name
            out[f"{name}{SENSITIVITY_SEP}{scenario}"] = child
    return out


#: Joins an analysis' name and a sensitivity analysis' name: ``hcc_dcr--vague_het``.
SENSITIVITY_SEP = "--"


def _with_priors(cls, section: str, spec: dict, name: str):
    """``cls(**spec)`` with every ``*prior`` key built by :func:`prior_from_config`
    (``sd_prior`` from the heterogeneity priors); errors name the analysis' key."""
    args = {}
    for key, value in spec.items():
        if key.endswith("prior"):
            allowed = {"allowed": HET_PRIORS} if key == "sd_prior" else {}
            value = _prior(value, f"{section}.{key}", name, **allowed)
        args[key] = value
    try:
        return cls(**args)
    except ConfigError as err:
        raise ConfigError(f"config: analyses.{name}.{err}") from None


def _prior(spec, key: str, name: str, **allowed):
    """:func:`prior_from_config`, its errors naming the analysis' key."""
    try:
        return prior_from_config(spec, parameter=key, **allowed)
    except ConfigError as err:
        why = str(err).removeprefix(f"prior for {key}: ")
        raise ConfigError(f"config: analyses.{name}.{key}: {why}") from None


def _regression(spec, name):
    from bayesnma.regression import Regression

    return _with_priors(Regression, "regression", spec, name) if spec else None


def _baseline(spec, name):
    from bayesnma.baselines import BaselineModel

    return _with_priors(BaselineModel, "baseline", dict(spec or {}), name)


def _consistency(settings: dict, regression, class_effects, baseline) -> tuple[str, ...]:
    """The models fitted per component. ``auto`` (the default): in a main analysis every
    registered variant the model allows (:meth:`~bayesnma.variants.ModelVariant.conflict`),
    only the consistency model in a sensitivity analysis, whose checks are its main
    analysis'."""
    from bayesnma.variants import VARIANTS

    if settings["consistency"] != "auto":
        return tuple(settings["consistency"])
    if "sensitivity_of" in settings:
        return ("consistency",)
    return tuple(name for name, variant in VARIANTS.items()
                 if variant.conflict(regression=regression, class_effects=class_effects,
                                     baseline=baseline) is None)


def analysis_config(name: str, settings: dict) -> AnalysisConfig:
    """Build typed settings from one analysis' complete settings dict."""
    priors = settings["priors"]
    sampler = settings["sampler"]
    conv = dict(settings["convergence"])
    on_failure = conv.pop("on_failure")
    data = settings["data"]
    if isinstance(data, str):
        sources = (DataSource(data, settings["format"], settings.get("measure"),
                              dict(settings.get("columns") or {})),)
    else:
        sources = tuple(DataSource(s["file"], s["format"], s.get("measure"),
                                   dict(s.get("columns") or {})) for s in data)
    if settings.get("disconnected") == "bridge" and not settings.get("class_effects") and (
            (settings.get("baseline") or {}).get("model") != "exchangeable"):
        raise ConfigError(f"config: analyses.{name}: disconnected: bridge fits separate parts "
                          "of the network in one model, which needs an assumption that "
                          "places them: exchangeable baselines (baseline: {model: "
                          "exchangeable}) or class_effects whose classes span the parts")
    for src in sources:
        if DATA_FORMATS[src.format].level == "contrast" and not src.measure:
            raise ConfigError(f"config: analyses.{name}: {src.format}-level data ({src.file}) "
                              "need their effect measure: set measure to HR, OR, RR, IRR, MD or "
                              "SMD")
        implied = ARM_FORMATS[src.format].measure if src.format in ARM_FORMATS else None
        if implied and src.measure and src.measure != implied:
            raise ConfigError(f"config: analyses.{name}: {src.format} data ({src.file}) estimate "
                              f"{implied}, not {src.measure}; remove measure or change format")
    regression = _regression(settings.get("regression"), name)
    class_effects = settings.get("class_effects") or None
    baseline = _baseline(settings.get("baseline"), name)
    return AnalysisConfig(
        name=name,
        sources=sources,
        outcome=settings.get("outcome") or name,
        lower_better=bool(settings["lower_better"]),
        trt_effects=settings["trt_effects"],
        trt_ref=settings["trt_ref"],
        trt_order=tuple(settings["trt_order"]) if settings.get("trt_order") else None,
        consistency=_consistency(settings, regression, class_effects, baseline),
        consistency_auto=settings["consistency"] == "auto",
        disconnected=settings["disconnected"],
        priors=Priors(**{
            key: _prior(priors[key], f"priors.{key}", name,
                        **({"allowed": HET_PRIORS} if key == "het" else {}))
            for key in ("intercept", "trt", "het") if key in priors}),
        sampler=SamplerSettings(**sampler),
        convergence=ConvergenceCriteria(**conv),
        on_failure=on_failure,
        settings=settings,
        regression=regression,
        class_effects=class_effects,
        description=" ".join(str(settings.get("description") or "").split()),
        sensitivity=tuple(settings.get("sensitivity") or ()),
        allow_single_arm=bool(settings.get("allow_single_arm", False)),
        baseline=baseline,
        excluded=dict(settings.get("excluded") or {}),
        leave_out=dict(settings.get("leave_out") or {}),
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (plain YAML keeps the
    last silently). Keys merged in with ``<<: *anchor`` may be overridden."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise ConfigError(
                    f"{key_node.start_mark.name}, line {line}: key {key!r} is given twice in "
                    f"the same block (first on line {seen[key]}); YAML would silently keep "
                    "the last one: remove one")
            seen[key] = line
        return super().construct_mapping(node, deep)


#: The key that turns on Snakemake's YTE templating of a config file, whose expressions are
#: Python code run while the file is read.
YTE_KEY = "__use_yte__"


def _uses_yte(config) -> bool:
    return isinstance(config, dict) and bool(config.get(YTE_KEY))


def uses_yte(path) -> bool:
    """Whether a config file turns on YTE templating (False if it cannot be read: reading
    it says why)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return _uses_yte(yaml.safe_load(fh))
    except (OSError, yaml.YAMLError):
        return False


def load_config_file(path, *, allow_yte: bool = False) -> dict:
    """Read a YAML config file, refusing keys given twice in one block and, unless
    ``allow_yte``, YTE templating (it runs code written in the file).

    Raises
    ------
    ConfigError
        If the file is missing, not valid YAML, repeats a key or uses YTE without
        ``allow_yte``.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            config = yaml.load(fh, Loader=_UniqueKeyLoader) or {}
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from None
    if not _uses_yte(config):
        return config
    if not allow_yte:
        raise ConfigError(
            f"{path}: uses YTE templating ({YTE_KEY}: true), whose expressions are Python code "
            "run when the file is read; bayesnma runs no code from a config file. If you "
            "trust this file, give bayesnma --allow-yte (run, validate, check), which checks "
            "every config before anything reads it (snakemake itself evaluates YTE when it "
            "reads --configfile, before this check)")
    import yte

    with open(path, encoding="utf-8") as fh:
        return yte.process_yaml(fh, require_use_yte=True) or {}
