"""The bundled example data, shipped inside the package as ``bayesnma.example_data``."""
