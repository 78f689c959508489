#!/usr/bin/env python3
"""Load test of supercheck's HTTP frontend: many requests over many connections.

Starts a real supervisord (PyPI `supervisor`) with a fleet of demo services and the
listener under test serving `--listen 127.0.0.1:PORT`, waits for its frontend, then
runs `wrk` (Debian's package) against `/health`, `/metrics` and `/` in turn:

    wrk -t2 -c<connections> -d<seconds>s --latency http://127.0.0.1:PORT<path>

and records, per path: requests completed (at least --min-requests, or the run
fails), requests per second, latency p50/p99/max, socket errors and non-2xx
replies, and the listener's VmRSS before and after (VmHWM at the end). The
`/health` round runs twice so that "memory stays flat" is a measured claim: the
RSS after the second round is compared with the RSS after the first.

Everything listens on 127.0.0.1 or a unix socket in a temp dir; every wait has a
deadline; supervisord is stopped by pid; the temp dir is removed.

Usage:
    python3 benches/load_frontend.py                 # 100 connections, 10 s per path
    python3 benches/load_frontend.py --seconds 5 --no-write
    python3 benches/load_frontend.py --target serve  # `supercheck serve` instead
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["/health", "/metrics", "/", "/health"]


def log(msg: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, deadline_s: float, probe) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            if probe():
                return
        except (OSError, xmlrpc.client.Error):
            pass
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def status_of(port: int, path: str) -> int:
    conn = HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def rss_kib(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def make_connection(self, host):
        conn = HTTPConnection("localhost", timeout=5)
        conn.connect = lambda: self._connect(conn)
        return conn

    def _connect(self, conn):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(5)
        sock.connect(self.path)
        conn.sock = sock


def build(binary: Path) -> None:
    if binary.exists():
        return
    log("building the release binary")
    subprocess.run(["cargo", "build", "--release", "-p", "supercheck"], cwd=ROOT, check=True)


def start_supervisord(tmp: Path, binary: Path, fleet: int, frontend_port: int, target: str):
    base = free_port()
    programs = ""
    for i in range(fleet):
        port = free_port() if i else base
        programs += (
            f"[program:web_{i}]\ncommand={binary} demo-service --port {port} "
            f"--mode-file {tmp}/web_{i}.mode\nprocess_name=web_{port}\nstartsecs=0\n"
            f"stdout_logfile={tmp}/web_{i}.out\nstderr_logfile={tmp}/web_{i}.err\n\n"
        )
    group = "[group:web]\nprograms=" + ",".join(f"web_{i}" for i in range(fleet)) + "\n\n"
    if target == "listener":
        under_test = (
            "[eventlistener:check]\n"
            f"command={binary} http -g web -n web_check -u /ping -t 2 -r 0 -p \".+_(\\d+)\" "
            f"--listen 127.0.0.1:{frontend_port} --http-max-connections 256\n"
            "events=TICK_5\n"
        )
    else:
        under_test = (
            "[program:check]\n"
            f"command={binary} serve --bind_addr 127.0.0.1 --port {frontend_port} "
            f"--state-dir {tmp}/state --no-mdns\nstartsecs=0\n"
        )
    under_test += f"stdout_logfile={tmp}/check.out\nstderr_logfile={tmp}/check.err\n\n"
    sock = tmp / "supervisor.sock"
    conf = tmp / "supervisord.conf"
    conf.write_text(
        f"[unix_http_server]\nfile={sock}\n\n"
        f"[supervisord]\nlogfile={tmp}/supervisord.log\npidfile={tmp}/supervisord.pid\n"
        f"childlogdir={tmp}\nnodaemon=true\n\n"
        "[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
        f"[supervisorctl]\nserverurl=unix://{sock}\n\n" + programs + group + under_test
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "supervisor.supervisord", "-n", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rpc = xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport(str(sock)))
    return proc, rpc, base


def register_monitors(port: int, demo_port: int, count: int) -> None:
    """Registers `count` monitors with `supercheck serve`, all on one demo service."""
    import json

    for i in range(count):
        body = json.dumps(
            {
                "name": f"m{i}",
                "url": f"http://127.0.0.1:{demo_port}/ping",
                "timeout_s": 2,
                "interval_s": 5,
                "unhealthy_threshold": 2,
                "healthy_threshold": 2,
            }
        )
        conn = HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("POST", "/v1/monitors", body, {"Content-Type": "application/json"})
        status = conn.getresponse().status
        conn.close()
        if status not in (200, 201):
            raise SystemExit(f"registering monitor m{i}: HTTP {status}")


def ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, connections: int, seconds: int) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    result = {"command": " ".join(cmd), "raw": out}
    m = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    result["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    result["rps"] = float(m.group(1)) if m else 0.0
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        result[f"p{pct}_ms"] = ms(m.group(1)) if m else float("nan")
    m = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out)
    result["max_ms"] = ms(m.group(1)) if m else float("nan")
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = sum(int(g) for g in m.groups()) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(m.group(1)) if m else 0
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=["listener", "serve"], default="listener")
    ap.add_argument("--binary", type=Path, default=ROOT / "target/release/supercheck")
    ap.add_argument("--fleet", type=int, default=10, help="demo services (listener) or monitors (serve)")
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--seconds", type=int, default=10, help="wrk duration per path")
    ap.add_argument("--min-requests", type=int, default=10_000)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benches/load_frontend.md")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    build(args.binary)
    tmp = Path(tempfile.mkdtemp(prefix="supercheck-load-"))
    port = free_port()
    proc, rpc, demo_port = start_supervisord(tmp, args.binary, args.fleet, port, args.target)
    rows = []
    try:
        wait_until("supervisord", 20, lambda: rpc.supervisor.getState()["statename"] == "RUNNING")
        wait_until("the frontend", 30, lambda: status_of(port, "/health") in (200, 503))
        pid = rpc.supervisor.getProcessInfo("check")["pid"]
        if args.target == "serve":
            register_monitors(port, demo_port, args.fleet)
        time.sleep(6)  # one tick (or probe round), so every page has content
        before = rss_kib(pid)
        log(f"{args.target} pid {pid}: VmRSS {before['VmRSS']} KiB before")
        first_health_after = None
        for path in PATHS:
            log(f"wrk {path}")
            result = run_wrk(f"http://127.0.0.1:{port}{path}", args.connections, args.seconds)
            result["path"] = path
            result["rss_after_kib"] = rss_kib(pid)["VmRSS"]
            if path == "/health" and first_health_after is None:
                first_health_after = result["rss_after_kib"]
            rows.append(result)
            if result["requests"] < args.min_requests:
                raise SystemExit(f"{path}: only {result['requests']} requests completed\n{result['raw']}")
        end = rss_kib(pid)
        alive = proc.poll() is None and rpc.supervisor.getProcessInfo("check")["pid"] == pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    lines = [
        f"## {args.target}: {args.connections} connections, {args.seconds} s per path, {when}",
        "",
        f"- machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}; load average before: "
        f"{os.getloadavg()[0]:.2f}",
        f"- supercheck commit {commit}, binary `{args.binary.relative_to(ROOT) if args.binary.is_relative_to(ROOT) else args.binary}`; "
        f"fleet {args.fleet}; wrk and the server share the machine's cores",
        f"- `{rows[0]['command'].replace(str(port), 'PORT')}` (and the same for each path)",
        f"- VmRSS before: {before['VmRSS']} KiB; after all rounds: {end['VmRSS']} KiB; VmHWM: {end['VmHWM']} KiB; "
        f"second /health round vs first: {rows[-1]['rss_after_kib'] - (first_health_after or 0):+d} KiB; "
        f"same process alive at the end: {'yes' if alive else 'NO'}",
        "",
        "| path | requests | req/s | p50 (ms) | p99 (ms) | max (ms) | socket errors | non-2xx | VmRSS after (KiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['path']}` | {r['requests']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{r['max_ms']:.2f} | {r['socket_errors']} | {r['non_2xx']} | {r['rss_after_kib']} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        header = "# Frontend load test\n\nWritten by `benches/load_frontend.py`; each run appends a section.\n\n"
        existing = args.out.read_text() if args.out.exists() else header
        args.out.write_text(existing.rstrip("\n") + "\n\n" + text)
        log(f"appended to {args.out}")
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
