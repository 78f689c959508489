#!/usr/bin/env python3
"""Side-by-side bench: superlance's httpok and memmon against supercheck's drop-ins.

For each tool (httpok, memmon), each listener (python = superlance 2.0.0 from PyPI,
rust = the static musl build of supercheck run through a symlink named `httpok` or
`memmon`, exactly as a migrated `[eventlistener:x]` runs it) and each fleet size N,
a real supervisord 4.3.0 runs N demo services (`supercheck demo-service`,
`process_name=web_%(process_num)d`, all healthy) and the tool as
`[eventlistener:check]` with `events=TICK_5`, the same for both:

    httpok -p web:web_<b> -p web:web_<b+1> ... -p web:web_<b+N-1> -t <timeout> http://127.0.0.1:<b>/ping
    memmon -g web=200MB

superlance's httpok probes ONE URL per tick and acts on all its -p programs, so
it gets every service with -p and the URL of the first one. memmon reads the RSS of
every process supervisord runs on every tick; none is over the limit, so nothing
is restarted while measuring. Measured per (tool, listener, N):

* time to first READY: spawn -> first `READY\\n` on stdout, the listener run
  directly (outside supervisord) with the environment supervisord gives it; median
  of --ready-repeats runs;
* CPU per tick: utime+stime of the listener supervisord runs over --ticks healthy
  TICK_5s (per-thread schedstat in ns when no thread came or went), and separately
  the CPU of the children it reaped meanwhile (cutime+cstime: superlance's memmon
  runs `ps` through a shell for every process on every tick);
* tick latency: from supervisord's debug log, `event S sent to listener check` ->
  `check: BUSY -> ACKNOWLEDGED`, median and max over the same ticks;
* RSS: VmRSS / VmHWM of the listener after those ticks.

Python 3.11, stdlib only; the set-up and measuring helpers are side_by_side.py's.
supervisor, supervisor_checks and superlance come from PyPI into the same venv
(benches/.venv by default). Everything listens on 127.0.0.1 (and a unix socket in a
temp dir), every wait has a deadline, processes are stopped by pid, and the temp
dir is removed.

Usage: see benches/README.md, or `python3 benches/superlance_side_by_side.py --help`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shlex
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import side_by_side as sbs  # noqa: E402 - needs the path above
from side_by_side import BENCHES, ROOT, fmt, log, med, print_report, rel, run_cli  # noqa: E402

SUPERLANCE_VERSION = "2.0.0"
PACKAGES = {**sbs.PINNED, "superlance": SUPERLANCE_VERSION}
TOOLS = ("httpok", "memmon")
LISTENERS = ("python", "rust")
LOAD_NOTE = 3.0  # a 1-minute load average above this is noted in the report


@dataclass
class Result:
    tool: str
    listener: str
    n: int
    base_port: int = 0
    command: str = ""
    ready_ms: list[float] = field(default_factory=list)
    ticks: int = 0
    cpu_ms_per_tick: float | None = None
    cpu_source: str = ""
    cpu_stat_ms_per_tick: float | None = None
    children_cpu_ms_per_tick: float | None = None
    tick_ms: list[float] = field(default_factory=list)
    vmrss_kb: int | None = None
    vmhwm_kb: int | None = None
    probe_connections: int | None = None  # httpok: connections the probed service accepted
    probe_request: str | None = None  # httpok: the last request line it got
    healthy_restarts: int = 0
    overflows: int = 0
    rejected: int = 0
    unknown: int = 0
    listener_restarts: int = 0
    load_before: float | None = None
    load_after: float | None = None
    notes: list[str] = field(default_factory=list)


def loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def tool_binary(tool: str, listener: str, venv: Path, supercheck: Path) -> Path:
    """superlance's console script, or a symlink to supercheck named after the tool."""
    if listener == "python":
        return venv / "bin" / tool
    link = supercheck.parent / tool
    if not link.is_symlink():
        link.symlink_to(supercheck.name)
    return link


