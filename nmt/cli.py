"""`nmt`: the command line. Each subcommand is a thin shell over the packages that do the work."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _decode_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, default=None, help="model bundle directory (default: the shipped en-es model)")
    _search_args(p)


def _search_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--beam", type=int, default=5, help="beam size; 1 = greedy (default: 5)")
    p.add_argument("--length-penalty", type=float, default=1.0, help="GNMT length penalty alpha (default: 1.0)")
    p.add_argument("--rerank", type=float, default=0.0, metavar="W", help="rerank each sentence's beam with the "
                   "reverse model, weight W of its score (model/rerank.py; needs --reverse; default: 0, off)")
    p.add_argument("--reverse", type=Path, default=None, metavar="BUNDLE",
                   help="the model of the other direction, for --rerank")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda (default: auto)")
    p.add_argument("--int8", action="store_true", help="int8 dynamic quantization, CPU only (model/quantize.py)")
    p.add_argument("--exact", action="store_true", help="batch-invariant search: each sentence's translation is the "
                   "same in any batch, exactly what `nmt serve --exact` returns for it (slower; model/invariant.py)")
    p.add_argument("--segment-chars", type=int, default=0, metavar="N", help="translate the sentences of a line "
                   "together while they fit in N characters (default: 0, each sentence alone, as `nmt serve`)")


def _glossary_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--glossary", type=Path, default=None, metavar="FILE", help="terms to translate as given: "
                   "source<TAB>target per line (a .csv file: two columns), or a term alone to keep as it is; a sheet "
                   "(also .xlsx, .ods) whose header names languages (en,es,notes); a TBX termbase (.tbx); needs a model with "
                   "placeholders (model/glossary.py)")
    p.add_argument("--glossary-ignore-case", action="store_true", help="match the glossary's source terms in any case")


def _glossary(args):
    """The --glossary file read (refused before a model is loaded); its terms are picked by each model's languages."""
    from nmt.training.glossary import glossary_file

    return None if args.glossary is None else glossary_file(args.glossary, args.glossary_ignore_case)


def _translator(args, model: Path | None):
    from nmt.model.translator import Translator

    if args.rerank and args.reverse is None:
        raise ValueError("--rerank needs --reverse BUNDLE, the model of the other direction")
    if args.reverse is not None and not args.rerank:
        raise ValueError("--reverse is only read by --rerank W; give a weight, or leave --reverse out")
    translator = Translator.load(model, args.device, int8=args.int8, exact=args.exact,
                                 segment_chars=args.segment_chars)
    if args.rerank:
        translator.rerank_with(Translator.load(args.reverse, args.device, int8=args.int8, exact=args.exact))
    return translator


def _pair(text: str) -> tuple[str, str]:
    """A language pair, SRC-TGT (en-es)."""
    source, _, target = text.partition("-")
    if not source or not target or "-" in target:
        raise argparse.ArgumentTypeError(f"{text!r} is not a language pair SRC-TGT, such as en-es")
    return source.lower(), target.lower()


def _reference_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ref", type=Path, default=None, metavar="FILE", help="the references, a line for each line of "
                   "--test, which is then plain text, a source sentence per line (sacrebleu's and WMT's layout)")


def _fp16_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fp16", action="store_true", help="store weights as float16 (loaded back as float32)")


def _options(args):
    from nmt.model.translator import DecodeOptions

    if args.beam < 1:
        raise ValueError("--beam must be at least 1")
    return DecodeOptions(beam_size=args.beam, length_penalty=args.length_penalty, rerank=args.rerank)


def cmd_train(args) -> int:
    from nmt.training.config import load_config
    from nmt.training.train import run_training

    run_training(load_config(args.config), args.config, resume=args.resume)
    return 0


