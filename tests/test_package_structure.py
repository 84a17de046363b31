"""The package's shape (issue 29): modules stay small, import no cycle, and neither the
package nor the workflow reaches into Snakemake's internals."""

import ast
import re
from pathlib import Path

import networkx as nx

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in (SRC / "bayesnma").rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        mods[name] = path
    return mods


def test_every_module_is_under_600_lines():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text().splitlines())) >= 600}
    assert long == {}


def test_no_module_imports_one_that_imports_it_back():
    """Imports inside functions count too: a cycle hidden in a function is still one."""
    mods = _modules()
    graph = nx.DiGraph()
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bayesnma"):
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in mods
                           else node.module for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("bayesnma")]
            # a package's __init__ gathering its own modules is not a cycle
            graph.add_edges_from((name, t) for t in targets if t in mods and t != "bayesnma"
                                 and t != name and not name.startswith(t + "."))
    assert list(nx.simple_cycles(graph)) == []


def test_nothing_reads_snakemakes_internals():
    files = [*(SRC / "bayesnma").rglob("*.py"), *(REPO / "workflow").rglob("*.smk"),
             REPO / "workflow" / "Snakefile", *(REPO / "workflow" / "scripts").glob("*.py")]
    internal = re.compile(r"snakemake\.io\b|snakemake\.iocontainers|\._names\b|\.rule\b")
    hits = [f"{p.relative_to(REPO)}:{i}" for p in files
            for i, line in enumerate(p.read_text().splitlines(), start=1)
            if internal.search(line)]
    assert hits == []


def test_only_its_own_module_names_a_variant():
    """Planning, checks and reports read the variant registry: no string naming a variant
    (other than the consistency model, which every analysis fits) outside its module."""
    from bayesnma.variants import VARIANTS

    names = set(VARIANTS) - {"consistency"}
    found = []
    for name, path in _modules().items():
        if name.startswith("bayesnma.variants"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{name}:{node.lineno}: {node.value!r}")
    assert found == []


def test_the_readme_package_layout_names_every_module():
    text = (REPO / "README.md").read_text()
    layout = text[text.index("Package layout (`src/bayesnma/`)"):]
    layout = layout[:layout.index("\n\n", layout.index("| stage |"))]
    named = set(re.findall(r"`([\w.]+)", layout))
    missing = []
    for name in _modules():
        parts = name.split(".")[1:]
        if not parts or parts[-1] in ("__main__",):
            continue
        rel = ".".join(parts)
        if (rel not in named and parts[-1] not in named
                and not any(n.startswith(rel + ".") for n in named)):
            missing.append(name)
    assert missing == []


def test_the_wheel_lists_every_package():
    """setuptools builds the wheel from pyproject's package list: a package missing from it
    is missing from every installed copy."""
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(SRC).parts)
             for p in (SRC / "bayesnma").rglob("__init__.py")}
    assert found - listed == set()
