"""The Snakemake workflow, shipped inside the package as ``bayesnma.pipeline``
(see pyproject.toml)."""
