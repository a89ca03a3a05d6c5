"""`nmt export`: copy a bundle for release, optionally in fp16 and with an evaluation report in its summary."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from nmt.model.bundle import load_bundle, save_bundle


def export_bundle(src: Path, dst: Path, fp16: bool = False, report: Path | None = None) -> dict:
    """Verify and load src, add report (from `nmt evaluate --out`) as summary["test"] and today's date as
    summary["exported_on"], write dst. Returns the summary."""
    bundle = load_bundle(src)
    # When the test report entered the bundle: its speeds are of the machine and code of that day, and /v1/models
    # says so rather than present them as this server's.
    bundle.summary["exported_on"] = date.today().isoformat()
    if report is not None:
        try:
            bundle.summary["test"] = json.loads(Path(report).read_text())
        except (OSError, ValueError) as e:
            raise ValueError(f"{report}: not a readable evaluation report ({e})") from None
    save_bundle(bundle, dst, fp16=fp16)
    return bundle.summary