def tool_args(tool: str, n: int, base: int, timeout: int, limit: str) -> str:
    """The flags, identical for Python and Rust: everything but the program path."""
    if tool == "httpok":
        programs = " ".join(f"-p web:web_{port}" for port in range(base, base + n))
        return f"{programs} -t {timeout} http://127.0.0.1:{base}/ping"
    return f"-g web={limit}"


def read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def run_one(args, py: Path, supercheck: Path, tool: str, listener: str, n: int,
            rng: random.Random) -> Result:
    res = Result(tool, listener, n)
    binary = shlex.quote(str(tool_binary(tool, listener, args.venv, supercheck)))

    def command(base: int) -> str:
        res.base_port = base
        res.command = f"{binary} {tool_args(tool, n, base, args.timeout, args.limit)}"
        return res.command

    with sbs.fleet(py, supercheck, n, rng, command, f"{tool} {listener}", args.keep_tmp,
                   tmp_prefix="sls-") as (sup, infos, tmp, base):
        slog = sbs.SupervisorLog(tmp / "supervisord.log")
        names = {k for k, v in infos.items() if v["group"] == "web"}
        res.load_before = loadavg()

        # 1. time to first READY, run directly with supervisord's environment.
        res.ready_ms = sbs.measure_first_ready(
            shlex.split(res.command), sbs.supervisord_env(sup), tmp, args.ready_repeats
        )
        log(f"  first READY median {statistics.median(res.ready_ms):.1f} ms")

        # 2. CPU, children's CPU, latency and RSS over K healthy ticks.
        pid = sup.server().supervisor.getProcessInfo("check:check")["pid"]
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        accepts = tmp / "mode" / f"web_{base}.accepts"
        accepts_before = []
        # The service counts accepted connections in this file, created on the first one.
        w = sbs.measure_healthy_ticks(slog, pid, args.ticks,
                                      on_start=lambda: accepts_before.append(read_int(accepts) or 0))
        accepts_after = read_int(accepts) or 0
        res.load_after = loadavg()
        res.ticks = w.ticks
        res.cpu_ms_per_tick, res.cpu_source = w.cpu_ms_per_tick, w.cpu_source
        res.cpu_stat_ms_per_tick = w.cpu_stat_ms_per_tick
        res.children_cpu_ms_per_tick = w.children_cpu_ms_per_tick
        res.tick_ms = w.tick_ms
        res.vmrss_kb, res.vmhwm_kb = w.vmrss_kb, w.vmhwm_kb
        res.healthy_restarts = sum(1 for e in w.window if sbs.stopish_name(e) in names)
        if tool == "httpok":
            res.probe_connections = accepts_after - accepts_before[0]
            try:
                res.probe_request = (tmp / "mode" / f"web_{base}.last").read_text().splitlines()[0]
            except (OSError, IndexError):
                res.probe_request = None
            if not res.probe_request or not res.probe_request.startswith("GET /ping "):
                res.notes.append(f"the probed service never got GET /ping ({res.probe_request!r})")
        log(
            f"  CPU {res.cpu_ms_per_tick:.2f} ms/tick ({res.cpu_source}) + children "
            f"{res.children_cpu_ms_per_tick:.2f}, tick latency median "
            f"{fmt(med(res.tick_ms))} ms, VmRSS {res.vmrss_kb} kB"
        )
        res.overflows, res.rejected, res.unknown, res.listener_restarts = sbs.protocol_health(slog)
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() != cmdline:
                res.notes.append("listener pid changed during the run")
        except OSError:
            res.notes.append("listener pid gone during the run")
    return res


# ---------------------------------------------------------------------------- report


TABLE_HEAD = (
    "| tool | listener | N | first READY median (ms) | CPU per tick (ms) | children's CPU per tick (ms) "
    "| tick latency median / max (ms) | VmRSS / VmHWM (MiB) | notes |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---|\n"
)


