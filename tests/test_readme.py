"""The README's Python example runs as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.conftest import ROOT


def test_readme_python_example_runs(seeds_out: Path, tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Python API\s+```python\n(.*?)```", text, re.S)
    assert block is not None
    code = block.group(1).replace('kg.build(["seeds/"])', f"kg.load({str(seeds_out)!r})")
    code = code.replace('g.save("out/")', f"g.save({str(tmp_path / 'out')!r})")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert (tmp_path / "out" / "manifest.json").is_file()
