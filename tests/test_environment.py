"""environment.yml, pyproject.toml and requirements.lock describe one stack."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _locked() -> dict[str, str]:
    lock = (REPO / "requirements.lock").read_text()
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^ \\\n]+)", lock, re.M)}


def test_environment_names_every_dependency_at_its_locked_version():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    names = [re.split(r"[<>=!~ \[]", d)[0] for d in deps]
    named = dict(re.findall(r"^#   ([A-Za-z0-9_.-]+)==(\S+)$",
                            (REPO / "environment.yml").read_text(), re.M))
    locked = _locked()
    assert sorted(named) == sorted(names)
    assert {n: named[n] for n in names} == {n: locked[n.lower()] for n in names}
    assert "-r requirements.lock" in (REPO / "environment.yml").read_text()
