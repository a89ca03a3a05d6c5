"""`nmt train` on training data that is empty, mis-encoded, misaligned, in one column or huge: exit 2 with one
clear line that counts what was wrong, or (some bad lines among good ones) training with the counts reported."""
from __future__ import annotations

import json

import yaml
from safetensors import SafetensorError

import nmt.model.bundle
from nmt.cli import main
from nmt.scripts.harness import reversal_pairs, write_tsv
from nmt.training.train import one_training_in

TINY = {"src_vocab_size": 40, "tgt_vocab_size": 40, "emb_dim": 8, "enc_hidden": 8, "dec_hidden": 16, "attention": "luong"}


def train(tmp_path, capsys, train_files, dev_file=None, out_dir=None, **train_keys) -> tuple[int, str, str]:
    dev_file = dev_file or write_tsv(tmp_path / "dev.tsv", reversal_pairs(10, 1))
    config = {"out_dir": str(out_dir or tmp_path / "run"), "data": {"train": train_files, "dev": str(dev_file), "max_len": 50},
              "model": TINY, "train": {"max_steps": 2, "eval_every": 2, "threads": 1, **train_keys}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    code = main(["train", str(tmp_path / "c.yaml")])
    out, err = capsys.readouterr()
    return code, out, err


def refused(tmp_path, capsys, train_files, dev_file=None, out_dir=None) -> str:
    code, _, err = train(tmp_path, capsys, train_files, dev_file, out_dir)
    assert code == 2 and err.startswith("nmt train: error: ") and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1
    return err


def test_empty_file(tmp_path, capsys):
    (tmp_path / "train.tsv").write_bytes(b"")
    err = refused(tmp_path, capsys, str(tmp_path / "train.tsv"))
    assert "train.tsv: no usable sentence pairs: 0 sentence pairs" in err


def test_file_that_is_not_utf8(tmp_path, capsys):
    (tmp_path / "train.tsv").write_bytes("alpha beta\tBETA ALPHA\n".encode("utf-16") * 3)
    err = refused(tmp_path, capsys, str(tmp_path / "train.tsv"))
    assert "lines skipped" in err and "not UTF-8" in err and "line 1" in err
    (tmp_path / "train.tsv").write_bytes("alpha beta\tBETA ALPHA\ntau\tTAU\n".encode("utf-16-le"))  # no BOM
    assert "3 lines skipped (3 not UTF-8)" in refused(tmp_path, capsys, str(tmp_path / "train.tsv"))


def test_one_column(tmp_path, capsys):
    (tmp_path / "train.tsv").write_text("alpha beta\ngamma delta\n")
    err = refused(tmp_path, capsys, str(tmp_path / "train.tsv"))
    assert "2 lines skipped (2 expected 2 tab-separated columns, found 1)" in err


def test_empty_dev_file(tmp_path, capsys):
    train_file = write_tsv(tmp_path / "train.tsv", reversal_pairs(50, 0))
    (tmp_path / "dev.tsv").write_text("\n\n")
    err = refused(tmp_path, capsys, str(train_file), tmp_path / "dev.tsv")
    assert "dev.tsv: no usable sentence pairs" in err and "2 lines skipped (2 empty)" in err


def test_out_dir_that_is_or_is_under_a_file(tmp_path, capsys):
    train_file = write_tsv(tmp_path / "train.tsv", reversal_pairs(50, 0))
    (tmp_path / "runs").write_text("a file, not a folder")
    for out_dir in (tmp_path / "runs", tmp_path / "runs" / "first"):
        err = refused(tmp_path, capsys, str(train_file), out_dir=out_dir)
        assert f"{out_dir}: cannot make this directory: {tmp_path / 'runs'} is a file" in err
    assert (tmp_path / "runs").read_text() == "a file, not a folder"


def test_a_run_directory_that_another_training_holds_is_refused_untouched(tmp_path, capsys):
    """Two `nmt train` of one out_dir at once both trained, each overwriting the other's checkpoints and best/."""
    train_file = write_tsv(tmp_path / "train.tsv", reversal_pairs(50, 0))
    with one_training_in(tmp_path / "run"):  # as the other process's run holds it
        err = refused(tmp_path, capsys, str(train_file))
    assert f"{tmp_path / 'run'}: another `nmt train` is running in this run directory" in err
    assert not (tmp_path / "run").exists(), "left as it was: it held nothing, and the lock made it empty"


def test_a_refused_run_leaves_no_empty_run_directory(tmp_path, capsys):
    train_file = write_tsv(tmp_path / "train.tsv", reversal_pairs(50, 0))
    refused(tmp_path, capsys, str(train_file), dev_file=tmp_path / "missing.tsv")
    assert not (tmp_path / "run").exists()


def test_a_disk_that_fills_during_training_is_one_line(tmp_path, capsys, monkeypatch):
    """As safetensors reports it when best/ is written at the first evaluation: it was a traceback."""
    def disk_full(*args, **kwargs):
        raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    monkeypatch.setattr(nmt.model.bundle, "save_file", disk_full)
    code, _, err = train(tmp_path, capsys, str(write_tsv(tmp_path / "train.tsv", reversal_pairs(50, 0))))
    last = err.splitlines()[-1]  # after the epochs' progress bars
    assert code == 2 and "Traceback" not in err and last.startswith("nmt train: error: "), err
    assert f"{tmp_path / 'run' / 'best'}: cannot write the bundle" in last and "No space left on device" in last
    assert not [p for p in (tmp_path / "run").iterdir() if "best" in p.name], "nothing half-written"


def test_a_log_line_cut_short_neither_stops_resume_nor_average(tmp_path, capsys):
    """A kill or a full disk in the middle of an append to log.jsonl left half a JSON line: --resume and `nmt
    average` ended in one line of json's parser (`Unterminated string starting at: ...`) until it was deleted by hand."""
    train_file = str(write_tsv(tmp_path / "train.tsv", reversal_pairs(50, 0)))
    assert train(tmp_path, capsys, train_file, keep_checkpoints=1)[0] == 0
    log = tmp_path / "run" / "log.jsonl"
    whole = log.read_text()
    log.write_text(whole + '{"step": 3, "epoch": 1, "lo')
    assert main(["average", str(tmp_path / "run"), str(tmp_path / "averaged"), "--last", "1"]) == 0
    config = yaml.safe_load((tmp_path / "c.yaml").read_text())
    config["train"]["max_steps"] = 4
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(tmp_path / "c.yaml"), "--resume"]) == 0, capsys.readouterr().err
    records = [json.loads(line) for line in log.read_text().splitlines()]  # every line whole again
    assert log.read_text().startswith(whole) and records[-1]["step"] == 4


