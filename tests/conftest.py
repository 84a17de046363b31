import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

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


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def _require_chromium() -> str:
    """Chromium's path; skips without it, unless BAYESNMA_REQUIRE_CHROMIUM is set (CI)."""
    chromium = _chromium()
    if chromium is None:
        if os.environ.get("BAYESNMA_REQUIRE_CHROMIUM"):
            pytest.fail("Chromium is required (BAYESNMA_REQUIRE_CHROMIUM) but not found")
        pytest.skip("headless Chromium not installed (apt-get install chromium)")
    return chromium


@pytest.fixture(scope="session")
def rendered_dom():
    """``rendered_dom(html_path)``: the page's DOM after headless Chromium loaded it and ran
    its scripts."""
    chromium = _require_chromium()

    def _dom(path):
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
               "--virtual-time-budget=5000", "--dump-dom", Path(path).resolve().as_uri()]
        dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
        assert "<title>" in dom, f"Chromium rendered no page for {path}"
        return dom

    return _dom


@pytest.fixture(scope="session")
def rendered_title(rendered_dom):
    """``rendered_title(html_path)``: the page's title after headless Chromium ran its
    scripts."""
    def _title(path):
        return re.search(r"<title>(.*?)</title>", rendered_dom(path), re.S).group(1)

    return _title


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(html_path, png_path, width=1200, height=...)``: a PNG of the page as
    headless Chromium draws it; returns the PNG's (width, height)."""
    chromium = _require_chromium()

    def _shot(path, png, width=1200, height=3000):
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--screenshot={png}", f"--window-size={width},{height}",
               Path(path).resolve().as_uri()]
        subprocess.run(cmd, capture_output=True, timeout=120)
        data = Path(png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f"Chromium drew no PNG of {path}"
        return struct.unpack(">II", data[16:24])

    return _shot
