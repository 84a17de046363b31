import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file in a temporary folder and return its path."""

    def _write(text, name="arms.csv"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write


@pytest.fixture
def three_trt_arms():
    """A small connected network with one three-arm study."""
    return pd.DataFrame(
        {
            "study": ["s1", "s1", "s2", "s2", "s2", "s3", "s3"],
            "treatment": ["A", "B", "A", "B", "C", "B", "C"],
            "events": [5, 9, 4, 8, 12, 10, 14],
            "total": [50, 50, 40, 40, 40, 60, 60],
            "prior_therapy": ["x", "x", "y", "y", "y", "x", "x"],
        }
    )
