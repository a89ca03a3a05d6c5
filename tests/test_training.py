"""Training end to end on a toy task, exact resume, and the command line around it."""
from __future__ import annotations

import json

import pytest
import torch
import yaml

from nmt.cli import main
from nmt.model.bundle import load_bundle, save_bundle
from nmt.model.translator import DecodeOptions, Translator
from nmt.training.checkpoint import load_checkpoint
from nmt.training.config import load_config
from nmt.training.train import record_config, run_training


def write_config(path, corpus, out_dir, **train):
    cfg = {
        "out_dir": str(out_dir),
        "data": {"train": str(corpus["train"]), "dev": str(corpus["dev"])},
        "model": {"src_vocab_size": 60, "tgt_vocab_size": 60, "emb_dim": 64, "enc_hidden": 64, "dec_hidden": 128,
                  "attention": "luong", "dropout": 0.1, "word_dropout": 0.0},
        "train": {"batch_tokens": 1500, "lr": 0.003, "warmup_steps": 50, "eval_every": 40, "threads": 2} | train,
    }
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_training_learns_reversal(toy_corpus, tmp_path, capsys):
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_epochs=10)
    assert main(["train", str(config)]) == 0
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    bleus = [r["dev_bleu"] for r in log if "dev_bleu" in r]
    assert bleus[-1] > 80 and bleus[-1] > bleus[0], bleus
    assert (tmp_path / "run" / "training.png").stat().st_size > 1000
    translator = Translator.load(tmp_path / "run" / "best", "cpu")
    out = translator.translate(["alpha beta gamma", "tau mu"], DecodeOptions(beam_size=5))
    assert [t.text for t in out] == ["GAMMA BETA ALPHA", "MU TAU"]
    assert main(["evaluate", "--model", str(tmp_path / "run" / "best"), "--test", str(toy_corpus["dev"]), "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["bleu"] > 80 and report["sentences"] == 100 and "13a" in report["signature"]


def test_resume_continues_exactly(toy_corpus, tmp_path):
    straight = write_config(tmp_path / "a.yaml", toy_corpus, tmp_path / "a", max_steps=60, eval_every=20)
    run_training(load_config(straight))
    halves = write_config(tmp_path / "b.yaml", toy_corpus, tmp_path / "b", max_steps=40, eval_every=20)
    run_training(load_config(halves))
    write_config(tmp_path / "b.yaml", toy_corpus, tmp_path / "b", max_steps=60, eval_every=20)
    with open(tmp_path / "b" / "log.jsonl", "a") as log:  # a step trained after the checkpoint, then lost
        log.write(json.dumps({"step": 50, "epoch": 9, "loss": 9.9}) + "\n")
    progress = run_training(load_config(halves), resume=True)
    assert progress.step == 60
    records = [json.loads(line) for line in (tmp_path / "b" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if "loss" in r] == [50], "the lost step's record is dropped on resume"
    a = load_checkpoint(tmp_path / "a" / "checkpoints" / "last.pt")
    b = load_checkpoint(tmp_path / "b" / "checkpoints" / "last.pt")
    for name in a["model"]:
        assert torch.equal(a["model"][name], b["model"][name]), name


def test_a_run_stopped_off_the_evaluation_grid_resumes_with_the_schedule_of_one_run(toy_corpus, tmp_path, capsys):
    """The evaluation where a leg stops (step 30, off the every-20 grid) is logged but spends no patience and lowers
    no rate. A learning rate too small to learn keeps the dev BLEU flat, so every evaluation after the first is flat."""
    flat = {"lr": 1e-9, "min_lr": 1e-12, "warmup_steps": 0, "eval_every": 20, "patience": 10}
    straight = write_config(tmp_path / "a.yaml", toy_corpus, tmp_path / "a", max_steps=60, **flat)
    run_training(load_config(straight))
    legs = write_config(tmp_path / "b.yaml", toy_corpus, tmp_path / "b", max_steps=30, **flat)
    run_training(load_config(legs), legs)
    first_leg = legs.read_text()
    write_config(tmp_path / "b.yaml", toy_corpus, tmp_path / "b", max_steps=60, **flat)
    capsys.readouterr()
    run_training(load_config(legs), legs, resume=True)
    assert "learning rate 1.00e-09, best dev BLEU 0.00, 0 of 10 evaluations of patience spent" in capsys.readouterr().out
    a, b = (load_checkpoint(tmp_path / run / "checkpoints" / "last.pt")["progress"] for run in "ab")
    assert (b["lr_scale"], b["bad_evals"]) == (a["lr_scale"], a["bad_evals"]) == (0.25, 2)
    records = [json.loads(line) for line in (tmp_path / "b" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if "dev_bleu" in r] == [20, 30, 40, 60]
    # the run directory keeps each leg's config, the last as config.yaml
    assert (tmp_path / "b" / "config.yaml").read_text() == legs.read_text() != first_leg
    assert (tmp_path / "b" / "config.1.yaml").read_text() == first_leg
    record_config(legs, tmp_path / "b", resume=True)  # a --resume with the same config keeps no copy of it
    assert sorted(p.name for p in (tmp_path / "b").glob("config*.yaml")) == ["config.1.yaml", "config.yaml"]


def test_existing_run_needs_resume_flag(toy_corpus, tmp_path, capsys):
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=5)
    assert main(["train", str(config)]) == 0
    assert main(["train", str(config)]) == 2
    assert "--resume" in capsys.readouterr().err


def refused_resume(config, changed: dict, capsys) -> str:
    """`nmt train config --resume` with the config rewritten as changed: refused (exit 2); what it said on stderr."""
    config.write_text(yaml.safe_dump(changed))
    capsys.readouterr()
    assert main(["train", str(config), "--resume"]) == 2
    return capsys.readouterr().err


def test_resume_refuses_another_network_and_leaves_the_run_as_it_was(toy_corpus, tmp_path, capsys):
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=5)
    assert main(["train", str(config)]) == 0
    recorded = config.read_text()
    changed = yaml.safe_load(recorded)
    changed["model"] |= {"emb_dim": 32, "src_vocab_size": 50, "dropout": 0.2}  # dropout is the training's own
    changed["train"]["max_steps"] = 10
    err = refused_resume(config, changed, capsys)
    assert err == (f"nmt train: error: --resume: the run in {tmp_path / 'run'} was trained with another network "
                   "(model.src_vocab_size: 60 then, 50 now; model.emb_dim: 64 then, 32 now); restore these keys, "
                   "or start a new run in another out_dir\n"), err
    assert (tmp_path / "run" / "config.yaml").read_text() == recorded
    assert not list((tmp_path / "run").glob("config.*.yaml"))


def files_of(run_dir):
    return {path: path.read_bytes() for path in sorted(run_dir.rglob("*")) if path.is_file()}


def test_resume_refuses_data_and_train_keys_the_run_keeps_and_leaves_it_byte_identical(toy_corpus, tmp_path, capsys):
    """Its subword models, prepared corpus, optimizer and epoch plan are the run's own: a change to the keys that
    made them could not take effect, and is refused naming each, old and new value."""
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=5)
    assert main(["train", str(config)]) == 0
    before = files_of(tmp_path / "run")
    changed = yaml.safe_load(config.read_text())
    changed["data"] |= {"train": [{"path": str(toy_corpus["train"]), "weight": 2}], "spm_sample": 500, "spm_seed": 3,
                        "filters": {"identical": False}, "subwords_from": str(tmp_path / "run" / "best")}
    changed["train"] |= {"batch_tokens": 3000, "optimizer": "rmsprop", "weight_decay": 0.01, "max_steps": 10}
    err = refused_resume(config, changed, capsys)
    assert err == (f"nmt train: error: --resume: the run in {tmp_path / 'run'} keeps its subword models, prepared "
                   "corpus, optimizer and epoch plan, so these changes cannot take effect (data.train.weight: [1.0] "
                   "then, [2.0] now; data.filters.identical: True then, False now; data.spm_sample: 100000 then, 500 "
                   f"now; data.spm_seed: None then, 3 now; data.subwords_from: None then, {tmp_path / 'run' / 'best'} "
                   "now; train.batch_tokens: 1500 then, 3000 now; train.optimizer: adam then, rmsprop now; "
                   "train.weight_decay: 0.0 then, 0.01 now); restore these keys, or start a new run in another out_dir "
                   "(train.init_from: this run's best/, to start from its weights)\n"), err
    assert files_of(tmp_path / "run") == before


def test_resume_takes_the_changes_that_take_effect_and_says_so(toy_corpus, tmp_path, capsys):
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=5)
    assert main(["train", str(config)]) == 0
    write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=8, patience=3, lr=0.001)
    capsys.readouterr()
    assert main(["train", str(config), "--resume"]) == 0
    out = capsys.readouterr().out
    assert ("changed since the last leg, in effect from step 5: train.lr: 0.003 then, 0.001 now; train.max_steps: 5 "
            "then, 8 now; train.patience: 8 then, 3 now\n") in out, out
    assert "0 of 3 evaluations of patience spent" in out
    assert load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")["progress"]["step"] == 8


