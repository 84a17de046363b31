"""The bundled example config, shipped inside the package as ``bayesnma.example_config``."""
