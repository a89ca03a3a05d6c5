"""The README's "From Python" blocks, run as a reader would paste them: the API they show is the one that exists."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path


def test_the_readme_python_blocks_run_and_print_translations():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### From Python"):].split("\n### ", 1)[0]
    blocks = [part.split("```", 1)[0] for part in section.split("```python\n")[1:]]
    assert len(blocks) == 2
    namespace: dict = {}  # the second block goes on from the first, as in a reader's session
    found = []
    for number, block in enumerate(blocks, start=1):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, f"README.md (From Python, block {number})", "exec"), namespace)  # noqa: S102 (ours)
        found.append(printed.getvalue().splitlines())
    lines = found[0]
    assert len(lines) == 3, lines
    assert "15" in lines[0] and lines[0].count("', -") == 2  # the number kept; two (text, score) alternatives
    assert "Acme" in lines[2] and "estación de tren" in lines[2]
    [html] = found[1]
    assert html.startswith("<p>") and html.endswith("</p>") and html.count("<b>") == html.count("</b>") == 1, html
    assert len(namespace["translated"]) == 1 and namespace["translated"][0].text
