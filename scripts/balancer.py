"""HAProxy as a plain process in front of replicas on 127.0.0.1, configured by deploy/haproxy.cfg (the same file the
compose profile uses; the environment points it at these ports), and read through its stats socket.

    with Balancer(["127.0.0.1:8001", ...], work_dir) as lb:    # waits until every replica is UP
        lb.url, lb.servers()                                     # {"nmt-1": ServerStats(...), ...}
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from nmt.scripts.harness import free_port

CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "haproxy.cfg"
BACKEND = "replicas"


def haproxy_binary() -> str | None:
    """haproxy on PATH or where Debian puts it (/usr/sbin, not on every user's PATH)."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


@dataclass(frozen=True)
class ServerStats:
    """One row of `show stat` (the fields this project reads; see HAProxy's management guide, 9.1)."""

    status: str  # UP, DOWN, "UP 1/2" (going down), "DOWN 1/2" (coming up), MAINT, no check
    sessions: int  # stot: requests sent to it (HTTP mode: one per request)
    answered_2xx: int  # hrsp_2xx
    retries: int  # wretr: requests retried on another connection
    redispatches: int  # wredis: requests moved to another server

    @classmethod
    def of(cls, row: dict[str, str]) -> ServerStats:
        number = lambda key: int(row.get(key) or 0)
        return cls(row["status"], number("stot"), number("hrsp_2xx"), number("wretr"), number("wredis"))


class Balancer:
    def __init__(self, replicas: list[str], work: Path, config: Path = CONFIG):
        binary = haproxy_binary()
        if binary is None:
            raise FileNotFoundError("haproxy is not installed (Debian: apt-get install haproxy)")
        if len(replicas) != 3:
            raise ValueError(f"{config.name} names 3 servers, not {len(replicas)}")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.socket_path = work / f"haproxy-{self.port}.sock"
        self.log_path = work / f"haproxy-{self.port}.log"
        env = {"NMT_LB_BIND": f"127.0.0.1:{self.port}", "NMT_LB_STATS_SOCKET": str(self.socket_path)}
        env |= {f"NMT_REPLICA_{i}": address for i, address in enumerate(replicas, 1)}
        work.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:  # -db: stay in the foreground, so that this process owns it
            self.proc = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                         env=os.environ | env)

    def __enter__(self) -> Balancer:
        try:
            self.wait_up(60)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stats(self) -> list[dict[str, str]]:
        """`show stat` as CSV rows, one per frontend, server and backend."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.socket_path))
            s.sendall(b"show stat\n")
            data = b"".join(iter(lambda: s.recv(65536), b""))
        return list(csv.DictReader(io.StringIO(data.decode().lstrip("# "))))

    def servers(self) -> dict[str, ServerStats]:
        return {row["svname"]: ServerStats.of(row) for row in self.stats()
                if row["pxname"] == BACKEND and row["svname"] not in ("BACKEND", "FRONTEND")}

    def wait_up(self, timeout: float, names: list[str] | None = None) -> float:
        """Seconds until every server (or those named) is UP."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"haproxy exited with {self.proc.returncode}:\n{self.log_path.read_text()}")
            try:
                servers = self.servers()
                if all(servers[n].status == "UP" for n in (names or servers)):
                    return time.monotonic() - start
            except OSError:  # the socket is not there yet
                pass
            time.sleep(0.1)
        raise RuntimeError(f"haproxy's servers not all UP after {timeout} s:\n{self.log_path.read_text()}")

    def unfinished(self) -> list[str]:
        """The request lines of haproxy's log (`option httplog`) whose termination state is not "----": a request
        that a side aborted, timed out or that haproxy refused. The state's letters are in HAProxy's configuration
        manual, 8.5 ("SD": the server aborted while sending its data)."""
        def state(line: str) -> str | None:
            fields = line.split()  # client [date] frontend backend/server timers status bytes - - STATE ...
            return fields[9] if len(fields) > 10 and fields[1].startswith("[") and '"' in line else None

        lines = self.log_path.read_text(errors="replace").splitlines()
        return [line for line in lines if state(line) not in (None, "----")]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.socket_path.unlink(missing_ok=True)