def table_row(r: Result) -> str:
    notes = list(r.notes)
    if r.listener == "python":
        notes.insert(0, "RSS is the Python interpreter's")
    if r.cpu_source == "stat" and r.ticks:
        notes.append(f"CPU from /proc/PID/stat (±{20 / r.ticks:.1f} ms/tick)")
    if r.probe_connections is not None:
        notes.append(f"{r.probe_connections} probe connections in {r.ticks} ticks")
    if r.healthy_restarts:
        notes.append(f"{r.healthy_restarts} restarts while healthy")
    if r.overflows:
        notes.append(f"{r.overflows} event buffer overflows")
    if r.rejected or r.unknown:
        notes.append(f"{r.rejected} rejected, {r.unknown} UNKNOWN")
    if r.listener_restarts:
        notes.append(f"listener restarted {r.listener_restarts}×")
    load = max((x for x in (r.load_before, r.load_after) if x is not None), default=None)
    if load is not None and load > LOAD_NOTE:
        notes.append(f"load average {load:.1f}")
    mib = lambda kb: None if kb is None else kb / 1024  # noqa: E731
    return (
        f"| {r.tool} | {r.listener} | {r.n} | {fmt(med(r.ready_ms))} | {fmt(r.cpu_ms_per_tick, '.2f')} "
        f"| {fmt(r.children_cpu_ms_per_tick, '.1f')} "
        f"| {fmt(med(r.tick_ms))} / {fmt(max(r.tick_ms) if r.tick_ms else None)} "
        f"| {fmt(mib(r.vmrss_kb))} / {fmt(mib(r.vmhwm_kb))} | {'; '.join(notes)} |"
    )


def listener_label(listener: str) -> str:
    if listener == "python":
        return f"superlance {SUPERLANCE_VERSION}"
    return "supercheck, static musl build, as httpok/memmon"


def write_report(args, py: Path, supercheck: Path, results: list[Result], loads: tuple,
                 out: Path) -> str:
    now = datetime.datetime.now().astimezone()
    title = args.title or "httpok and memmon: " + " vs ".join(listener_label(x) for x in args.listeners)
    lines = [f"## {title}: {now.strftime('%Y-%m-%d %H:%M %Z')}", ""]
    lines += sbs.machine_info(py, ("superlance",))
    lo, hi = loads
    busy = " (above ~3 on 2 cores: other work was running, the figures include it)" if max(
        x or 0 for x in loads) > LOAD_NOTE else ""
    lines += [
        f"- load average (1 min): {fmt(lo, '.2f')} at the start, {fmt(hi, '.2f')} at the end{busy}",
        f"- {args.ticks} healthy TICK_5s per row; first READY over {args.ready_repeats} spawns",
        "",
        "Command lines:",
        "",
        "```",
        "# harness",
        "python3 " + " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
        "# supervisord",
        f"{rel(py)} -m supervisor.supervisord -n -c <tmp>/supervisord.conf",
        "# services ([program:web], numprocs=N, numprocs_start=<b> (a free port), all healthy)",
        f"{rel(supercheck)} demo-service --port %(process_num)d --mode-file <tmp>/mode/web_%(process_num)d",
    ]
    for tool in args.tools:
        for listener in args.listeners:
            path = rel(args.venv / "bin" / tool) if listener == "python" else rel(supercheck.parent / tool)
            flags = (
                f"-p web:web_<b> -p web:web_<b+1> ... -p web:web_<b+N-1> -t {args.timeout} "
                "http://127.0.0.1:<b>/ping"
                if tool == "httpok" else f"-g web={args.limit}"
            )
            lines += [f"# {tool}, {listener} ([eventlistener:check], events=TICK_5)", f"{path} {flags}"]
    lines += ["```", "", "(paths relative to the repository root)", "", TABLE_HEAD.rstrip("\n")]
    lines += [table_row(r) for r in results]
    lines.append("")
    section = "\n".join(lines) + "\n"
    if not args.no_write:
        if not out.exists():
            out.write_text(
                "# httpok and memmon side by side with superlance\n\n"
                "Written by `benches/superlance_side_by_side.py`; each run appends a section. "
                "What each column means: benches/README.md, \"httpok and memmon side by side\".\n\n"
            )
        with open(out, "a") as f:
            f.write(section + "\n")
        log(f"appended to {out}")
    return section