@pytest.mark.parametrize("content, message", [("out_dir: x\ndata: {train: a}\n", "dev"),
                                              ("out_dir: [unclosed\n", "YAML"),
                                              ("out_dir: x\ndata: {train: a, dev: b}\nmodel: {attention: magic}\n",
                                               "attention")])
def test_bad_config_is_a_clear_error(tmp_path, capsys, content, message):
    (tmp_path / "c.yaml").write_text(content)
    assert main(["train", str(tmp_path / "c.yaml")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_model_is_a_clear_error(tmp_path, capsys):
    assert main(["translate", "--model", str(tmp_path / "none"), str(tmp_path / "in.txt")]) == 2
    assert "no model bundle" in capsys.readouterr().err


def test_aligned_plain_text_files_train_too(toy_corpus, tmp_path):
    pairs = [line.split("\t") for line in toy_corpus["train"].read_text().splitlines()]
    (tmp_path / "train.src").write_text("".join(s + "\n" for s, _ in pairs))
    (tmp_path / "train.tgt").write_text("".join(t + "\n" for _, t in pairs))
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=5)
    raw = yaml.safe_load(config.read_text())
    raw["data"]["train"] = [str(tmp_path / "train.src"), str(tmp_path / "train.tgt")]
    config.write_text(yaml.safe_dump(raw))
    assert run_training(load_config(config)).step == 5


def test_learning_rate_decays_once_every_lr_patience_flat_evaluations():
    from nmt.training.config import TrainConfig
    from nmt.training.trainer import decayed

    every = TrainConfig(lr=1e-3, lr_decay=0.5, min_lr=1e-4)
    assert [decayed(1.0, n, every) for n in (1, 2)] == [0.5, 0.5]
    gentle = TrainConfig(lr=1e-3, lr_decay=0.5, min_lr=1e-4, lr_patience=2)
    assert [decayed(1.0, n, gentle) for n in (1, 2, 3, 4)] == [1.0, 0.5, 1.0, 0.5]
    assert decayed(0.15, 2, gentle) == pytest.approx(0.1)  # min_lr / lr


def test_kept_checkpoints_average_into_a_bundle(toy_corpus, tmp_path, capsys):
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=60, eval_every=20,
                          keep_checkpoints=2)
    run_training(load_config(config))
    kept = sorted(p.name for p in (tmp_path / "run" / "checkpoints").glob("step-*.pt"))
    assert kept == ["step-40.pt", "step-60.pt"], "only the last keep_checkpoints weights stay"
    assert main(["average", str(tmp_path / "run"), str(tmp_path / "avg"), "--last", "2"]) == 0
    assert "steps 40, 60" in capsys.readouterr().out
    averaged = load_bundle(tmp_path / "avg")
    a, b = (load_checkpoint(tmp_path / "run" / "checkpoints" / f"step-{n}.pt") for n in (40, 60))
    for name, value in averaged.model.state_dict().items():
        torch.testing.assert_close(value, (a[name] + b[name]) / 2)
    assert averaged.summary["averaged_steps"] == [40, 60]
    assert main(["average", str(tmp_path / "run" / "best"), str(tmp_path / "x")]) == 2
    assert "keep_checkpoints" in capsys.readouterr().err


