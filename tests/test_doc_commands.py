"""The commands the documentation gives name what exists: each `nmt SUBCOMMAND` and every one of its --flags, each
`python benchmarks/X.py` or `python scripts/X.py` and its --flags (a reader copies them; a renamed flag must take
the docs with it)."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from nmt.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")),
        "benchmarks/README.md", "data/bible/README.md", "configs/reference.yaml"]
NMT = re.compile(r"\bnmt ([a-z][a-z-]*)((?: +(?:\[|\]|\\\||[\w./<>…,'=:-])+)*)")
SCRIPT = re.compile(r"\bpython3? ((?:benchmarks|scripts)/\w+\.py)((?: +(?:\[|\]|\\\||[\w./<>…,'=:-])+)*)")
FLAG = re.compile(r"(?<![\w-])(--[a-z][\w-]*)")
CODE = re.compile(r"^ *```.*?^ *```|`[^`\n]+`", re.S | re.M)  # code blocks and inline code: prose may say "nmt's"


def snippets(doc: str) -> str:
    return "\n".join(CODE.findall((ROOT / doc).read_text(encoding="utf-8")))


def subcommands() -> dict[str, set[str]]:
    """Each subcommand of `nmt` and its option strings."""
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {name: {s for a in p._actions for s in a.option_strings} for name, p in action.choices.items()}


def unknown(text: str, commands: dict[str, set[str]]) -> list[str]:
    """What the text's commands name that does not exist."""
    wrong = []
    for sub, rest in NMT.findall(text):
        if sub not in commands:
            wrong.append(f"nmt {sub}")
        wrong += [f"nmt {sub} {f}" for f in FLAG.findall(rest) if sub in commands and f not in commands[sub]]
    for script, rest in SCRIPT.findall(text):
        path = ROOT / script
        if not path.exists():
            wrong.append(script)
            continue
        source = path.read_text(encoding="utf-8") + (ROOT / "benchmarks" / "common.py").read_text(encoding="utf-8")
        wrong += [f"{script} {f}" for f in FLAG.findall(rest) if f'"{f}"' not in source]
    return wrong


def test_the_docs_commands_name_existing_subcommands_scripts_and_flags():
    commands = subcommands()
    assert len(NMT.findall("\n".join(snippets(doc) for doc in DOCS))) > 100  # the pattern finds what is there
    wrong = {doc: found for doc in DOCS if (found := unknown(snippets(doc), commands))}
    assert not wrong


def test_a_renamed_flag_or_script_is_found():
    commands = subcommands()
    assert unknown("`nmt evaluate --test T --beams 5` and `nmt serve --model M`", commands) == ["nmt evaluate --beams"]
    assert unknown("`python benchmarks/decode.py --batch-size 8`; `python benchmarks/nope.py`", commands) == [
        "benchmarks/decode.py --batch-size", "benchmarks/nope.py"]
    assert unknown("`nmt translat FILE`", commands) == ["nmt translat"]