def cmd_prepare(args) -> int:
    from nmt.training.config import load_config
    from nmt.training.prepared import prepare, prune
    from nmt.training.report import report_cleaning

    cfg = load_config(args.config)
    tokenizers = None
    if cfg.train.init_from:  # the run will keep the bundle's subword models
        from nmt.model.bundle import load_bundle
        from nmt.training.train import init_tokenizers

        tokenizers = init_tokenizers(cfg, load_bundle(cfg.train.init_from))
    prepared = prepare(cfg, print, tokenizers)
    corpus = prepared.corpus
    report_cleaning(cfg, corpus, len(corpus), print)
    print(f"prepared {len(corpus):,} pairs in {corpus.clean_dir} (subword ids in {corpus.ids_dir.name}/): "
          f"`nmt train {args.config}` will map them")
    if args.prune:
        prune(cfg, prepared.key, print)
    return 0


def cmd_evaluate(args) -> int:
    from nmt.model.bundle import DEFAULT_BUNDLE
    from nmt.training.evaluate import evaluate, format_report

    options = _options(args)
    report = evaluate(_translator(args, args.model), args.test, options, args.out,
                      model=args.model or DEFAULT_BUNDLE, reference=args.ref)
    print(format_report(report))
    if args.json:
        print(json.dumps(report))
    return 0


def cmd_compare(args) -> int:
    from nmt.training.compare import Sampling, compare_systems, default_seed, format_comparison

    sampling = Sampling(args.resamples, args.trials, default_seed() if args.seed is None else args.seed)

    def translate(model: Path, sources: list[str]) -> list[str]:
        from nmt.training.evaluate import translate_all

        return translate_all(_translator(args, model), sources, _options(args))

    report = compare_systems(args.test, args.a, args.b, translate, sampling, args.beam, args.pair, args.ref)
    print(format_comparison(report))
    if args.json:
        print(json.dumps(report))
    return 0


def cmd_translate(args) -> int:
    from nmt.model.bundle import digest
    from nmt.training.fingerprint import file_hash
    from nmt.training.translate_lines import translate_to

    options, glossary = _options(args), _glossary(args)
    translator = _translator(args, args.model)
    settings = {"model": digest(args.model), "reverse": args.reverse and digest(args.reverse), "beam": args.beam,
                "length_penalty": args.length_penalty, "rerank": args.rerank, "int8": args.int8, "exact": args.exact,
                "segment_chars": args.segment_chars, "glossary": args.glossary and file_hash(args.glossary),
                "glossary_ignore_case": args.glossary_ignore_case}
    count = translate_to(translator, args.input, options, args.out, settings, glossary)
    if args.out is not None:
        print(f"wrote {count:,} lines to {args.out}", file=sys.stderr)
    return 0


def cmd_translate_file(args) -> int:
    import logging

    from nmt.training.translate_file import FileTranslator, Models, expanded

    # A file that cannot be translated is one line (below): pypdf's warnings of a damaged PDF ("invalid pdf header",
    # "EOF marker not found"), which logging's last resort prints, were more lines before it, saying the same.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    sources = expanded(args.files, args.out_dir)
    if args.out is not None and (len(sources) > 1 or any(folder for _, folder in sources)):
        raise ValueError("--out names one file's translation; for several files, or a folder, give --out-dir")
    files = FileTranslator(Models(lambda path: _translator(args, path), args.model), _options(args), _glossary(args),
                           args.out_dir, args.skip_existing)
    failed = 0
    for done, (source, folder) in enumerate(sources):
        try:  # a file that cannot be translated is one line, and the next file is translated
            print(files.translate(source, args.out, folder))
        except ValueError as e:
            print(f"nmt {args.command}: error: {e}", file=sys.stderr)
            failed += 1
        except KeyboardInterrupt:
            print(f"{done} of {len(sources)} files done; --skip-existing continues after them", file=sys.stderr)
            raise
    if failed and len(sources) > 1:
        print(f"nmt {args.command}: {failed} of {len(sources)} files not translated", file=sys.stderr)
    return 2 if failed else 0