def test_a_bundle_and_a_run_average_into_one_bundle(toy_corpus, tiny_bundle, tmp_path, capsys):
    """Several sources count once each: a run as the mean of its kept checkpoints, a bundle as its weights; the
    summary names them and keeps no score of the first; another model is refused in one line."""
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=60, eval_every=20,
                          keep_checkpoints=2)
    run_training(load_config(config))
    best, run = tmp_path / "run" / "best", tmp_path / "run"
    assert main(["average", str(best), str(run), str(tmp_path / "mix"), "--last", "2"]) == 0
    assert f"of {best}; {run} at steps 40, 60" in capsys.readouterr().out
    mixed, b = load_bundle(tmp_path / "mix"), load_bundle(best).model.state_dict()
    c40, c60 = (load_checkpoint(run / "checkpoints" / f"step-{n}.pt") for n in (40, 60))
    for name, value in mixed.model.state_dict().items():
        torch.testing.assert_close(value, (b[name] + (c40[name] + c60[name]) / 2) / 2)
    assert mixed.summary == {"parameters": load_bundle(best).summary["parameters"],
                             "averaged": [str(best), f"{run} at steps 40, 60"]}
    save_bundle(tiny_bundle, other := tmp_path / "other")
    assert main(["average", str(run), str(other), str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert f"{other}: another model config or other subword models than {run}" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "bad").exists()


def test_one_kept_checkpoint_becomes_a_bundle_with_its_own_dev_scores(toy_corpus, tmp_path, capsys):
    """--steps picks kept checkpoints; the summary's step, dev scores and minutes are the log's at the last of
    them, not the best checkpoint's."""
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=60, eval_every=20,
                          keep_checkpoints=2)
    run_training(load_config(config))
    assert main(["average", str(tmp_path / "run"), str(tmp_path / "one"), "--steps", "40"]) == 0
    one = load_bundle(tmp_path / "one")
    weights = load_checkpoint(tmp_path / "run" / "checkpoints" / "step-40.pt")
    for name, value in one.model.state_dict().items():
        torch.testing.assert_close(value, weights[name].float())
    logged = next(json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()
                  if '"dev_bleu"' in line and json.loads(line)["step"] == 40)
    assert one.summary["step"] == 40 and one.summary["averaged_steps"] == [40]
    assert one.summary["dev"] == {"bleu": logged["dev_bleu"], "chrf": logged["dev_chrf"]}
    assert one.summary["train_minutes"] == round(logged["minutes"], 1)
    capsys.readouterr()
    assert main(["average", str(tmp_path / "run"), str(tmp_path / "x"), "--steps", "20"]) == 2
    assert "no weights of step 20 (kept: 40, 60)" in capsys.readouterr().err


