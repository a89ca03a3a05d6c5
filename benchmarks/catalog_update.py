"""A String Catalog updated through the running service: the test verses as an app's strings, of which a share (the
translator's work) already has the target's localization, sent to POST /translate_file, as a catalog is each time an
app gains strings.

    nmt serve --port 8765 &   python benchmarks/catalog_update.py --url http://127.0.0.1:8765 [--done 0,0.5,0.9]
                                                                      [--strings 200]

For each share done, prints the seconds the request took (its download too), and checks the file that comes back:
every string done kept as the translator left it, every other one given the target's localization to be reviewed.
"""
from __future__ import annotations

import argparse
import json
import time

import httpx
from common import add_service, translated_file, verse_pairs


def catalog(verses: list[str], done: float, target: str) -> dict:
    """The verses as a catalog's strings, the first share done of every hundred with the target's localization."""
    strings = {}
    for k, verse in enumerate(verses):
        localizations = {"en": {"stringUnit": {"state": "translated", "value": verse}}}
        if k % 100 < done * 100:
            localizations[target] = {"stringUnit": {"state": "translated", "value": f"hecho {k}"}}
        strings[f"verse.{k}"] = {"localizations": localizations}
    return {"sourceLanguage": "en", "strings": strings, "version": "1.0"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--done", default="0,0.5,0.9", help="the shares of strings already translated (default 0,0.5,0.9)")
    p.add_argument("--strings", type=int, default=200, help="the catalog's strings, the first test verses (default "
                   "200: the whole test file in one request would pass the service's request timeout)")
    args = p.parse_args()
    verses = verse_pairs(args.test, min_words=6)[0][:args.strings]
    target = args.pair.split("-")[1]
    print(f"{args.test}: {len(verses)} strings, {args.pair}, {args.url}")
    with httpx.Client(timeout=1200) as client:
        for done in map(float, args.done.split(",")):
            sent = catalog(verses, done, target)
            start = time.perf_counter()
            out = json.loads(translated_file(client, args.url, "Localizable.xcstrings", json.dumps(sent).encode(),
                                             args.pair))
            seconds = time.perf_counter() - start
            kept = sum(out["strings"][key] == entry for key, entry in sent["strings"].items() if target in
                       entry["localizations"])
            filled = sum(out["strings"][key]["localizations"][target]["stringUnit"]["state"] == "needs_review"
                         for key, entry in sent["strings"].items() if target not in entry["localizations"])
            owed = sum(target not in entry["localizations"] for entry in sent["strings"].values())
            print(f"done {done:.0%}: {seconds:.1f} s; kept {kept}/{len(verses) - owed}, filled {filled}/{owed}")


if __name__ == "__main__":
    main()