def cmd_serve(args) -> int:
    import signal

    import uvicorn

    from nmt.app.main import create_app, log_service_lines
    from nmt.app.protocol import OneWritePerResponse
    from nmt.app.registry import load_translators
    from nmt.app.settings import Settings

    given = {"model": args.model, "models_dir": args.models_dir, "device": args.device,
             "torch_threads": args.workers_threads, "int8": args.int8 or None,
             "exact": args.exact or None, "rerank": args.rerank, "segment_chars": args.segment_chars}
    given = {k: v for k, v in given.items() if v is not None}
    if args.models_dir is not None and args.model is None:  # the flag wins over NMT_MODEL, which wins over any dir
        given["model"] = None
    settings = Settings.load(**given)
    _check_address_free(args.host, args.port)
    log_service_lines(settings.log_level)
    translators = load_translators(settings)  # fail early: a bad bundle, or a model to rerank without its reverse
    # On SIGTERM uvicorn stops accepting, lets in-flight requests finish (for at most request_timeout_s), stops
    # the model thread, then raises SIGTERM again for the handler it found: this one, so that the exit is 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    uvicorn.run(create_app(settings, translators), host=args.host, port=args.port, http=OneWritePerResponse,
                log_level=settings.log_level,
                # uvicorn annotates an int, but waits with asyncio.wait_for(timeout=...), which takes a float
                timeout_graceful_shutdown=settings.request_timeout_s)  # type: ignore[arg-type]
    return 0