def test_init_from_starts_at_a_bundles_weights_and_subwords(toy_corpus, tmp_path, capsys):
    first = write_config(tmp_path / "a.yaml", toy_corpus, tmp_path / "a", max_steps=40, eval_every=20)
    run_training(load_config(first))
    start = tmp_path / "a" / "best"
    # a learning rate too small to move the weights: the second run's best is the bundle it started from
    second = write_config(tmp_path / "b.yaml", toy_corpus, tmp_path / "b", max_steps=20, eval_every=20,
                          lr=1e-12, warmup_steps=0, init_from=str(start))
    run_training(load_config(second))
    for name in ("src.spm", "tgt.spm"):
        assert (tmp_path / "b" / name).read_bytes() == (start / name).read_bytes()
    before, after = load_bundle(start).model.state_dict(), load_bundle(tmp_path / "b" / "best").model.state_dict()
    for name in before:
        torch.testing.assert_close(after[name], before[name])
    partner = write_config(tmp_path / "p.yaml", toy_corpus, tmp_path / "p", max_steps=20, eval_every=20, seed=2)
    raw = yaml.safe_load(partner.read_text())
    raw["data"] |= {"subwords_from": str(start), "spm_sample": 30}  # a sample that would learn other subwords
    partner.write_text(yaml.safe_dump(raw))
    run_training(load_config(partner))  # its own weights, the bundle's subword models: an ensemble partner
    for name in ("src.spm", "tgt.spm"):
        assert (tmp_path / "p" / name).read_bytes() == (start / name).read_bytes()
    assert not torch.equal(load_bundle(tmp_path / "p" / "best").model.state_dict()["encoder.embed.weight"],
                           before["encoder.embed.weight"])
    raw["train"]["init_from"] = str(start)
    partner.write_text(yaml.safe_dump(raw))
    assert main(["train", str(partner)]) == 2
    assert "data.subwords_from and train.init_from both given" in capsys.readouterr().err
    other = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "c", max_steps=20, init_from=str(start))
    raw = yaml.safe_load(other.read_text())
    raw["model"]["enc_hidden"] = 32
    other.write_text(yaml.safe_dump(raw))
    assert main(["train", str(other)]) == 2
    err = capsys.readouterr().err
    assert "another network" in err and "enc_hidden: 64 there, 32 here" in err and "Traceback" not in err
