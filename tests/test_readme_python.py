"""The README's "From Python" block, run as a reader would paste it: the API it shows is the one that exists."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path


def test_the_readme_python_block_runs_and_prints_translations():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### From Python"):]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, "README.md (From Python)", "exec"), {})  # noqa: S102 (our own README's code)
    lines = printed.getvalue().splitlines()
    assert len(lines) == 3, lines
    assert "15" in lines[0] and lines[0].count("', -") == 2  # the number kept; two (text, score) alternatives
    assert "Acme" in lines[2] and "estación de tren" in lines[2]
