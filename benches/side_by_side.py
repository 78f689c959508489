#!/usr/bin/env python3
"""Side-by-side bench: one supervisord event listener against a fleet of real services.

Runs a real supervisord 4.3.0 with N demo services (`supercheck demo-service`) and
the listener under test as `[eventlistener:check]` (events=TICK_5), always with the
same flags:

    <listener> -g web -n web_check -u /ping -t <timeout> -r 0 -p ".+_(\\d+)"

and measures, per (listener, N):

* time to first READY: spawn -> first `READY\\n` on stdout, listener run directly
  (outside supervisord) with the environment supervisord would give it; median of
  --ready-repeats runs;
* CPU per tick: utime+stime of the listener supervisord runs, over --ticks healthy
  TICK_5 events (per-thread schedstat, in ns, when the thread set did not change);
* tick latency: from supervisord's debug log, `event S sent to listener check` ->
  `check: BUSY -> ACKNOWLEDGED`, median and max over the same ticks;
* RSS: VmRSS / VmHWM of the listener after those ticks;
* hung detection: every service's mode file set to `hang`, then for each service the
  time from the dispatch of the first TICK after that to supervisord logging its stop
  (kill/signal/exit), and how many were within `timeout + 100 ms`.

Python 3.11, stdlib only. supervisor and supervisor_checks come from PyPI into a venv
(benches/.venv by default) that this script creates; nothing is installed system-wide.
Everything listens on 127.0.0.1 (and a unix socket in a temp dir), every wait has a
deadline, processes are stopped by pid, and the temp dir is removed.

Usage: see benches/README.md, or `python3 benches/side_by_side.py --help`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import math
import os
import platform
import random
import re
import select
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ROOT / "benches"
SUPERVISOR_VERSION = "4.3.0"
SUPERVISOR_CHECKS_VERSION = "0.8.1"
PY_THREAD_CAP = 16  # supervisor_checks' ThreadPoolExecutor(16)
RUNNING = 20


def log(msg: str) -> None:
    print(f"[side-by-side {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


class PortConflict(BenchError):
    pass


# --------------------------------------------------------------------------- set-up


PINNED = {"supervisor": SUPERVISOR_VERSION, "supervisor_checks": SUPERVISOR_CHECKS_VERSION}


def ensure_venv(venv: Path, packages: dict[str, str] | None = None) -> Path:
    """Creates the venv if needed and installs the pinned Python peers into it.

    `packages` maps distribution names to exact versions (default: supervisor and
    supervisor_checks); other benches pass more (superlance).
    """
    packages = dict(packages or PINNED)
    py = venv / "bin" / "python"
    if not py.exists():
        log(f"creating venv {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    probe = (
        "import importlib.metadata as m\n"
        f"for d in {tuple(packages)!r}:\n"
        "    try: print(d, m.version(d))\n"
        "    except m.PackageNotFoundError: print(d, 'missing')\n"
    )
    have = dict(
        line.split()
        for line in subprocess.run(
            [str(py), "-c", probe], check=True, capture_output=True, text=True, timeout=60
        ).stdout.splitlines()
    )
    if any(have.get(d) != v for d, v in packages.items()):
        specs = [f"{d}=={v}" for d, v in packages.items()]
        log(f"pip install {' '.join(specs)} into {venv}")
        subprocess.run(
            [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *specs],
            check=True,
            timeout=600,
        )
    return py


MUSL = "x86_64-unknown-linux-musl"


def build_supercheck(no_build: bool) -> Path:
    """The static musl build, as shipped; installs the target if needed."""
    binary = ROOT / "target" / MUSL / "release" / "supercheck"
    if not no_build:
        installed = subprocess.run(["rustup", "target", "list", "--installed"],
                                   capture_output=True, text=True, timeout=60).stdout.split()
        if MUSL not in installed:
            log(f"rustup target add {MUSL}")
            subprocess.run(["rustup", "target", "add", MUSL], check=True, timeout=600)
        log(f"cargo build --release --target {MUSL} -p supercheck")
        subprocess.run(
            ["cargo", "build", "--release", "--target", MUSL, "-p", "supercheck"],
            cwd=ROOT, check=True, timeout=1800,
        )
    if not binary.exists():
        raise BenchError(f"{binary} is missing (build it, or drop --no-build)")
    return binary


def build_floor(no_build: bool) -> Path:
    """benches/floor/ (loopback_floor), the floor under "CPU per tick"."""
    binary = ROOT / "target" / "release" / "loopback_floor"
    if not no_build:
        log("cargo build --release -p supercheck-benches --bin loopback_floor")
        subprocess.run(
            ["cargo", "build", "--release", "-p", "supercheck-benches", "--bin", "loopback_floor"],
            cwd=ROOT, check=True, timeout=1800,
        )
    if not binary.exists():
        raise BenchError(f"{binary} is missing (build it, or drop --no-build)")
    return binary


def measure_floor(floor: Path, sup: "Supervisord", base: int, n: int) -> dict:
    """The least CPU per tick on this fleet: one GET per service on kept-alive
    connections, written all first and read after, plus one getAllProcessInfo."""
    out = subprocess.run(
        [str(floor), "--ports", f"{base}-{base + n - 1}", "--supervisor-sock", str(sup.sock),
         "--rounds", "50"],
        capture_output=True, text=True, timeout=120,
    )
    if out.returncode != 0:
        raise BenchError(f"loopback_floor failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


@dataclass
class Listener:
    label: str
    cmd: str  # shell-style command, without the check flags
    kind: str  # python | rust | custom


def resolve_listeners(args, venv: Path, supercheck: Path) -> list[Listener]:
    out = []
    for name in args.listener or []:
        if name == "python":
            out.append(Listener("python", shlex.quote(str(venv / "bin" / "supervisor_http_check")), "python"))
        elif name == "rust":
            # Run under its drop-in name, exactly as a migrated [eventlistener:x] would.
            link = supercheck.parent / "supervisor_http_check"
            if not link.is_symlink():
                link.symlink_to(supercheck.name)
            out.append(Listener("rust", shlex.quote(str(link)), "rust"))
    labels = list(args.label or [])
    for i, cmd in enumerate(args.listener_cmd or []):
        label = labels[i] if i < len(labels) else Path(shlex.split(cmd)[0]).name
        out.append(Listener(label, cmd, "custom"))
    if not out:
        raise BenchError("no listener given: use --listener python|rust or --listener-cmd CMD")
    return out


def check_flags(timeout: int) -> str:
    # The one thing that must not differ between Python and Rust.
    return f'-g web -n web_check -u /ping -t {timeout} -r 0 -p ".+_(\\d+)"'


def ephemeral_range() -> tuple[int, int]:
    try:
        lo, hi = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return 32768, 60999


def reserve_port_range(n: int, rng: random.Random) -> tuple[int, list[socket.socket]]:
    """Finds N contiguous free ports on 127.0.0.1 and holds them bound.

    The range is taken below the kernel's ephemeral range, so the listener's own
    outgoing connections can never take a service's port while the service is being
    restarted. The caller closes the sockets right before supervisord starts.
    """
    lo_eph, hi_eph = ephemeral_range()
    candidates_hi = lo_eph - n if lo_eph - n > 20000 else 65535 - n
    candidates_lo = 20000 if lo_eph - n > 20000 else hi_eph + 1
    for _ in range(200):
        base = rng.randrange(candidates_lo, candidates_hi)
        held = []
        try:
            for port in range(base, base + n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                held.append(s)
                s.bind(("127.0.0.1", port))
            return base, held
        except OSError:
            for s in held:
                s.close()
    raise BenchError(f"no {n} contiguous free ports found on 127.0.0.1")


# ---------------------------------------------------------------- supervisord plumbing


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path: str, timeout: float = 10.0):
        super().__init__()
        self.unix_path = path
        self.timeout = timeout

    def make_connection(self, host):  # noqa: ARG002 - host is a dummy
        return UnixHTTPConnection(self.unix_path, self.timeout)


def rpc(sock: Path) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport(str(sock)))


@dataclass
class Entry:
    t: float
    level: str
    msg: str


class SupervisorLog:
    """Incremental reader of supervisord's log (`YYYY-MM-DD HH:MM:SS,mmm LEVL msg`)."""

    LINE = re.compile(rb"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) (\w+) (.*)$")

    def __init__(self, path: Path):
        self.path = path
        self.pos = 0
        self.partial = b""
        self.entries: list[Entry] = []

    def poll(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return
        self.pos += len(data)
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()
        for line in lines:
            m = self.LINE.match(line)
            if not m:
                continue  # continuation of a multi-line message (child output)
            y, mo, d, h, mi, s, ms = (int(x) for x in m.groups()[:7])
            t = time.mktime((y, mo, d, h, mi, s, 0, 0, -1)) + ms / 1000.0
            self.entries.append(
                Entry(t, m.group(8).decode(), m.group(9).decode("utf-8", "replace"))
            )

    def wait_for(self, pred, start: int, deadline: float) -> int | None:
        """Index of the first entry at or after `start` matching pred, or None at deadline."""
        i = start
        while True:
            self.poll()
            while i < len(self.entries):
                if pred(self.entries[i]):
                    return i
                i += 1
            if time.time() >= deadline:
                return None
            time.sleep(0.05)


DISPATCH = re.compile(r"^event (\d+) sent to listener (\S+)$")
STOPISH = re.compile(
    r"^(?:killing (\S+) \(pid \d+\)|sending (\S+) \(pid \d+\) sig|(?:stopped|exited): (\S+) )"
)
SPAWNED = re.compile(r"^spawned: '([^']+)' with pid \d+")


def is_dispatch(e: Entry) -> bool:
    m = DISPATCH.match(e.msg)
    return bool(m and m.group(2) == "check")


def is_ack(e: Entry) -> bool:
    return e.msg == "check: BUSY -> ACKNOWLEDGED"


def stopish_name(e: Entry) -> str | None:
    m = STOPISH.match(e.msg)
    if not m:
        return None
    return next(g for g in m.groups() if g)


def supervisord_header(tmp: Path, writer: str) -> str:
    """The sections every bench's supervisord.conf starts with: a unix socket
    in `tmp`, debug log without rotation, the RPC interface, supervisorctl."""
    return f"""; written by {writer}
[unix_http_server]
file={tmp}/supervisor.sock

[supervisord]
logfile={tmp}/supervisord.log
logfile_maxbytes=0
loglevel=debug
pidfile={tmp}/supervisord.pid
childlogdir={tmp}/logs
nodaemon=true
minfds=4096

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{tmp}/supervisor.sock
"""


def write_conf(tmp: Path, n: int, base: int, supercheck: Path, listener_cmd: str) -> Path:
    (tmp / "mode").mkdir()
    (tmp / "logs").mkdir()
    for port in range(base, base + n):
        (tmp / "mode" / f"web_{port}").write_text("ok\n")
    esc = lambda s: s.replace("%", "%%")  # noqa: E731 - supervisord expands %(...)s
    conf = tmp / "supervisord.conf"
    conf.write_text(
        supervisord_header(tmp, "benches/side_by_side.py") + f"""
[program:web]
command={esc(shlex.quote(str(supercheck)))} demo-service --port %(process_num)d --mode-file {esc(str(tmp))}/mode/web_%(process_num)d
process_name=web_%(process_num)d
numprocs={n}
numprocs_start={base}
startsecs=1
startretries=1
autorestart=true
stopwaitsecs=3
stdout_logfile=NONE
stderr_logfile={tmp}/logs/web_%(process_num)d.err

[eventlistener:check]
command={esc(listener_cmd)}
events=TICK_5
stopwaitsecs=3
stdout_logfile={tmp}/logs/check.out
stderr_logfile={tmp}/logs/check.err
"""
    )
    return conf


class Supervisord:
    def __init__(self, python: Path, conf: Path, tmp: Path):
        self.argv = [str(python), "-m", "supervisor.supervisord", "-n", "-c", str(conf)]
        self.tmp = tmp
        self.sock = tmp / "supervisor.sock"
        self.proc: subprocess.Popen | None = None
        self.child_pids: dict[int, bytes] = {}  # pid -> cmdline, to clean up after a SIGKILL

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=open(self.tmp / "supervisord.stdout", "wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def server(self) -> xmlrpc.client.ServerProxy:
        return rpc(self.sock)

    def remember_children(self) -> None:
        try:
            infos = self.server().supervisor.getAllProcessInfo()
        except (OSError, xmlrpc.client.Error):
            return
        for info in infos:
            pid = info.get("pid") or 0
            if pid:
                try:
                    self.child_pids[pid] = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    pass

    def wait_ready(self, n: int, deadline: float) -> dict:
        """Waits until all N services and the listener are RUNNING."""
        last = None
        while time.time() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise BenchError(
                    f"supervisord exited with {self.proc.returncode}; see {self.tmp}/supervisord.stdout"
                )
            try:
                infos = self.server().supervisor.getAllProcessInfo()
            except (OSError, xmlrpc.client.Error) as e:
                last = e
                time.sleep(0.2)
                continue
            web = [i for i in infos if i["group"] == "web"]
            bad = [i["name"] for i in web if i["statename"] in ("BACKOFF", "FATAL", "EXITED")]
            if bad:
                raise PortConflict(f"services failed to start: {bad[:5]}")
            check = [i for i in infos if i["group"] == "check"]
            if check and check[0]["statename"] in ("BACKOFF", "FATAL"):
                raise BenchError(f"the listener is {check[0]['statename']}; see {self.tmp}/logs/check.err")
            if (
                len(web) == n
                and all(i["state"] == RUNNING for i in web)
                and check
                and check[0]["state"] == RUNNING
            ):
                return {i["name"]: i for i in infos}
            last = f"{sum(i['state'] == RUNNING for i in web)}/{n} services RUNNING"
            time.sleep(0.2)
        raise BenchError(f"fleet not RUNNING in time ({last})")

    def stop(self) -> None:
        """SIGTERM, wait, then SIGKILL; children left behind are killed by pid."""
        if not self.proc:
            return
        self.remember_children()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                log("supervisord did not stop in 30 s: SIGKILL")
                self.proc.kill()
                self.proc.wait(timeout=10)
        for pid, cmdline in self.child_pids.items():
            try:
                if Path(f"/proc/{pid}/cmdline").read_bytes() == cmdline:
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc = None


# ------------------------------------------------------------------------ measurements


def proc_cpu_ns(pid: int) -> tuple[float, float | None, frozenset]:
    """(utime+stime in ns from /proc/PID/stat, sum of live threads' schedstat ns, tids)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    rest = stat[stat.rindex(")") + 2:].split()
    ticks = int(rest[11]) + int(rest[12])
    stat_ns = ticks * 1e9 / os.sysconf("SC_CLK_TCK")
    tids = []
    sched = 0.0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            tids.append(task)
            sched += float(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return stat_ns, None, frozenset(tids)
    return stat_ns, sched, frozenset(tids)


def proc_children_cpu_ns(pid: int) -> float:
    """cutime+cstime of /proc/PID/stat in ns: CPU of the children it has reaped (10 ms ticks)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    rest = stat[stat.rindex(")") + 2:].split()
    return (int(rest[13]) + int(rest[14])) * 1e9 / os.sysconf("SC_CLK_TCK")


def proc_mem_kb(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def measure_first_ready(argv: list[str], env: dict, cwd: Path, repeats: int) -> list[float]:
    """Spawn -> first `READY\\n` on stdout, in ms, run directly (no supervisord)."""
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        p = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd=cwd,
        )
        got = b""
        try:
            deadline = t0 + 20
            fd = p.stdout.fileno()
            while len(got) < 6:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise BenchError(f"no READY within 20 s (got {got!r})")
                r, _, _ = select.select([fd], [], [], left)
                if r:
                    chunk = os.read(fd, 6 - len(got))
                    if not chunk:
                        raise BenchError(f"listener exited before READY (got {got!r}), rc={p.wait()}")
                    got += chunk
            t1 = time.perf_counter()
            if got != b"READY\n":
                raise BenchError(f"first 6 bytes were {got!r}, not READY\\n")
            times.append((t1 - t0) * 1000)
        finally:
            try:
                p.stdin.close()
            except OSError:
                pass
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
            p.stdout.close()
    return times


@dataclass
class Result:
    listener: str
    kind: str
    n: int
    base_port: int = 0
    ready_ms: list[float] = field(default_factory=list)
    ticks: int = 0
    cpu_ms_per_tick: float | None = None
    cpu_source: str = ""
    cpu_stat_ms_per_tick: float | None = None
    tick_ms: list[float] = field(default_factory=list)
    vmrss_kb: int | None = None
    vmhwm_kb: int | None = None
    healthy_false_restarts: int = 0
    hang_tick_latency_ms: float | None = None
    hang_wait_s: float = 0.0
    hang_detect_s: dict[str, float] = field(default_factory=dict)
    hang_respawn_s: dict[str, float] = field(default_factory=dict)
    within_budget: int = 0
    overflows: int = 0
    rejected: int = 0
    unknown: int = 0
    listener_restarts: int = 0
    notes: list[str] = field(default_factory=list)
    floor: dict | None = None


@contextlib.contextmanager
def fleet(py: Path, supercheck: Path, n: int, rng: random.Random, listener_cmd, label: str,
          keep_tmp: bool = False, tmp_prefix: str = "sbs-"):
    """N demo services and one listener under a fresh supervisord, all RUNNING.

    `listener_cmd` is the full listener command, or a function of the base port that
    returns it (for a listener that names the services). Yields (sup, infos, tmp,
    base); supervisord and its children are stopped by pid and the temp dir removed
    on the way out. A port clash while starting is retried with other ports (3 tries).
    """
    for attempt in range(3):
        tmp = Path(tempfile.mkdtemp(prefix=tmp_prefix))  # short: unix socket paths are <108 bytes
        sup = None
        try:
            base, held = reserve_port_range(n, rng)
            cmd = listener_cmd(base) if callable(listener_cmd) else listener_cmd
            conf = write_conf(tmp, n, base, supercheck, cmd)
            sup = Supervisord(py, conf, tmp)
            for s in held:
                s.close()
            log(f"{label} N={n}: supervisord with web_{base}..web_{base + n - 1} in {tmp}")
            sup.start()
            try:
                infos = sup.wait_ready(n, time.time() + 30 + 0.2 * n)
            except PortConflict as e:
                log(f"{e}; retrying with other ports")
                continue
            sup.remember_children()
            yield sup, infos, tmp, base
            return
        finally:
            if sup:
                sup.stop()
            if keep_tmp:
                log(f"kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    raise BenchError(f"could not start {n} services after 3 port ranges")


def run_one(args, py: Path, supercheck: Path, lst: Listener, n: int, rng: random.Random,
            floor: Path | None = None) -> Result:
    res = Result(lst.label, lst.kind, n)
    full_cmd = f"{lst.cmd} {check_flags(args.timeout)}"
    with fleet(py, supercheck, n, rng, full_cmd, lst.label, args.keep_tmp) as (sup, infos, tmp, base):
        res.base_port = base
        measure(args, sup, infos, lst, n, full_cmd, tmp, res)
        if floor:
            # After the hang phase: every service back up (restarted ones included).
            sup.wait_ready(n, time.time() + 60)
            time.sleep(2)
            res.floor = measure_floor(floor, sup, base, n)
            res.notes.append(
                f"floor {res.floor['cpu_us_per_round'] / 1000:.2f} ms/tick "
                f"({res.floor['probe_cpu_us_per_round'] / 1000:.2f} GETs + "
                f"{res.floor['list_cpu_us_per_round'] / 1000:.2f} process list)"
            )
            log(f"  floor: {res.notes[-1]}")
    return res


def supervisord_env(sup: Supervisord) -> dict:
    """The environment supervisord gives the listener `check:check`."""
    env = dict(os.environ)
    env.update(
        SUPERVISOR_ENABLED="1",
        SUPERVISOR_SERVER_URL=f"unix://{sup.sock}",
        SUPERVISOR_PROCESS_NAME="check",
        SUPERVISOR_GROUP_NAME="check",
    )
    return env


@dataclass
class TickWindow:
    """What K healthy ticks of the listener cost (see measure_healthy_ticks)."""
    pid: int
    ticks: int
    cpu_ms_per_tick: float
    cpu_source: str  # schedstat | stat
    cpu_stat_ms_per_tick: float
    children_cpu_ms_per_tick: float  # cutime+cstime: reaped children (a `ps` per process...)
    tick_ms: list[float]
    vmrss_kb: int | None
    vmhwm_kb: int | None
    end: int  # index in the log just past the K-th acknowledgement
    window: list[Entry]  # log entries of the window


def measure_healthy_ticks(slog: SupervisorLog, pid: int, ticks: int, on_start=None) -> TickWindow:
    """CPU, latency and RSS of the listener over K ticks, from one ACK to the K-th next one.

    `on_start`, if given, is called right after the starting ACK (to sample more state).
    """
    start = len(slog.entries)
    i0 = slog.wait_for(is_ack, start, time.time() + 15)
    if i0 is None:
        raise BenchError("no tick acknowledged within 15 s of the fleet being up")
    before = proc_cpu_ns(pid)
    children_before = proc_children_cpu_ns(pid)
    if on_start:
        on_start()
    tids_seen = set(before[2])
    acks = 0
    i = i0 + 1
    deadline = time.time() + ticks * 5 + 60
    while acks < ticks:
        # Poll the log and sample the listener's threads (20 ms) to notice short-lived ones.
        slog.poll()
        while i < len(slog.entries) and acks < ticks:
            acks += is_ack(slog.entries[i])
            i += 1
        if acks >= ticks:
            break
        if time.time() > deadline:
            raise BenchError(f"only {acks} of {ticks} ticks acknowledged")
        try:
            tids_seen.update(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            raise BenchError("the listener died during the CPU window") from None
        time.sleep(0.02)
    after = proc_cpu_ns(pid)
    children_after = proc_children_cpu_ns(pid)
    mem = proc_mem_kb(pid)
    stat_ms = (after[0] - before[0]) / 1e6
    # /proc/PID/stat includes exited threads but counts in 10 ms ticks (utime and stime
    # each truncated, so +-20 ms over the window); per-thread schedstat is exact to the
    # ns but misses threads that exited. Use schedstat only when no thread came or went
    # and it agrees with stat; otherwise stat.
    if (
        before[1] is not None
        and after[1] is not None
        and before[2] == after[2] == frozenset(tids_seen)
        and stat_ms <= (after[1] - before[1]) / 1e6 + 20
    ):
        cpu, source = (after[1] - before[1]) / 1e6 / ticks, "schedstat"
    else:
        cpu, source = stat_ms / ticks, "stat"
    window = slog.entries[i0 + 1 : i]
    tick_ms = []
    sent = None
    for e in window:
        if is_dispatch(e):
            sent = e.t
        elif is_ack(e) and sent is not None:
            tick_ms.append((e.t - sent) * 1000)
            sent = None
    return TickWindow(
        pid=pid, ticks=ticks, cpu_ms_per_tick=cpu, cpu_source=source,
        cpu_stat_ms_per_tick=stat_ms / ticks,
        children_cpu_ms_per_tick=(children_after - children_before) / 1e6 / ticks,
        tick_ms=tick_ms, vmrss_kb=mem.get("VmRSS"), vmhwm_kb=mem.get("VmHWM"),
        end=i, window=window,
    )


def protocol_health(slog: SupervisorLog) -> tuple[int, int, int, int]:
    """(event buffer overflows, rejected events, UNKNOWN states, listener restarts) so far."""
    slog.poll()
    overflows = rejected = unknown = spawns = 0
    for e in slog.entries:
        if e.msg.startswith("pool check event buffer overflowed"):
            overflows += 1
        elif e.msg == "check: event was rejected":
            rejected += 1
        elif e.msg.startswith("check: has entered the UNKNOWN state"):
            unknown += 1
        elif e.msg.startswith("spawned: 'check'"):
            spawns += 1
    return overflows, rejected, unknown, max(0, spawns - 1)


def measure(args, sup: Supervisord, infos: dict, lst: Listener, n: int, full_cmd: str,
            tmp: Path, res: Result) -> None:
    slog = SupervisorLog(tmp / "supervisord.log")
    server = sup.server()
    names = sorted(k for k, v in infos.items() if v["group"] == "web")

    # 1. time to first READY, listener run directly with supervisord's environment.
    env = supervisord_env(sup)
    res.ready_ms = measure_first_ready(shlex.split(full_cmd), env, tmp, args.ready_repeats)
    log(f"  first READY median {statistics.median(res.ready_ms):.1f} ms")

    # 2. CPU, latency, RSS over K healthy ticks, from one ACK to the K-th next one.
    pid = server.supervisor.getProcessInfo("check:check")["pid"]
    listener_cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    w = measure_healthy_ticks(slog, pid, args.ticks)
    i = w.end
    res.vmrss_kb, res.vmhwm_kb = w.vmrss_kb, w.vmhwm_kb
    res.ticks = args.ticks
    res.cpu_stat_ms_per_tick = w.cpu_stat_ms_per_tick
    res.cpu_ms_per_tick, res.cpu_source = w.cpu_ms_per_tick, w.cpu_source
    res.tick_ms = w.tick_ms
    res.healthy_false_restarts = sum(1 for e in w.window if stopish_name(e) in names)
    log(
        f"  CPU {res.cpu_ms_per_tick:.2f} ms/tick ({res.cpu_source}), tick latency median "
        f"{statistics.median(res.tick_ms) if res.tick_ms else float('nan'):.1f} ms, "
        f"VmRSS {res.vmrss_kb} kB"
    )

    # 3. hung detection: hang every service right after a tick, time from the next tick.
    i_ack = slog.wait_for(is_ack, i, time.time() + 20)
    if i_ack is None:
        raise BenchError("listener did not acknowledge a tick before the hang phase")
    time.sleep(0.5)
    t_hang = time.time()
    for name in names:
        (tmp / "mode" / name).write_text("hang\n")
    i_tick = slog.wait_for(lambda e: is_dispatch(e) and e.t >= t_hang - 0.001, i_ack + 1, t_hang + 12)
    if i_tick is None:
        raise BenchError("no TICK dispatched within 12 s of the hang")
    t_tick = slog.entries[i_tick].t
    budget = args.timeout + 0.1
    res.hang_wait_s = (math.ceil(n / PY_THREAD_CAP) + 2) * (args.timeout + 5)
    deadline = t_tick + res.hang_wait_s
    pending = set(names)
    # Scan from the hang itself: a listener that probes between ticks may act before the
    # tick (a negative detect time); the tick is still the reference point.
    k = i_ack + 1
    while pending and time.time() < deadline:
        slog.poll()
        for idx in range(k, len(slog.entries)):
            e = slog.entries[idx]
            if e.t < t_hang - 0.001:
                continue
            name = stopish_name(e)
            if name in pending:
                res.hang_detect_s[name] = e.t - t_tick
                pending.discard(name)
            m = SPAWNED.match(e.msg)
            if m and m.group(1) in names and m.group(1) not in res.hang_respawn_s:
                res.hang_respawn_s[m.group(1)] = e.t - t_tick
            if res.hang_tick_latency_ms is None and idx > i_tick and is_ack(e):
                res.hang_tick_latency_ms = (e.t - t_tick) * 1000
        k = len(slog.entries)
        time.sleep(0.05)
    res.within_budget = sum(1 for v in res.hang_detect_s.values() if v <= budget)
    for name in names:
        (tmp / "mode" / name).write_text("ok\n")
    if pending:
        res.notes.append(f"{len(pending)}/{n} not restarted within the {res.hang_wait_s:.0f} s wait")
    if res.hang_tick_latency_ms is None:
        # Give the hung tick a last chance to finish, bounded, for its latency.
        j = slog.wait_for(is_ack, i_tick + 1, time.time() + 2 * args.timeout + 5)
        if j is not None:
            res.hang_tick_latency_ms = (slog.entries[j].t - t_tick) * 1000
    log(
        f"  hung: {len(res.hang_detect_s)}/{n} restarted, {res.within_budget} within "
        f"{budget:.1f} s of the tick"
    )

    # Protocol health over the whole run.
    res.overflows, res.rejected, res.unknown, res.listener_restarts = protocol_health(slog)
    try:
        if Path(f"/proc/{pid}/cmdline").read_bytes() != listener_cmdline:
            res.notes.append("listener pid changed during the run")
    except OSError:
        res.notes.append("listener pid gone during the run")


# ---------------------------------------------------------------------------- report


def fmt(x: float | None, spec: str = ".1f") -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def med(xs) -> float | None:
    xs = list(xs)
    return statistics.median(xs) if xs else None


TABLE_HEAD = (
    "| listener | N | first READY median (ms) | CPU per tick (ms) | tick latency median / max (ms) "
    "| VmRSS / VmHWM (MiB) | hung: restarted ≤ timeout+100 ms | hung: detect median / max (s) "
    "| hung: respawn median (s) | hung tick latency (s) | notes |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
)


def table_row(r: Result) -> str:
    det = list(r.hang_detect_s.values())
    notes = list(r.notes)
    if r.kind == "python":
        notes.insert(0, "RSS is the Python interpreter's")
    if r.cpu_source == "stat":
        notes.append(f"CPU from /proc/PID/stat (threads come and go; ±{20 / r.ticks:.1f} ms/tick)")
    if r.healthy_false_restarts:
        notes.append(f"{r.healthy_false_restarts} restarts while healthy")
    if r.overflows:
        notes.append(f"{r.overflows} event buffer overflows")
    if r.rejected or r.unknown:
        notes.append(f"{r.rejected} rejected, {r.unknown} UNKNOWN")
    if r.listener_restarts:
        notes.append(f"listener restarted {r.listener_restarts}×")
    mib = lambda kb: None if kb is None else kb / 1024  # noqa: E731
    return (
        f"| {r.listener} | {r.n} | {fmt(med(r.ready_ms))} | {fmt(r.cpu_ms_per_tick, '.2f')} "
        f"| {fmt(med(r.tick_ms))} / {fmt(max(r.tick_ms) if r.tick_ms else None)} "
        f"| {fmt(mib(r.vmrss_kb))} / {fmt(mib(r.vmhwm_kb))} "
        f"| {r.within_budget}/{r.n} | {fmt(med(det), '.2f')} / {fmt(max(det) if det else None, '.2f')} "
        f"| {fmt(med(r.hang_respawn_s.values()), '.2f')} "
        f"| {fmt(None if r.hang_tick_latency_ms is None else r.hang_tick_latency_ms / 1000, '.2f')} "
        f"| {'; '.join(notes)} |"
    )


def machine_info(py: Path, peers: tuple[str, ...] = ("supervisor_checks",)) -> list[str]:
    """Machine and version lines for a report; `peers` are the Python tools' distributions."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dists = ("supervisor",) + tuple(peers)
    vers = subprocess.run(
        [str(py), "-c",
         "import sys, importlib.metadata as m; print(sys.version.split()[0]); "
         f"[print(m.version(d)) for d in {dists!r}]"],
        capture_output=True, text=True, timeout=60,
    ).stdout.split()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=30
    ).stdout.strip() or "unknown"
    got = lambda i: vers[i] if len(vers) > i else "?"  # noqa: E731
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- kernel: {platform.system()} {platform.release()}",
        f"- Python (supervisord, {', '.join(peers)}): {got(0)}; harness: {platform.python_version()}",
        "- " + ", ".join(f"{d} {got(i + 1)}" for i, d in enumerate(dists)),
        f"- supercheck commit: {commit}",
    ]


def rel(p) -> str:
    """A path relative to the repository root when it is inside it (for the report)."""
    try:
        return str(Path(p).absolute().relative_to(ROOT))
    except ValueError:
        return str(p)


def write_report(args, py: Path, supercheck: Path, listeners: list[Listener], results: list[Result],
                 out: Path) -> str:
    now = datetime.datetime.now().astimezone()
    title = args.title or ", ".join(
        "Python baseline (supervisor_checks 0.8.1)" if lst.kind == "python"
        else "Rust (supercheck, static musl build, as supervisor_http_check)" if lst.kind == "rust" else lst.label
        for lst in listeners
    )
    lines = [f"## {title}: {now.strftime('%Y-%m-%d %H:%M %Z')}", ""]
    lines += machine_info(py)
    lines += [
        f"- check timeout {args.timeout} s (budget for hung detection: {args.timeout + 0.1:.1f} s "
        f"after the tick); {args.ticks} healthy TICK_5s; first READY over {args.ready_repeats} spawns",
        "",
        "Command lines:",
        "",
        "```",
        "# harness",
        "python3 " + " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
        "# supervisord",
        f"{rel(py)} -m supervisor.supervisord -n -c <tmp>/supervisord.conf",
        "# services ([program:web], numprocs=N, numprocs_start=<base port>)",
        f"{rel(supercheck)} demo-service --port %(process_num)d --mode-file <tmp>/mode/web_%(process_num)d",
    ]
    for lst in listeners:
        lines += [f"# listener {lst.label} ([eventlistener:check], events=TICK_5)",
                  f"{lst.cmd.replace(str(ROOT) + '/', '')} {check_flags(args.timeout)}"]
    lines += ["```", "", "(paths relative to the repository root)", "", TABLE_HEAD.rstrip("\n")]
    lines += [table_row(r) for r in results]
    lines.append("")
    section = "\n".join(lines) + "\n"
    if not args.no_write:
        if not out.exists():
            out.write_text(
                "# Side by side with the Python tools\n\n"
                "Written by `benches/side_by_side.py`; each run appends a section. "
                "What each column means: benches/README.md.\n\n"
            )
        with open(out, "a") as f:
            f.write(section + "\n")
        log(f"appended to {out}")
    return section


# ------------------------------------------------------------------------------ main


def _interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt


def print_report(section: str, results: list, json_path: Path | None) -> None:
    """Prints the report section and, with --json, writes the raw results."""
    print()
    print(section)
    if json_path:
        json_path.write_text(json.dumps([r.__dict__ for r in results], indent=2) + "\n")


def run_cli(main) -> None:
    """Runs a bench's main: a BenchError is one line and status 1, Ctrl-C status 130."""
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Measure a supervisord event listener against N real services, "
        "the Python supervisor_http_check and supercheck with the same flags."
    )
    ap.add_argument("--listener", action="append", choices=["python", "rust"],
                    help="listener to measure (repeatable): python = supervisor_http_check "
                    "0.8.1 from the venv, rust = the static musl build of supercheck, run as "
                    "supervisor_http_check")
    ap.add_argument("--listener-cmd", action="append", metavar="CMD",
                    help="any listener command, without the check flags (repeatable)")
    ap.add_argument("--label", action="append", help="label for each --listener-cmd, in order")
    ap.add_argument("--sizes", default="1,10,100", help="fleet sizes N, comma separated")
    ap.add_argument("--ticks", type=int, default=6, help="healthy TICK_5s to measure over")
    ap.add_argument("--timeout", type=int, default=2, help="check timeout in seconds (-t)")
    ap.add_argument("--ready-repeats", type=int, default=20, help="spawns for time to first READY")
    ap.add_argument("--quick", action="store_true", help="sizes 1,10 and 2 ticks")
    ap.add_argument("--venv", type=Path, default=BENCHES / ".venv",
                    help="venv for supervisor and supervisor_checks (created if missing)")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build")
    ap.add_argument("--out", type=Path, default=BENCHES / "side_by_side.md")
    ap.add_argument("--no-write", action="store_true", help="print only, do not append to --out")
    ap.add_argument("--json", type=Path, help="also write raw results as JSON here")
    ap.add_argument("--title", help="section title in the report")
    ap.add_argument("--keep-tmp", action="store_true", help="keep temp dirs (debugging)")
    ap.add_argument("--seed", type=int, help="seed for the port choice")
    ap.add_argument("--floor", action="store_true",
                    help="also measure the least CPU per tick on each fleet (benches/floor/)")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.ticks = "1,10", 2
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if not sizes or min(sizes) < 1 or args.ticks < 1 or args.timeout < 1 or args.ready_repeats < 1:
        ap.error("sizes, --ticks, --timeout and --ready-repeats must be positive")

    py = ensure_venv(args.venv.resolve())
    supercheck = build_supercheck(args.no_build)
    listeners = resolve_listeners(args, args.venv.resolve(), supercheck)
    floor = build_floor(args.no_build) if args.floor else None
    rng = random.Random(args.seed)

    results = []
    # Let a Ctrl-C or SIGTERM unwind through the finally blocks that stop supervisord.
    signal.signal(signal.SIGTERM, _interrupt)
    for lst in listeners:
        for n in sizes:
            t0 = time.time()
            results.append(run_one(args, py, supercheck, lst, n, rng, floor))
            log(f"{lst.label} N={n} done in {time.time() - t0:.0f} s")
            print(table_row(results[-1]), flush=True)

    section = write_report(args, py, supercheck, listeners, results, args.out)
    print_report(section, results, args.json)
    return 0


if __name__ == "__main__":
    run_cli(main)