def _check_address_free(host: str, port: int) -> None:
    """ValueError, in one line, where uvicorn could not listen (a port in use, a privileged one, an address not this
    machine's). uvicorn binds its port only after the app's startup: a second server loaded its models, logged
    "ready", then failed in three lines and exit 3. The socket is bound as uvicorn binds it, then let go."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: a port in TIME_WAIT is free
        try:
            probe.bind((host, port))
        except (OSError, OverflowError) as e:  # (OverflowError: a port outside 0-65535)
            raise ValueError(f"cannot listen on {host}:{port}: {getattr(e, 'strerror', None) or e}") from None


def cmd_export(args) -> int:
    from nmt.training.export import export_bundle

    export_bundle(args.model, args.out, fp16=args.fp16, report=args.report)
    print(f"wrote {args.out}{' (fp16 weights)' if args.fp16 else ''}")
    return 0


def cmd_ensemble(args) -> int:
    from nmt.training.ensemble import ensemble

    bundle = ensemble(args.sources, args.out, fp16=args.fp16)
    print(f"wrote {args.out}: an ensemble of {len(bundle.members)} networks{' (fp16 weights)' if args.fp16 else ''}")
    return 0


def _steps(text: str) -> list[int]:
    try:
        return [int(n) for n in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of update numbers: {text!r}") from None


def cmd_average(args) -> int:
    from nmt.training.average import average

    if args.last < 1:
        raise ValueError("--last must be at least 1")
    print(f"wrote {args.out}: the mean of the weights of {'; '.join(average(args.sources, args.out, args.last, args.steps))}")
    return 0


def cmd_build_bible(args) -> int:
    from nmt.training.bible import build_bible

    counts = build_bible(args.out)
    for name, lines in counts.items():
        print(f"{name}.tsv: {lines} lines")
    print(f"written to {args.out}, with .refs files and a data card README.md")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nmt", description="Train, evaluate and serve biLSTM-GRU translation models.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add_commands in (_training_commands, _evaluation_commands, _serve_command, _bundle_commands, _data_commands):
        add_commands(sub)
    return parser


def _training_commands(sub) -> None:
    p = sub.add_parser("train", help="train a model from a YAML config", description="Train a model from a YAML config "
                       "(see configs/reference.yaml for every key).")
    p.add_argument("config", type=Path)
    p.add_argument("--resume", action="store_true", help="continue the run in the config's out_dir from its last checkpoint")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("prepare", help="prepare a config's training data ahead of `nmt train`",
                       description="Read, clean, deduplicate and tokenize the training corpora of a config (data.train) "
                       "into flat arrays on disk in the cache (data.cache_dir, default .prepared beside out_dir), "
                       "learning the subword models from a sample first. `nmt train` with the same data, filters and "
                       "vocabulary sizes then starts from them; it prepares by itself when they are missing.")
    p.add_argument("config", type=Path, help="the YAML config that `nmt train` will be given")
    p.add_argument("--prune", action="store_true", help="then remove the cache's earlier versions of these corpus files "
                   "(prepared before they changed, or with other filters), except those a running training maps")
    p.set_defaults(func=cmd_prepare)


def _evaluation_commands(sub) -> None:
    p = sub.add_parser("evaluate", help="BLEU/chrF of a model on a test file", description="Translate a test file "
                       "(TSV source<TAB>reference, or source<TAB>reference<TAB>reference... for several references) "
                       "and score it with sacrebleu, against all references of each line.")
    _decode_args(p)
    p.add_argument("--test", type=Path, required=True,
                   help="test file, TSV: source<TAB>reference, or more reference columns (every line as many as the "
                        "first; multi-reference BLEU/chrF, signature nrefs:N). A line with an empty column is skipped. "
                        "Or a TMX, XLIFF, gettext .po, Qt Linguist .ts, String Catalog .xcstrings, JSON Lines (.jsonl) "
                        "or CSV file (a header naming the languages' columns), read in the model's languages; any of "
                        "them plain, gzip, xz, zstd or bzip2")
    _reference_arg(p)
    p.add_argument("--out", type=Path, default=None, help="directory for hypotheses.txt and report.json")
    p.add_argument("--json", action="store_true", help="print the report as one JSON line at the end")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("compare", help="do two systems differ beyond chance? paired significance tests of BLEU/chrF",
                       description="Score two systems on a test file (TSV source<TAB>reference) with BLEU and chrF, "
                       "each with its 95% confidence interval, and test whether the difference is more than chance "
                       "with sacrebleu's paired bootstrap resampling and paired approximate randomization (p-values). "
                       "A system is a hypothesis file (one line per test pair: what `nmt evaluate --out DIR` writes "
                       "to DIR/hypotheses.txt), such a DIR, or a model bundle, which is translated as `nmt evaluate` "
                       "translates (--beam, --device, ...). The same --seed gives the same figures.")
    _search_args(p)
    p.add_argument("--test", type=Path, required=True, help="test pairs, read as `nmt evaluate --test` reads them: "
                   "TSV with one or more reference columns, or TMX, XLIFF, .po, .ts, .xcstrings, .jsonl, .csv (see "
                   "--pair)")
    _reference_arg(p)
    p.add_argument("a", type=Path, metavar="A", help="the baseline: hypothesis file, `nmt evaluate --out` directory "
                   "or model bundle")
    p.add_argument("b", type=Path, metavar="B", help="the system compared with it, likewise")
    p.add_argument("--pair", type=_pair, default=None, metavar="SRC-TGT", help="the languages to read a TMX, XLIFF, "
                   "gettext, Qt Linguist, String Catalog, JSON Lines or CSV test file in, e.g. es-en, and whose target "
                   "picks BLEU's tokenizer (en-zh: tok:zh) (default: those of a system that is a model, else en-es)")
    p.add_argument("--resamples", type=int, default=1000, help="paired bootstrap resamples (default: 1000)")
    p.add_argument("--trials", type=int, default=10000, help="approximate randomization trials (default: 10000)")
    p.add_argument("--seed", type=int, default=None, help="random seed, at least 1 (default: $SACREBLEU_SEED, "
                   "else sacrebleu's 12345)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON line at the end")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("translate", help="translate lines from stdin or a file", description="Translate one sentence "
                       "per line, from a file (plain, gzip, xz, zstd or bzip2) or stdin, to stdout or --out, read and "
                       "written a window of lines at a time (from stdin, each line that is typed comes out at once).")
    _decode_args(p)
    p.add_argument("input", nargs="?", type=Path, help="input file (default: stdin)")
    _glossary_args(p)
    p.add_argument("--out", type=Path, default=None, metavar="FILE", help="write the translations to FILE, whole or "
                   "not at all: the lines done so far are in FILE.partial, and the same command run again after an "
                   "interruption (Ctrl-C, kill, a crash) continues after them (default: stdout)")
    p.set_defaults(func=cmd_translate)

    p = sub.add_parser("translate-file", help="translate documents (.docx, .pdf, .srt, .html, ...)",
                       description="Translate documents offline, as the service's POST /translate_file does: "
                       "their text translated, their formatting, pictures and layout kept. Formats: .txt .srt .vtt "
                       ".ass .ssa .ttml .dfxp .html .htm .md .markdown .docx .pptx .xlsx .odt .odp .ods .epub .pdf "
                       ".xlf .xliff .po .pot .json .arb .ts .xml (Android, or TTML) .strings .xcstrings .stringsdict .resx "
                       ".properties .yml .yaml .ftl .php (Laravel's), and the templates and macro-enabled files of Office and "
                       "OpenDocument (app/documents.py).")
    p.add_argument("--model", type=Path, default=None, help="model bundle directory (default: of the shipped models, "
                   "the one from the language each file is in: English to Spanish, Spanish to English)")
    _search_args(p)
    _glossary_args(p)
    p.add_argument("files", type=Path, nargs="+", metavar="FILE", help="the documents to translate (a folder: its "
                   "files of these formats, at any depth, their translations in the same places under --out-dir)")
    p.add_argument("--skip-existing", action="store_true", help="leave a file whose translation is there already, "
                   "newer than it: a stopped run continues where it was (another model or glossary is not noticed)")
    p.add_argument("-o", "--out", type=Path, default=None, help="where to write the translation of one FILE "
                   "(default: beside it, the target language before its extension: report.docx -> report.es.docx)")
    p.add_argument("--out-dir", type=Path, default=None, metavar="DIR", help="write the translations there, "
                   "each named as beside its file (report.es.docx)")
    p.set_defaults(func=cmd_translate_file)


def _serve_command(sub) -> None:
    p = sub.add_parser("serve", help="run the translation service (HTTP API and demo page)", description="Serve "
                       "models over HTTP; every setting can also come from NMT_* variables (see app/settings.py).")
    p.add_argument("--model", type=Path, default=None, help="serve this one model bundle (default: NMT_MODEL, "
                   "else every bundle of --models-dir)")
    p.add_argument("--models-dir", type=Path, default=None, help="serve every bundle in this directory, one per "
                   "language pair, in place of NMT_MODEL too (default: NMT_MODELS_DIR, else the bundles shipped in the "
                   "package)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--device", default=None, help="auto | cpu | cuda (default: NMT_DEVICE or auto)")
    p.add_argument("--workers-threads", type=int, default=None, help="torch CPU threads for the model (default: "
                   "NMT_TORCH_THREADS, else torch's choice)")
    p.add_argument("--int8", action="store_true", help="int8 dynamic quantization, CPU only (default: NMT_INT8)")
    p.add_argument("--rerank", type=float, default=None, metavar="W", help="rerank each beam with the served model "
                   "of the other direction, weight W (default: NMT_RERANK or 0, off; a request may choose its own)")
    p.add_argument("--exact", action="store_true", help="batch-invariant search: a sentence's translation does not "
                   "depend on the requests batched with it (slower; default: NMT_EXACT)")
    p.add_argument("--segment-chars", type=int, default=None, metavar="N", help="translate the sentences of a line "
                   "together while they fit in N characters (default: NMT_SEGMENT_CHARS or 0, each alone)")
    p.set_defaults(func=cmd_serve)


def _bundle_commands(sub) -> None:
    p = sub.add_parser("export", help="copy a bundle for release (fp16, with an evaluation report)",
                       description="Verify a bundle and write a copy, optionally with fp16 weights (half the size) "
                       "and an `nmt evaluate --out` report.json in its summary (shown by the service's /v1/models).")
    p.add_argument("model", type=Path, help="bundle to export, e.g. runs/my-model/best")
    p.add_argument("out", type=Path, help="directory to write")
    _fp16_arg(p)
    p.add_argument("--report", type=Path, default=None, help="report.json from `nmt evaluate --out DIR`")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("average", help="average a run's last checkpoints into one bundle",
                       description="Write a bundle whose weights are the mean of the last N weights a run kept "
                       "(train.keep_checkpoints), or of those at --steps, with the config and subword models of "
                       "RUN/best; its summary records the dev scores and training minutes of the last of them. "
                       "With several sources (runs and bundles of one model config and subword models, e.g. a "
                       "bundle and a run that started from it), each counts once: a run as the mean of its kept "
                       "checkpoints, a bundle as its weights.")
    p.add_argument("sources", type=Path, nargs="+", metavar="SOURCE",
                   help="run directory (the config's out_dir), or a bundle to average with the other sources")
    p.add_argument("out", type=Path, help="directory to write the bundle to")
    p.add_argument("--last", type=int, default=5, help="how many of the last kept checkpoints (default: 5)")
    p.add_argument("--steps", type=_steps, default=None, metavar="N,N,...",
                   help="these kept checkpoints instead of the last ones (one of them: that checkpoint as a bundle)")
    p.set_defaults(func=cmd_average)

    p = sub.add_parser("ensemble", help="one bundle that translates with several bundles' networks together",
                       description="Write a bundle that translates with the mean next-token distribution of the "
                       "networks of several bundles of one language pair and the same subword models and layer sizes "
                       "(e.g. one config trained with other seeds). It is evaluated, compared and served like any "
                       "bundle; each network adds its decoder step to every token's cost.")
    p.add_argument("sources", type=Path, nargs="+", metavar="BUNDLE", help="bundles to ensemble (two or more)")
    p.add_argument("out", type=Path, help="directory to write the bundle to")
    _fp16_arg(p)
    p.set_defaults(func=cmd_ensemble)


def _data_commands(sub) -> None:
    from nmt.training.bible import DESCRIPTION  # light: no torch

    p = sub.add_parser("build-bible", help="rebuild the default en-es/es-en Bible corpora from Debian's SWORD modules",
                       description=DESCRIPTION)
    p.add_argument("--out", type=Path, default=Path("data/bible"), metavar="DIR",
                   help="output directory (default: data/bible)")
    p.set_defaults(func=cmd_build_bible)


def main(argv: list[str] | None = None) -> int:
    command = ""
    try:  # around the imports too (the parser's help texts import torch): Ctrl-C while it loads is this one line
        args = build_parser().parse_args(argv)
        command = args.command
        with _sigterm_interrupts(command in ("prepare", "train", "translate", "translate-file")):
            code = _run(args)
    except KeyboardInterrupt:
        print(f"nmt {command}: interrupted" if command else "nmt: interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        code = _output_closed()
    if command == "train":  # a torchrun job's process ends here, without finalization (why: its docstring)
        from nmt.training.torchrun import end_torchrun_process
        end_torchrun_process(code)
    return code


def _output_closed() -> int:
    """The exit code of a command whose standard output was closed by its reader (`nmt compare ... | head -3`): quietly
    141, as a shell reports a program that SIGPIPE ended (Python ignores that signal, and the write raised a
    traceback). Python flushes stdout again at exit: pointed at /dev/null, that flush cannot fail too."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)
    return 128 + signal.SIGPIPE


