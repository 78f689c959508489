#!/usr/bin/env python3
"""Agent side-by-side bench: one `supercheck agent` against ten drop-in listeners.

A fleet of G groups x S services (default 10 x 10: `[program:g0]` .. `[program:g9]`,
`numprocs=10`, `process_name=svc_%(process_num)d`, each `supercheck demo-service
--port P --mode-file F` on a free port of 127.0.0.1, all healthy) is guarded three
ways in turn, each under a fresh real supervisord 4.3.0 (unix socket in a temp dir,
`loglevel=debug`), every listener with `events=TICK_5`:

* python: one `[eventlistener:checkK]` per group running supervisor_checks 0.8.1's
  `supervisor_http_check -g gK -n gK_http -u /ping -t 2 -r 0 -p ".+_(\\d+)"`;
* rust: the same ten sections and flags, the program being supercheck's static musl
  build run through a symlink named `supervisor_http_check` (a migrated drop-in);
* agent: one `[eventlistener:supercheck]` running `supercheck agent --config FILE`,
  FILE having one `[[check]]` per group (name "gK_http", kind "http", targets
  ["gK:*"], url "/ping", port ".+_(\\d+)", timeout 2, num_retries 0, no interval: it
  runs on every TICK as the drop-ins do). `supercheck agent --check-config FILE` must
  exit 0 first.

(`--ways none` also runs the fleet with no listener at all: supervisord's own cost per
5 s, the floor under its CPU per tick.)

Measured per way, over --ticks healthy TICK_5s that every listener acknowledged (the
window runs from the moment the last listener acknowledged one tick to the moment the
last acknowledged the K-th next, after one warm-up tick):

* CPU per tick of the listeners (summed over their pids) and of supervisord (its pid):
  per-thread schedstat in ns when a process's thread set did not change, else
  utime+stime from /proc/PID/stat (10 ms ticks), as side_by_side.py does;
* memory of the listeners after the window, summed: PSS and private (USS =
  Private_Clean + Private_Dirty) from /proc/PID/smaps_rollup, VmRSS from status;
* tick latency per listener from supervisord's debug log: `event S sent to listener
  NAME` -> `NAME: BUSY -> ACKNOWLEDGED`;
* XML-RPC calls per tick, by method, in a second phase on the same supervisord so the
  CPU window is undisturbed: each listener's `serverurl=` (supervisord's per-section
  SUPERVISOR_SERVER_URL) is pointed at its own counting proxy (a harness thread on a
  unix socket in the temp dir, forwarding to supervisord's socket and parsing every
  request it forwards), the listener groups are restarted through
  reloadConfig/stopProcessGroup/removeProcessGroup/addProcessGroup, and the requests are
  counted over --count-ticks complete ticks.

Python 3.11, stdlib only; the set-up and measuring helpers are side_by_side.py's (the
venv with supervisor==4.3.0 and supervisor_checks==0.8.1, the musl build, port
reservation, supervisord start/stop by pid, its log reader, per-thread CPU). Everything
listens on 127.0.0.1 or on unix sockets in the temp dir, every wait has a deadline,
processes are stopped by pid, and the temp dir is removed (--keep-tmp keeps it).

Usage: see benches/README.md ("One agent against ten drop-ins"), or
`python3 benches/agent_side_by_side.py --help`.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime
import hashlib
import os
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import side_by_side as sbs  # noqa: E402 - needs the path above
from side_by_side import BENCHES, ROOT, BenchError, fmt, log, med, print_report, rel, run_cli  # noqa: E402

WAYS = ("python", "rust", "agent", "none")
DEFAULT_WAYS = "python,rust,agent"
TICK_S = 5  # TICK_5
LOAD_NOTE = 3.0  # a 1-minute load average above this (2 cores) is noted
PSS_GOAL_KB = 3_000_000 / 1024  # "agent PSS < 3 MB", MB = 10^6 bytes
SUPERVISORD_RATIO_GOAL = 5  # agent's supervisord CPU per tick <= 1/5 of the drop-ins'
ACK = ": BUSY -> ACKNOWLEDGED"


# --------------------------------------------------------------------------- the ways


@dataclass
class Way:
    key: str  # python | rust | agent | none
    label: str
    listeners: dict[str, str]  # [eventlistener:NAME] -> full command


def http_flags(group: str, timeout: int) -> str:
    # The one thing that must not differ between Python and Rust (side_by_side.py's, per group).
    return f'-g {group} -n {group}_http -u /ping -t {timeout} -r 0 -p ".+_(\\d+)"'


def agent_toml(groups: int, timeout: int) -> str:
    """The agent's file: the ten drop-ins' flags as ten [[check]] tables, no interval."""
    out = ["# written by benches/agent_side_by_side.py: one [[check]] per drop-in listener\n"]
    for k in range(groups):
        out.append(
            f'[[check]]\nname = "g{k}_http"\nkind = "http"\ntargets = ["g{k}:*"]\n'
            f'url = "/ping"\nport = ".+_(\\\\d+)"\ntimeout = {timeout}\nnum_retries = 0\n\n'
        )
    return "".join(out)


def dropin_link(supercheck: Path) -> Path:
    """supercheck under its drop-in name, as a migrated [eventlistener:x] runs it."""
    link = supercheck.parent / "supervisor_http_check"
    if not link.is_symlink():
        link.symlink_to(supercheck.name)
    return link


def make_way(key: str, args, supercheck: Path, agent_file: Path) -> Way:
    if key in ("python", "rust"):
        prog = args.venv / "bin" / "supervisor_http_check" if key == "python" else dropin_link(supercheck)
        label = (f"{args.groups} Python drop-ins (supervisor_checks 0.8.1)" if key == "python"
                 else f"{args.groups} supercheck drop-ins (supervisor_http_check)")
        return Way(key, label, {
            f"check{k}": f"{shlex.quote(str(prog))} {http_flags(f'g{k}', args.timeout)}"
            for k in range(args.groups)
        })
    if key == "agent":
        return Way(key, "one supercheck agent", {
            "supercheck": f"{shlex.quote(str(supercheck))} agent --config {shlex.quote(str(agent_file))}"
        })
    return Way(key, "no listener (supervisord and the fleet)", {})


def check_agent_config(supercheck: Path, path: Path) -> str:
    out = subprocess.run([str(supercheck), "agent", "--check-config", str(path)],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise BenchError(
            f"supercheck agent --check-config {path} exited {out.returncode}: "
            f"{(out.stderr or out.stdout).strip()}"
        )
    return out.stdout.strip()


# ---------------------------------------------------------------------- supervisord


def write_conf(tmp: Path, args, base: int, supercheck: Path, way: Way,
               serverurls: dict[str, str] | None = None) -> Path:
    """supervisord.conf: G programs of S services, and the way's listeners.

    `serverurls` (listener -> URL) sets each listener's `serverurl=`, the
    SUPERVISOR_SERVER_URL supervisord gives it (the counting phase).
    """
    esc = lambda s: s.replace("%", "%%")  # noqa: E731 - supervisord expands %(...)s
    parts = [sbs.supervisord_header(tmp, "benches/agent_side_by_side.py")]
    for k in range(args.groups):
        parts.append(f"""