# ------------------------------------------------------------------------------ main


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Measure superlance's httpok and memmon (Python, from PyPI) and "
        "supercheck's drop-ins with the same flags on the same fleet under supervisord: "
        "time to first READY, CPU per tick, tick latency, RSS."
    )
    ap.add_argument("--tool", action="append", choices=TOOLS,
                    help="tool to measure (repeatable; default both)")
    ap.add_argument("--listener", action="append", choices=LISTENERS,
                    help=f"python = superlance {SUPERLANCE_VERSION} from the venv, rust = the static "
                    "musl build of supercheck through a symlink named after the tool (repeatable; "
                    "default both)")
    ap.add_argument("--sizes", default="1,10,100", help="fleet sizes N, comma separated")
    ap.add_argument("--ticks", type=int, default=6, help="healthy TICK_5s to measure over")
    ap.add_argument("--timeout", type=int, default=2, help="httpok's -t in seconds")
    ap.add_argument("--limit", default="200MB", help="memmon's limit for the group (-g web=LIMIT)")
    ap.add_argument("--ready-repeats", type=int, default=20, help="spawns for time to first READY")
    ap.add_argument("--quick", action="store_true", help="sizes 1,10, 2 ticks, 5 spawns")
    ap.add_argument("--venv", type=Path, default=BENCHES / ".venv",
                    help="venv for supervisor and superlance (created if missing)")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build")
    ap.add_argument("--out", type=Path, default=BENCHES / "superlance_side_by_side.md")
    ap.add_argument("--no-write", action="store_true", help="print only, do not append to --out")
    ap.add_argument("--json", type=Path, help="also write raw results as JSON here")
    ap.add_argument("--title", help="section title in the report")
    ap.add_argument("--keep-tmp", action="store_true", help="keep temp dirs (debugging)")
    ap.add_argument("--seed", type=int, help="seed for the port choice")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.ticks, args.ready_repeats = "1,10", 2, 5
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if not sizes or min(sizes) < 1 or args.ticks < 1 or args.timeout < 1 or args.ready_repeats < 1:
        ap.error("sizes, --ticks, --timeout and --ready-repeats must be positive")
    args.tools = list(dict.fromkeys(args.tool or TOOLS))
    args.listeners = list(dict.fromkeys(args.listener or LISTENERS))
    args.venv = args.venv.resolve()

    py = sbs.ensure_venv(args.venv, PACKAGES)
    supercheck = sbs.build_supercheck(args.no_build)
    rng = random.Random(args.seed)

    results = []
    load_start = loadavg()
    if load_start is not None and load_start > LOAD_NOTE:
        log(f"load average {load_start:.2f}: other work is running; the figures will include it")
    # Let a Ctrl-C or SIGTERM unwind through the finally blocks that stop supervisord.
    signal.signal(signal.SIGTERM, sbs._interrupt)
    # Python and Rust alternate for each (tool, N), so a change of load hits both alike.
    for tool in args.tools:
        for n in sizes:
            for listener in args.listeners:
                t0 = time.time()
                results.append(run_one(args, py, supercheck, tool, listener, n, rng))
                log(f"{tool} {listener} N={n} done in {time.time() - t0:.0f} s")
                print(table_row(results[-1]), flush=True)

    section = write_report(args, py, supercheck, results, (load_start, loadavg()), args.out)
    print_report(section, results, args.json)
    return 0


if __name__ == "__main__":
    run_cli(main)
