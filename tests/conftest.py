"""Shared fixtures: the seeds graph is built once per test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


def run_kg(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real ``kg`` entry point in a subprocess."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout)


@pytest.fixture(scope="session")
def seeds_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "out"
    proc = run_kg("build", str(SEEDS), "--out", str(out), "--export", "n-triples")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def seeds_graph(seeds_out: Path):  # type: ignore[no-untyped-def]
    import kg

    return kg.load(seeds_out)