[program:g{k}]
command={esc(shlex.quote(str(supercheck)))} demo-service --port %(process_num)d --mode-file {esc(str(tmp))}/mode/svc_%(process_num)d
process_name=svc_%(process_num)d
numprocs={args.services}
numprocs_start={base + k * args.services}
startsecs=1
startretries=1
autorestart=true
stopwaitsecs=3
stdout_logfile=NONE
stderr_logfile={tmp}/logs/svc_%(process_num)d.err
""")
    for name, cmd in way.listeners.items():
        url = f"serverurl={serverurls[name]}\n" if serverurls else ""
        parts.append(f"""
[eventlistener:{name}]
command={esc(cmd)}
events=TICK_5
stopwaitsecs=3
stdout_logfile={tmp}/logs/{name}.out
stderr_logfile={tmp}/logs/{name}.err
{url}""")
    conf = tmp / "supervisord.conf"
    conf.write_text("".join(parts))
    return conf


class Supervisord(sbs.Supervisord):
    """side_by_side.py's supervisord (start, stop by pid), ready when the fleet and the
    given listeners are RUNNING."""

    def wait_ready(self, services: set[str], listeners: set[str], deadline: float) -> dict:
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
            by_name = {i["name"]: i for i in infos}
            bad = [n for n in services if n in by_name
                   and by_name[n]["statename"] in ("BACKOFF", "FATAL", "EXITED")]
            if bad:
                raise sbs.PortConflict(f"services failed to start: {sorted(bad)[:5]}")
            for n in listeners:
                if n in by_name and by_name[n]["statename"] in ("BACKOFF", "FATAL", "EXITED"):
                    raise BenchError(f"listener {n} is {by_name[n]['statename']}; see {self.tmp}/logs/{n}.err")
            up = [n for n in services | listeners if by_name.get(n, {}).get("state") == sbs.RUNNING]
            if len(up) == len(services) + len(listeners):
                return by_name
            last = f"{len(up)}/{len(services) + len(listeners)} processes RUNNING"
            time.sleep(0.2)
        raise BenchError(f"fleet not RUNNING in time ({last})")


@contextlib.contextmanager
def fleet(args, py: Path, supercheck: Path, key: str, rng: random.Random):
    """The fleet and the listeners of way `key` under a fresh supervisord, all RUNNING.

    Yields (sup, way, tmp, base, services); supervisord and its children are stopped
    by pid and the temp dir removed on the way out. A port clash is retried (3 tries).
    """
    n = args.groups * args.services
    for _attempt in range(3):
        tmp = Path(tempfile.mkdtemp(prefix="asbs-"))  # short: unix socket paths are < 108 bytes
        sup = None
        try:
            (tmp / "mode").mkdir()
            (tmp / "logs").mkdir()
            base, held = sbs.reserve_port_range(n, rng)
            services = {f"svc_{p}" for p in range(base, base + n)}
            for name in services:
                (tmp / "mode" / name).write_text("ok\n")
            way = make_way(key, args, supercheck, tmp / "agent.toml")
            if key == "agent":
                (tmp / "agent.toml").write_text(agent_toml(args.groups, args.timeout))
                log(f"  {check_agent_config(supercheck, tmp / 'agent.toml').splitlines()[0]}")
            conf = write_conf(tmp, args, base, supercheck, way)
            sup = Supervisord(py, conf, tmp)
            for s in held:
                s.close()
            log(f"{key}: supervisord with {args.groups} x {args.services} services "
                f"(svc_{base}..svc_{base + n - 1}) and {len(way.listeners)} listeners in {tmp}")
            sup.start()
            try:
                sup.wait_ready(services, set(way.listeners), time.time() + 30 + 0.3 * n)
            except sbs.PortConflict as e:
                log(f"{e}; retrying with other ports")
                continue
            sup.remember_children()
            yield sup, way, tmp, base, services
            return
        finally:
            if sup:
                sup.stop()
            if args.keep_tmp:
                log(f"kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    raise BenchError(f"could not start {n} services after 3 port ranges")


# ------------------------------------------------------------------------ measuring


class TickTracker:
    """Follows supervisord's log: which TICK each listener got and acknowledged.

    A tick is complete once every listener acknowledged it; the windows are bounded by
    complete ticks, so no listener is between a dispatch and its ACK at either end.
    """

    def __init__(self, slog: sbs.SupervisorLog, names):
        self.slog = slog
        self.names = set(names)
        self.i = 0
        self.sent: dict[int, dict[str, float]] = {}
        self.acked: dict[int, dict[str, float]] = {}
        self.busy: dict[str, int] = {}
        self.complete: list[tuple[int, float]] = []  # (serial, time of the last ACK)

    def feed(self) -> None:
        self.slog.poll()
        entries = self.slog.entries
        while self.i < len(entries):
            e = entries[self.i]
            self.i += 1
            m = sbs.DISPATCH.match(e.msg)
            if m and m.group(2) in self.names:
                serial = int(m.group(1))
                self.sent.setdefault(serial, {})[m.group(2)] = e.t
                self.busy[m.group(2)] = serial
            elif e.msg.endswith(ACK):
                name = e.msg[: -len(ACK)]
                if name in self.busy:
                    serial = self.busy.pop(name)
                    got = self.acked.setdefault(serial, {})
                    got[name] = e.t
                    if len(got) == len(self.names):
                        self.complete.append((serial, e.t))

    def wait_complete(self, count: int, deadline: float) -> int:
        """Waits for `count` more complete ticks; returns the index of the last one."""
        target = len(self.complete) + count
        while True:
            self.feed()
            if len(self.complete) >= target:
                return target - 1
            if time.time() >= deadline:
                raise BenchError(
                    f"only {len(self.complete) - target + count} of {count} ticks acknowledged "
                    f"by every listener in time (still busy: {sorted(self.busy)})"
                )
            time.sleep(0.05)

    def latencies(self, serials) -> dict[str, list[float]]:
        out = {name: [] for name in sorted(self.names)}
        for s in serials:
            for name, t in self.acked.get(s, {}).items():
                if name in self.sent.get(s, {}):
                    out[name].append((t - self.sent[s][name]) * 1000)
        return out


class CpuWindow:
    """CPU of some processes over a window, in ms, the way side_by_side.py measures one.

    Per-thread schedstat (ns) for a process whose thread set did not change (sampled
    with sample()) and agrees with /proc/PID/stat; else utime+stime (10 ms ticks).
    """

    def __init__(self, pids: dict[str, int]):
        self.pids = dict(pids)
        self.before = {name: sbs.proc_cpu_ns(pid) for name, pid in self.pids.items()}
        self.tids = {name: set(b[2]) for name, b in self.before.items()}

    def sample(self) -> None:
        for name, pid in self.pids.items():
            try:
                self.tids[name].update(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                raise BenchError(f"{name} (pid {pid}) died during the CPU window") from None

    def finish(self) -> tuple[dict[str, float], dict[str, str]]:
        ms, source = {}, {}
        for name, pid in self.pids.items():
            b, a = self.before[name], sbs.proc_cpu_ns(pid)
            stat_ms = (a[0] - b[0]) / 1e6
            if (b[1] is not None and a[1] is not None and b[2] == a[2] == frozenset(self.tids[name])
                    and stat_ms <= (a[1] - b[1]) / 1e6 + 20):
                ms[name], source[name] = (a[1] - b[1]) / 1e6, "schedstat"
            else:
                ms[name], source[name] = stat_ms, "stat"
        return ms, source


def smaps_rollup_kb(pid: int) -> dict[str, int]:
    """Rss, Pss, Private (Private_Clean + Private_Dirty) and VmRSS of a process, in kB."""
    out = {"Rss": 0, "Pss": 0, "Private": 0}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, value = line.partition(":")
        parts = value.split()
        if not parts or not parts[0].isdigit():
            continue
        if key in ("Rss", "Pss"):
            out[key] = int(parts[0])
        elif key in ("Private_Clean", "Private_Dirty"):
            out["Private"] += int(parts[0])
    out["VmRSS"] = sbs.proc_mem_kb(pid).get("VmRSS", 0)
    return out


# --------------------------------------------------------------- the counting proxy


METHOD = re.compile(rb"<methodName>\s*([^<\s]+)\s*</methodName>")
MULTI_INNER = re.compile(
    rb"<name>\s*methodName\s*</name>\s*<value>\s*(?:<string>)?\s*([^<\s]+)", re.S
)


class CountingProxy:
    """A unix socket forwarding to supervisord's, counting the requests sent through it.

    Client to supervisord, the byte stream is parsed request by request (headers up to
    the blank line, then Content-Length bytes of body) and each is counted by its
    XML-RPC methodName (inner calls of system.multicall as `system.multicall/NAME`)
    before it is forwarded unchanged; supervisord's replies are forwarded as they come.
    Keep-alive connections work as on the real socket.
    """

    def __init__(self, path: Path, upstream: Path):
        self.path, self.upstream = path, upstream
        self.counts: collections.Counter = collections.Counter()
        self.connections = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stopping = False
        self.socks: set[socket.socket] = set()
        self.threads: list[threading.Thread] = []
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self._spawn(self._accept)

    def _spawn(self, target, *a) -> None:
        t = threading.Thread(target=target, args=a, daemon=True)
        self.threads.append(t)
        t.start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self.lock:
                self.connections += 1
                self.socks.add(client)
            self._spawn(self._handle, client)

    def snapshot(self) -> tuple[collections.Counter, int]:
        """(requests by method, connections accepted) so far."""
        with self.lock:
            return collections.Counter(self.counts), self.connections

    def _count(self, key: str) -> None:
        with self.lock:
            self.counts[key] += 1

    def _handle(self, client: socket.socket) -> None:
        up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            up.settimeout(10)
            up.connect(str(self.upstream))
            up.settimeout(None)
            with self.lock:
                self.socks.add(up)
            pump = threading.Thread(target=self._pump, args=(up, client), daemon=True)
            pump.start()
            try:
                self._requests(client, up)
            finally:
                with contextlib.suppress(OSError):
                    up.shutdown(socket.SHUT_WR)
            pump.join(timeout=30)
        except OSError as e:
            if not self.stopping:
                self.errors.append(f"connection: {e}")
        finally:
            for s in (client, up):
                with self.lock:
                    self.socks.discard(s)
                s.close()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def _requests(self, client: socket.socket, up: socket.socket) -> None:
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                data = client.recv(65536)
                if not data:
                    if buf:
                        up.sendall(buf)
                    return
                buf += data
            head, _, buf = buf.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            verb = lines[0].split(b" ", 1)[0].decode("latin-1")
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(b":")
                headers[k.strip().lower()] = v.strip()
            if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
                # Not seen from any listener here; forward the rest raw and say so.
                self._count(f"{verb} (chunked, not parsed)")
                up.sendall(head + b"\r\n\r\n" + buf)
                self._pump(client, up)
                return
            length = int(headers.get(b"content-length", b"0") or 0)
            while len(buf) < length:
                data = client.recv(65536)
                if not data:
                    break
                buf += data
            body, buf = buf[:length], buf[length:]
            m = METHOD.search(body)
            if verb != "POST" or not m:
                self._count(f"{verb} {lines[0].split(b' ')[1].decode('latin-1') if b' ' in lines[0] else ''}")
            else:
                method = m.group(1).decode("latin-1")
                self._count(method)
                if method == "system.multicall":
                    for inner in MULTI_INNER.findall(body):
                        self._count(f"system.multicall/{inner.decode('latin-1')}")
            up.sendall(head + b"\r\n\r\n" + body)

    def close(self) -> None:
        self.stopping = True
        with contextlib.suppress(OSError):
            self.listener.close()
        with self.lock:
            socks = list(self.socks)
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        for t in self.threads:
            t.join(timeout=5)
        with contextlib.suppress(OSError):
            self.path.unlink()


# --------------------------------------------------------------------- one way, measured


@dataclass
class Result:
    way: str
    label: str
    groups: int
    services: int
    listeners: list[str] = field(default_factory=list)
    base_port: int = 0
    ticks: int = 0
    window_s: float | None = None
    listener_cpu_ms_per_tick: float | None = None
    listener_cpu_ms: dict[str, float] = field(default_factory=dict)  # per listener, per tick
    cpu_sources: dict[str, str] = field(default_factory=dict)
    supervisord_cpu_ms_per_tick: float | None = None
    supervisord_rss_kb: int | None = None
    pss_kb: int | None = None
    rss_kb: int | None = None
    private_kb: int | None = None
    memory: dict[str, dict] = field(default_factory=dict)  # per listener
    tick_ms: dict[str, list[float]] = field(default_factory=dict)  # per listener
    count_ticks: int = 0
    calls_per_tick: dict[str, float] = field(default_factory=dict)  # by method, all listeners
    calls_by_listener: dict[str, dict[str, float]] = field(default_factory=dict)
    connections_per_tick: float = 0.0  # accepted by the proxies during the counted ticks
    healthy_restarts: int = 0
    overflows: int = 0
    rejected: int = 0
    unknown: int = 0
    listener_restarts: int = 0
    load_before: float | None = None
    load_after: float | None = None
    notes: list[str] = field(default_factory=list)

    def calls_total(self) -> float | None:
        return sum(v for k, v in self.calls_per_tick.items() if "/" not in k) if self.count_ticks else None

    def all_tick_ms(self) -> list[float]:
        return [x for xs in self.tick_ms.values() for x in xs]


def loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def listener_pids(sup: Supervisord, names) -> dict[str, int]:
    infos = {i["name"]: i for i in sup.server().supervisor.getAllProcessInfo()}
    pids = {n: infos[n]["pid"] for n in names}
    if not all(pids.values()):
        raise BenchError(f"a listener has no pid: {pids}")
    return pids


def cpu_phase(args, sup: Supervisord, tracker: TickTracker | None, names: list[str],
              res: Result) -> None:
    """CPU of the listeners and supervisord over K complete ticks; memory after them."""
    deadline = time.time() + (args.ticks + 2) * TICK_S + 60
    if tracker:
        tracker.wait_complete(1, time.time() + 3 * TICK_S + 30)  # warm-up tick
        start = tracker.wait_complete(1, time.time() + 2 * TICK_S + 30)
    pids = listener_pids(sup, names) if names else {}
    win = CpuWindow({**pids, "supervisord": sup.proc.pid})
    t0 = time.time()
    done = len(tracker.complete) + args.ticks if tracker else None
    while True:
        if tracker:
            tracker.feed()
            if len(tracker.complete) >= done:
                break
        elif time.time() - t0 >= args.ticks * TICK_S:
            break
        if time.time() > deadline:
            got = len(tracker.complete) - start - 1 if tracker else 0
            raise BenchError(f"only {got} of {args.ticks} ticks complete in the CPU window")
        win.sample()
        time.sleep(0.02)
    ms, sources = win.finish()
    res.window_s = time.time() - t0
    res.ticks = args.ticks
    res.supervisord_cpu_ms_per_tick = ms.pop("supervisord") / args.ticks
    sources.pop("supervisord")
    res.supervisord_rss_kb = sbs.proc_mem_kb(sup.proc.pid).get("VmRSS")
    if names:
        res.listener_cpu_ms = {n: v / args.ticks for n, v in ms.items()}
        res.listener_cpu_ms_per_tick = sum(res.listener_cpu_ms.values())
        res.cpu_sources = sources
        res.memory = {n: smaps_rollup_kb(pid) for n, pid in pids.items()}
        res.pss_kb = sum(m["Pss"] for m in res.memory.values())
        res.rss_kb = sum(m["VmRSS"] for m in res.memory.values())
        res.private_kb = sum(m["Private"] for m in res.memory.values())
        serials = [s for s, _ in tracker.complete[start + 1:done]]
        res.tick_ms = tracker.latencies(serials)


def count_phase(args, sup: Supervisord, slog: sbs.SupervisorLog, tmp: Path, base: int,
                supercheck: Path, way: Way, services: set[str], res: Result) -> None:
    """Each listener through its own counting proxy, restarted; calls over complete ticks."""
    names = list(way.listeners)
    proxies = {n: CountingProxy(tmp / f"rpc-{n}.sock", sup.sock) for n in names}
    try:
        write_conf(tmp, args, base, supercheck, way,
                   {n: f"unix://{p.path}" for n, p in proxies.items()})
        server = sup.server()
        try:
            added, changed, removed = server.supervisor.reloadConfig()[0]
            if added or removed or sorted(changed) != sorted(names):
                raise BenchError(f"reloadConfig: added {added}, changed {changed}, removed "
                                 f"{removed}; expected the listeners {names} changed")
            for n in names:
                server.supervisor.stopProcessGroup(n)
                server.supervisor.removeProcessGroup(n)
                server.supervisor.addProcessGroup(n)
        except (OSError, xmlrpc.client.Error) as e:
            raise BenchError(f"restarting the listeners behind their proxies: {e}") from None
        sup.wait_ready(services, set(names), time.time() + 60)
        sup.remember_children()
        for n, pid in listener_pids(sup, names).items():
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            want = f"SUPERVISOR_SERVER_URL=unix://{proxies[n].path}".encode()
            if want not in env:
                raise BenchError(f"{n} (pid {pid}) did not get {want.decode()} from supervisord")
        tracker = TickTracker(slog, names)
        tracker.i = len(slog.entries)  # the restarted listeners only
        tracker.wait_complete(1, time.time() + 3 * TICK_S + 30)  # warm-up tick
        before = {n: p.snapshot() for n, p in proxies.items()}
        tracker.wait_complete(args.count_ticks, time.time() + (args.count_ticks + 2) * TICK_S + 30)
        after = {n: p.snapshot() for n, p in proxies.items()}
    finally:
        for p in proxies.values():
            p.close()
    res.count_ticks = args.count_ticks
    total: collections.Counter = collections.Counter()
    for n in names:
        d = after[n][0] - before[n][0]
        res.connections_per_tick += (after[n][1] - before[n][1]) / args.count_ticks
        total += d
        res.calls_by_listener[n] = {k: v / args.count_ticks for k, v in sorted(d.items())}
        if not d:
            res.notes.append(f"{n} made no call through its proxy")
    res.calls_per_tick = {k: v / args.count_ticks for k, v in sorted(total.items())}
    for n, p in proxies.items():
        if p.errors:
            res.notes.append(f"proxy of {n}: {p.errors[0]}")


def protocol_health(entries, names: set[str], services: set[str], res: Result) -> None:
    """Event buffer overflows, rejected events, UNKNOWN, listener (re)spawns, service stops."""
    spawns: collections.Counter = collections.Counter()
    for e in entries:
        if e.msg.startswith("pool ") and "event buffer overflowed" in e.msg:
            res.overflows += 1
        elif e.msg.endswith(": event was rejected"):
            res.rejected += 1
        elif ": has entered the UNKNOWN state" in e.msg:
            res.unknown += 1
        elif sbs.stopish_name(e) in services:
            res.healthy_restarts += 1
        else:
            m = sbs.SPAWNED.match(e.msg)
            if m and m.group(1) in names:
                spawns[m.group(1)] += 1
    res.listener_restarts = sum(max(0, c - 1) for c in spawns.values())


def run_way(args, py: Path, supercheck: Path, key: str, rng: random.Random) -> Result:
    res = Result(key, "", args.groups, args.services)
    res.load_before = loadavg()
    with fleet(args, py, supercheck, key, rng) as (sup, way, tmp, base, services):
        res.label, res.listeners, res.base_port = way.label, list(way.listeners), base
        slog = sbs.SupervisorLog(tmp / "supervisord.log")
        names = list(way.listeners)
        tracker = TickTracker(slog, names) if names else None
        cpu_phase(args, sup, tracker, names, res)
        slog.poll()
        cpu_end = len(slog.entries)
        log(f"  CPU per tick: listeners {fmt(res.listener_cpu_ms_per_tick, '.2f')} ms, supervisord "
            f"{res.supervisord_cpu_ms_per_tick:.2f} ms; PSS {fmt(res.pss_kb and res.pss_kb / 1024)} MiB, "
            f"VmRSS {fmt(res.rss_kb and res.rss_kb / 1024)} MiB; tick latency median "
            f"{fmt(med(res.all_tick_ms()))} ms")
        if names and args.count_ticks:
            count_phase(args, sup, slog, tmp, base, supercheck, way, services, res)
            log(f"  XML-RPC calls per tick: {fmt(res.calls_total(), '.1f')} "
                f"({', '.join(f'{k} {v:g}' for k, v in res.calls_per_tick.items())})")
        slog.poll()
        protocol_health(slog.entries[:cpu_end], set(names), services, res)
        res.healthy_restarts = sum(1 for e in slog.entries if sbs.stopish_name(e) in services)
    res.load_after = loadavg()
    return res


# ---------------------------------------------------------------------------- report


def mib(kb) -> float | None:
    return None if kb is None else kb / 1024


TABLE_HEAD = (
    "| way | listeners | CPU per tick: listeners (ms) | CPU per tick: supervisord (ms) "
    "| XML-RPC calls per tick | PSS sum (MiB) | private sum (MiB) | VmRSS sum (MiB) "
    "| tick latency median / max (ms) | notes |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
)


def table_row(r: Result) -> str:
    notes = list(r.notes)
    stat = sorted(n for n, s in r.cpu_sources.items() if s == "stat")
    if stat:
        notes.append(f"listener CPU from /proc/PID/stat for {len(stat)} of {len(r.cpu_sources)} "
                     f"(threads come and go; ±{20 / r.ticks:.1f} ms/tick each)")
    if r.healthy_restarts:
        notes.append(f"{r.healthy_restarts} service restarts while healthy")
    if r.overflows:
        notes.append(f"{r.overflows} event buffer overflows")
    if r.rejected or r.unknown:
        notes.append(f"{r.rejected} rejected, {r.unknown} UNKNOWN")
    if r.listener_restarts:
        notes.append(f"listeners restarted {r.listener_restarts}×")
    load = max((x for x in (r.load_before, r.load_after) if x is not None), default=None)
    if load is not None and load > LOAD_NOTE:
        notes.append(f"load average {load:.1f}")
    lat = r.all_tick_ms()
    return (
        f"| {r.label} | {len(r.listeners)} | {fmt(r.listener_cpu_ms_per_tick, '.2f')} "
        f"| {fmt(r.supervisord_cpu_ms_per_tick, '.2f')} | {fmt(r.calls_total(), '.1f')} "
        f"| {fmt(mib(r.pss_kb))} | {fmt(mib(r.private_kb))} | {fmt(mib(r.rss_kb))} "
        f"| {fmt(med(lat))} / {fmt(max(lat) if lat else None)} | {'; '.join(notes)} |"
    )


def calls_table(results: list[Result]) -> list[str]:
    rows = [r for r in results if r.count_ticks]
    if not rows:
        return []
    methods = sorted({k for r in rows for k in r.calls_per_tick})
    out = ["| way | " + " | ".join(f"`{m}`" for m in methods) + " | total | new connections |",
           "|---|" + "---:|" * (len(methods) + 2)]
    for r in rows:
        out.append(f"| {r.label} | " + " | ".join(fmt(r.calls_per_tick.get(m, 0.0), 'g')
                                                   for m in methods)
                   + f" | {fmt(r.calls_total(), 'g')} | {fmt(r.connections_per_tick, 'g')} |")
    return out


def latency_table(results: list[Result]) -> list[str]:
    rows = [r for r in results if r.tick_ms]
    if not rows:
        return []
    out = ["| way | listener | CPU per tick (ms) | tick latency median / max (ms) | PSS / private / VmRSS (MiB) |",
           "|---|---|---:|---:|---:|"]
    for r in rows:
        for n in r.listeners:
            m = r.memory.get(n, {})
            xs = r.tick_ms.get(n, [])
            out.append(
                f"| {r.way} | {n} | {fmt(r.listener_cpu_ms.get(n), '.2f')} "
                f"| {fmt(med(xs))} / {fmt(max(xs) if xs else None)} "
                f"| {fmt(mib(m.get('Pss')))} / {fmt(mib(m.get('Private')))} / {fmt(mib(m.get('VmRSS')))} |"
            )
    return out


def goals(results: list[Result]) -> list[str]:
    by = {r.way: r for r in results}
    out = []
    agent = by.get("agent")
    for key in ("rust", "python"):
        other = by.get(key)
        if agent and other and other.supervisord_cpu_ms_per_tick:
            a, o = agent.supervisord_cpu_ms_per_tick, other.supervisord_cpu_ms_per_tick
            ok = a <= o / SUPERVISORD_RATIO_GOAL
            out.append(
                f"- {'PASS' if ok else 'FAIL'}: supervisord CPU per tick with the agent "
                f"{a:.2f} ms ≤ 1/{SUPERVISORD_RATIO_GOAL} of {other.label}' {o:.2f} ms "
                f"(limit {o / SUPERVISORD_RATIO_GOAL:.2f} ms; ratio 1/{o / a:.1f})"
            )
    if agent and agent.pss_kb is not None:
        ok = agent.pss_kb < PSS_GOAL_KB
        out.append(
            f"- {'PASS' if ok else 'FAIL'}: agent PSS {agent.pss_kb} kB ({agent.pss_kb / 1024:.2f} MiB) "
            f"< 3 MB ({PSS_GOAL_KB:.0f} kB); private {agent.private_kb} kB, VmRSS {agent.rss_kb} kB"
        )
    py = by.get("python")
    if py and py.pss_kb is not None:
        out.append(
            f"- reference: the {len(py.listeners)} Python listeners' PSS sum {py.pss_kb / 1024:.1f} MiB "
            f"({py.pss_kb * 1024 / 1e6:.0f} MB; ~270 MB expected for ten), VmRSS sum "
            f"{py.rss_kb / 1024:.1f} MiB"
        )
    none = by.get("none")
    if none and agent:
        out.append(
            f"- reference: supervisord with the fleet and no listener {none.supervisord_cpu_ms_per_tick:.2f} ms "
            f"per 5 s; above that, the agent costs it "
            f"{agent.supervisord_cpu_ms_per_tick - none.supervisord_cpu_ms_per_tick:.2f} ms per tick"
            + "".join(
                f", {by[k].label} {by[k].supervisord_cpu_ms_per_tick - none.supervisord_cpu_ms_per_tick:.2f} ms"
                for k in ("rust", "python") if k in by
            )
        )
    return out


def write_report(args, py: Path, supercheck: Path, results: list[Result], loads: tuple, out: Path) -> str:
    now = datetime.datetime.now().astimezone()
    title = args.title or (f"one agent against ten drop-ins, {args.groups} groups × {args.services} "
                           "services")
    lines = [f"## {title}: {now.strftime('%Y-%m-%d %H:%M %Z')}", ""]
    lines += sbs.machine_info(py)
    digest = hashlib.sha256(supercheck.read_bytes()).hexdigest()[:16]
    lines.append(f"- supercheck binary: `{rel(supercheck)}`"
                 + (" (given with --supercheck)" if args.supercheck else " (built by the harness)")
                 + f", sha256 {digest}…")
    lo, hi = loads
    busy = " (above ~3 on 2 cores: other work was running, the figures include it)" if max(
        x or 0 for x in loads) > LOAD_NOTE else ""
    lines += [
        f"- load average (1 min): {fmt(lo, '.2f')} at the start, {fmt(hi, '.2f')} at the end{busy}",
        f"- {args.ticks} healthy TICK_5s per way for CPU, memory and latency (after one warm-up "
        f"tick); XML-RPC calls over {args.count_ticks} more ticks through counting proxies (below)",
        "",
        "Command lines:",
        "",
        "```",
        "# harness",
        "python3 " + " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
        "# supervisord (unix socket, loglevel=debug)",
        f"{rel(py)} -m supervisor.supervisord -n -c <tmp>/supervisord.conf",
        f"# services: [program:gK] for K in 0..{args.groups - 1}, numprocs={args.services}, "
        "process_name=svc_%(process_num)d",
        f"{rel(supercheck)} demo-service --port %(process_num)d --mode-file <tmp>/mode/svc_%(process_num)d",
    ]
    for key in args.ways:
        way = make_way(key, args, supercheck, Path("<tmp>/agent.toml"))
        if not way.listeners:
            continue
        first = next(iter(way.listeners))
        sect = "checkK" if len(way.listeners) > 1 else first
        cmd = way.listeners[first].replace(str(ROOT) + "/", "")
        if len(way.listeners) > 1:
            cmd = cmd.replace("g0", "gK")
        lines += [f"# {way.label}: [eventlistener:{sect}], events=TICK_5", cmd]
    lines += ["```", ""]
    if "agent" in args.ways:
        lines += ["The agent's file (the first of its tables; one per group):", "", "```toml",
                  agent_toml(1, args.timeout).split("\n", 1)[1].rstrip(), "```", ""]
    lines += [
        "(paths relative to the repository root)",
        "",
        "XML-RPC calls were counted in a second phase on the same supervisord, after the CPU "
        "window: each listener's `serverurl=` pointed at its own counting proxy (a harness thread "
        "on a unix socket, forwarding to supervisord's and parsing each request's `methodName`), the "
        "listener groups restarted with reloadConfig, and the requests counted over complete ticks "
        "(every listener acknowledged), after one warm-up tick.",
        "",
        TABLE_HEAD.rstrip("\n"),
    ]
    lines += [table_row(r) for r in results]
    lines.append("")
    ct = calls_table(results)
    if ct:
        lines += ["XML-RPC calls per tick, by method:", ""] + ct + [""]
    lt = latency_table(results)
    if lt:
        lines += ["<details><summary>Per listener</summary>", ""] + lt + ["", "</details>", ""]
    g = goals(results)
    if g:
        lines += ["Goals:", ""] + g + [""]
    section = "\n".join(lines) + "\n"
    if not args.no_write:
        if not out.exists():
            out.write_text(
                "# One agent against ten drop-ins\n\n"
                "Written by `benches/agent_side_by_side.py`; each run appends a section. "
                "What each column means: benches/README.md, \"One agent against ten drop-ins\".\n\n"
            )
        with open(out, "a") as f:
            f.write(section + "\n")
        log(f"appended to {out}")
    return section


# ------------------------------------------------------------------------------ main


def main() -> int:
    ap = argparse.ArgumentParser(
        description="One supercheck agent against ten drop-in listeners (Python and supercheck) "
        "on a fleet of groups under a real supervisord: CPU per tick of the listeners and of "
        "supervisord, PSS, XML-RPC calls per tick, tick latency."
    )
    ap.add_argument("--ways", default=DEFAULT_WAYS,
                    help=f"comma separated, in order, from {','.join(WAYS)} (default {DEFAULT_WAYS}; "
                    "none = the fleet without any listener)")
    ap.add_argument("--groups", type=int, default=10, help="groups (one drop-in listener each)")
    ap.add_argument("--services", type=int, default=10, help="services per group")
    ap.add_argument("--ticks", type=int, default=6, help="healthy TICK_5s for CPU, memory and latency")
    ap.add_argument("--count-ticks", type=int, default=3,
                    help="ticks over which XML-RPC calls are counted (0: skip that phase)")
    ap.add_argument("--timeout", type=int, default=2, help="the checks' timeout in seconds")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 3 groups x 3 services, 2 ticks, 1 counted tick")
    ap.add_argument("--venv", type=Path, default=BENCHES / ".venv",
                    help="venv for supervisor and supervisor_checks (created if missing)")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build")
    ap.add_argument("--supercheck", type=Path, metavar="BINARY",
                    help="use this supercheck binary (services, drop-ins and agent) instead of "
                    "building one; e.g. a build of a clean export while the tree has others' changes")
    ap.add_argument("--out", type=Path, default=BENCHES / "agent_side_by_side.md")
    ap.add_argument("--no-write", action="store_true", help="print only, do not append to --out")
    ap.add_argument("--json", type=Path, help="also write raw results as JSON here")
    ap.add_argument("--title", help="section title in the report")
    ap.add_argument("--keep-tmp", action="store_true", help="keep temp dirs (debugging)")
    ap.add_argument("--seed", type=int, help="seed for the port choice")
    args = ap.parse_args()
    if args.quick:
        args.groups, args.services, args.ticks, args.count_ticks = 3, 3, 2, 1
    args.ways = list(dict.fromkeys(w.strip() for w in args.ways.split(",") if w.strip()))
    bad = [w for w in args.ways if w not in WAYS]
    if bad or not args.ways:
        ap.error(f"--ways: unknown {bad}; choose from {','.join(WAYS)}")
    if min(args.groups, args.services, args.ticks, args.timeout) < 1 or args.count_ticks < 0:
        ap.error("--groups, --services, --ticks and --timeout must be positive")
    args.venv = args.venv.resolve()

    py = sbs.ensure_venv(args.venv)
    if args.supercheck:
        supercheck = args.supercheck.resolve()
        if not os.access(supercheck, os.X_OK):
            raise BenchError(f"--supercheck {supercheck}: not an executable file")
    else:
        supercheck = sbs.build_supercheck(args.no_build)
    rng = random.Random(args.seed)

    results = []
    load_start = loadavg()
    if load_start is not None and load_start > LOAD_NOTE:
        log(f"load average {load_start:.2f}: other work is running; the figures will include it")
    # Let a Ctrl-C or SIGTERM unwind through the finally blocks that stop supervisord.
    signal.signal(signal.SIGTERM, sbs._interrupt)
    for key in args.ways:
        t0 = time.time()
        results.append(run_way(args, py, supercheck, key, rng))
        log(f"{key} done in {time.time() - t0:.0f} s")
        print(table_row(results[-1]), flush=True)
    loads = (load_start, loadavg())

    section = write_report(args, py, supercheck, results, loads, args.out)
    print_report(section, results, args.json)
    return 0


if __name__ == "__main__":
    run_cli(main)