def _run(args) -> int:
    """The command's exit code: 2 with one line for bad input."""
    from nmt.model.bundle_error import BundleError  # light: no torch (`nmt prepare` loads none)
    from nmt.training.bible import BibleError
    from nmt.training.config import ConfigError
    from nmt.training.corpus import CorpusError
    from nmt.training.pool import WorkerDied

    try:
        return args.func(args)
    except (BibleError, BundleError, ConfigError, CorpusError, FileExistsError, FileNotFoundError, ValueError,
            WorkerDied) as e:
        print(f"nmt {args.command}: error: {e}", file=sys.stderr)
        return 2


@contextmanager
def _sigterm_interrupts(enabled: bool) -> Iterator[None]:
    """SIGTERM (kill, timeout, docker stop) raises KeyboardInterrupt, as Ctrl-C does: by default it ends the process
    at once, and preparation's worker processes were left waiting forever, its half-written directory in the cache;
    `nmt translate --out` says where its finished lines are. Training sets its own handler around its steps
    (train.py's stop_on_signals). Not in a torchrun job, whose ranks torchrun stops with SIGTERM, nor in the main
    thread's absence (signal handlers can only be set there)."""
    if enabled:
        from nmt.training.torchrun import torchrun_world_size  # light: no torch

        enabled = torchrun_world_size() == 1 and threading.current_thread() is threading.main_thread()
    if not enabled:
        yield
        return
    before = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


if __name__ == "__main__":
    sys.exit(main())
