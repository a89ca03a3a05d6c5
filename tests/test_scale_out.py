"""Replicas behind HAProxy (deploy/haproxy.cfg, scripts/scale_out.py): the config is valid as the compose profile
and the proof script fill it in, and a replica SIGKILLed under load costs no request. Skipped without haproxy
(Debian: apt-get install haproxy; .ci/run installs it)."""
from __future__ import annotations

import os
import subprocess

import pytest

from nmt.scripts import scale_out
from nmt.scripts.balancer import CONFIG, haproxy_binary

pytestmark = pytest.mark.skipif(haproxy_binary() is None, reason="haproxy is not installed")


@pytest.mark.parametrize("env", [
    {},  # the compose profile: servers nmt-1..3 by name (unresolvable here: haproxy disables them and says so)
    {"NMT_REPLICA_1": "127.0.0.1:18101", "NMT_REPLICA_2": "127.0.0.1:18102", "NMT_REPLICA_3": "127.0.0.1:18103",
     "NMT_LB_BIND": "127.0.0.1:18100"},  # scale_out.py's plain processes
])
def test_config_is_valid(env, tmp_path):
    env = os.environ | {"NMT_LB_STATS_SOCKET": str(tmp_path / "s.sock")} | env
    done = subprocess.run([haproxy_binary(), "-c", "-f", str(CONFIG)], capture_output=True, text=True, env=env,
                          timeout=30)
    assert done.returncode == 0 and "Configuration file is valid" in done.stdout, done.stdout + done.stderr


@pytest.mark.slow
def test_sigkill_under_load_loses_nothing(toy_model, toy_corpus, tmp_path, capsys):
    code = scale_out.main(["--model", str(toy_model), "--test", str(toy_corpus["dev"]), "--clients", "4",
                           "--seconds", "6", "--kill-at", "0.3", "--down-s", "0.5", "--after-s", "3",
                           "--work", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    sent = int(out.split("requests: sent ")[1].split(",")[0])
    assert sent > 20 and f"answered {sent}, failed 0" in out, out
    assert out.count("| UP") == 3 and "first request after" in out, out