def test_a_damaged_line_inside_the_log_is_named_not_dropped(tmp_path, capsys):
    """Any line that did not parse was skipped, and a --resume then rewrote log.jsonl without it: a line damaged
    inside the log (not a cut last append) was lost silently. Now --resume and `nmt average` name it, and the log is
    left as it was."""
    train_file = str(write_tsv(tmp_path / "train.tsv", reversal_pairs(50, 0)))
    assert train(tmp_path, capsys, train_file, keep_checkpoints=1)[0] == 0
    log = tmp_path / "run" / "log.jsonl"
    damaged = "garbage\n" + log.read_text()
    log.write_text(damaged)
    capsys.readouterr()
    assert main(["average", str(tmp_path / "run"), str(tmp_path / "averaged"), "--last", "1"]) == 2
    assert main(["train", str(tmp_path / "c.yaml"), "--resume"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[-2:] == [f"nmt {command}: error: {log}: line 1 is not a record of the training log: 'garbage'"
                           for command in ("average", "train")]
    assert log.read_text() == damaged


def test_a_resume_with_nothing_left_to_train_says_which_key_stopped_it(tmp_path, capsys):
    """A --resume of a finished run trained nothing and said only `done: 2 steps`: not which key to raise."""
    train_file = str(write_tsv(tmp_path / "train.tsv", reversal_pairs(50, 0)))
    code, out, _ = train(tmp_path, capsys, train_file)
    assert code == 0 and "done: 2 steps, stopped by train.max_steps: 2; best dev BLEU" in out
    assert main(["train", str(tmp_path / "c.yaml"), "--resume"]) == 0
    assert "done: 2 steps, stopped by train.max_steps: 2; best dev BLEU" in capsys.readouterr().out


def test_a_resume_with_nothing_left_to_train_counts_what_was_trained(tmp_path, capsys):
    """It said `seen: train.tsv 0 pairs` of a run stopped in its first epoch."""
    train_file = str(write_tsv(tmp_path / "train.tsv", reversal_pairs(200, 0)))
    code, out, _ = train(tmp_path, capsys, train_file, batch_tokens=100)
    seen = [line for line in out.splitlines() if line.startswith("seen: ")]
    assert code == 0 and len(seen) == 1 and not seen[0].endswith(" 0 pairs"), out
    assert main(["train", str(tmp_path / "c.yaml"), "--resume"]) == 0
    assert [line for line in capsys.readouterr().out.splitlines() if line.startswith("seen: ")] == seen


def test_two_corpora_listed_as_a_pair_of_aligned_files_are_refused(tmp_path, capsys):
    """`train: [a.tsv, b.tsv]` is [source, target]: it trained on a's lines as source sentences, b's as their
    translations, without a word said."""
    first = write_tsv(tmp_path / "a.tsv", reversal_pairs(50, 0))
    second = write_tsv(tmp_path / "b.tsv", reversal_pairs(50, 1))
    err = refused(tmp_path, capsys, [str(first), str(second)])
    assert f"{first} + {second}: two files are read as aligned text" in err and f"{{path: {first}}}" in err


def test_aligned_files_of_different_lengths(tmp_path, capsys):
    (tmp_path / "src.txt").write_text("alpha beta\ngamma\ndelta\n")
    (tmp_path / "tgt.txt").write_text("BETA ALPHA\nGAMMA\n")
    err = refused(tmp_path, capsys, [str(tmp_path / "src.txt"), str(tmp_path / "tgt.txt")])
    assert "src.txt has 3 lines but" in err and "tgt.txt has 2" in err


def test_bad_and_huge_lines_among_good_ones_are_counted_and_skipped(tmp_path, capsys):
    good = "".join(f"{s}\t{t}\n" for s, t in reversal_pairs(200, 0)).encode()
    huge = ("alpha " * 200_000 + "\t" + "ALPHA " * 200_000 + "\n").encode()  # 2.4 MB, over max_len
    (tmp_path / "train.tsv").write_bytes(good + b"\xff\xfe\tx\n" + b"only one column\n" + huge + b"\n")
    code, out, err = train(tmp_path, capsys, str(tmp_path / "train.tsv"))
    assert code == 0, err
    assert ("train: 197 sentence pairs, 7 lines skipped (3 duplicate pair, 1 empty, 1 expected 2 tab-separated "
            "columns, found 1, 1 not UTF-8, 1 too long)") in out
    assert "197 training pairs (1 over max_len dropped)" in out
    train_file = tmp_path / "train.tsv"
    for line in (f"{train_file}: line 201: not UTF-8", f"{train_file}: line 202: expected 2 tab-separated columns",
                 f"{train_file}: line 204: empty", f"{train_file}: line 203: too long"):
        assert line in out  # the first few of each kind, with file:line
    skipped = (tmp_path / "run" / "skipped.tsv").read_text().splitlines()
    assert skipped[0] == "file\tline\treason" and len(skipped) == 1 + 7  # all of them, in the run directory
    assert f"{train_file}\t203\ttoo long" in skipped
