#!/usr/bin/env python3
"""Writes std-runner/link/hot-text.ld: the functions the listener runs, laid out together.

A static binary's code is mapped from the page cache, and the kernel maps 64 KiB
around every page the process touches ("fault-around"), or the whole large folio
the page is in on recent kernels. Code the listener runs
is scattered among code it never runs (serve, TLS, mDNS, the manuals), so a few
hundred KiB of hot functions make almost the whole 2 MiB text resident. This
script finds the functions that really run and writes a linker script that puts
them in one `.text.hot` output section ahead of `.text`; std-runner's build.rs
passes it to the linker for release builds on Linux.

How: it builds the release binary for x86_64 musl without stripping, then runs it
under `valgrind --tool=callgrind` as the event listener of a real supervisord with
demo services: as `supervisor_http_check` with 100 services (start-up, healthy
TICK_5s, a hung service found and restarted, a clean stop), then as `httpok` and
`memmon` with 10. Every function callgrind saw run (and every other name of the
same code) becomes one input-section pattern, with the legacy mangling's hash and
the v0 mangling's crate disambiguators wildcarded, so the file survives rebuilds
and toolchain updates; a function added later stays in `.text` until the script is
run again. Functions of the existing file that a run does not see are kept, after
the new ones (`--fresh` drops them). Run it after changes to the listener's path:

    python3 benches/hot_text.py            # ~3 min; needs valgrind and cargo
    python3 benches/hot_text.py --save-profiles DIR    # keep callgrind's output
    python3 benches/hot_text.py --profiles DIR         # render again without training

The effect is measured by benches/side_by_side.py (VmRSS) and written down in
benches/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import side_by_side as sbs  # noqa: E402

OUT = sbs.ROOT / "std-runner" / "link" / "hot-text.ld"
TRAIN_TARGET = sbs.ROOT / "target" / "hot-text"
FN_LINE = re.compile(r"^c?fn=\((\d+)\)(?: (.+))?$")
LEGACY_HASH = re.compile(r"17h[0-9a-f]{16}E$")
V0_CRATE = re.compile(r"Cs[0-9A-Za-z]{1,20}_")
GCC_CLONE = re.compile(r"\.(isra|constprop|part|cold)\.\d+.*$")
LTO_SUFFIX = re.compile(r"\.\d+$")  # a local symbol LTO renamed to keep it unique


def build_unstripped() -> Path:
    """The shipped release build, unstripped (symbols only: same code, same layout)."""
    sbs.log(f"cargo build --release --target {sbs.MUSL} -p supercheck (unstripped)")
    subprocess.run(
        ["cargo", "build", "--release", "--target", sbs.MUSL, "-p", "supercheck",
         "--target-dir", str(TRAIN_TARGET)],
        cwd=sbs.ROOT, check=True, timeout=1800,
        env={**os.environ, "CARGO_PROFILE_RELEASE_STRIP": "false"},
    )
    binary = TRAIN_TARGET / sbs.MUSL / "release" / "supercheck"
    for name in ("supervisor_http_check", "httpok", "memmon"):
        link = binary.parent / name
        link.unlink(missing_ok=True)
        link.symlink_to("supercheck")
    return binary


def wait_acks(slog: sbs.SupervisorLog, i: int, count: int) -> int:
    """Index just past the `count`-th acknowledged tick from entry `i`."""
    for _ in range(count):
        i = slog.wait_for(sbs.is_ack, i, time.time() + 30)
        if i is None:
            raise sbs.BenchError("the listener did not acknowledge a tick in 30 s")
        i += 1
    return i


@dataclass
class Scenario:
    """One listener run under callgrind: its program name, flags, fleet size, and
    whether a service is hung (and restarted) after the healthy ticks."""

    program: str
    flags: Callable[[int], str]  # of the fleet's base port
    services: int
    hang: bool


def scenarios(n: int) -> list[Scenario]:
    return [
        # The main job, at the size the budgets are measured at.
        Scenario("supervisor_http_check", lambda base: sbs.check_flags(2), n, True),
        # superlance's httpok and memmon, as benches/superlance_side_by_side.py runs them.
        Scenario("httpok", lambda base: " ".join(f"-p web:web_{p}" for p in range(base, base + 10))
                 + f" -t 2 http://127.0.0.1:{base}/ping", 10, True),
        Scenario("memmon", lambda base: "-g web=200MB", 10, False),
    ]


def train_one(py: Path, services: Path, binary: Path, sc: Scenario, order: int, ticks: int,
              outdir: Path) -> None:
    """Runs one scenario: healthy ticks, then maybe a hung service restarted."""
    listener = shlex.quote(str(binary.parent / sc.program))

    def cmd(base: int) -> str:
        return (f"valgrind -q --tool=callgrind --demangle=no "
                f"--callgrind-out-file={outdir}/callgrind.{order}.{sc.program}.%p "
                f"{listener} {sc.flags(base)}")

    with sbs.fleet(py, services, sc.services, random.Random(), cmd, f"hot-text {sc.program}") as (
        sup, infos, tmp, base,
    ):
        slog = sbs.SupervisorLog(tmp / "supervisord.log")
        i = wait_acks(slog, 0, ticks)
        if sc.hang:
            hung = f"web_{base}"
            sbs.log(f"  {ticks} healthy ticks; hanging {hung}")
            (tmp / "mode" / hung).write_text("hang\n")
            respawned = lambda e: (m := sbs.SPAWNED.match(e.msg)) is not None and m.group(1) == hung  # noqa: E731
            i = slog.wait_for(respawned, i, time.time() + 40)
            if i is None:
                raise sbs.BenchError(f"{hung} was not restarted in 40 s")
            (tmp / "mode" / hung).write_text("ok\n")
            wait_acks(slog, i + 1, 2)
            sbs.log(f"  {hung} restarted, two more ticks; stopping supervisord")
        else:
            sbs.log(f"  {ticks} healthy ticks; stopping supervisord")


def train(py: Path, services: Path, binary: Path, n: int, ticks: int) -> list[str]:
    """Every scenario under callgrind; returns the profiles' text."""
    outdir = Path(tempfile.mkdtemp(prefix="hot-text-"))
    try:
        for order, sc in enumerate(scenarios(n)):
            train_one(py, services, binary, sc, order, ticks, outdir)
        outs = sorted(outdir.glob("callgrind.*"))
        if len(outs) < len(scenarios(n)):
            raise sbs.BenchError("callgrind wrote fewer profiles than runs (did a listener stop cleanly?)")
        return [p.read_text(errors="replace") for p in outs]
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def executed_functions(profiles: list[str]) -> set[str]:
    names: set[str] = set()
    for text in profiles:
        ids: dict[str, str] = {}
        used: set[str] = set()
        for line in text.splitlines():
            m = FN_LINE.match(line)
            if m:
                if m.group(2):
                    ids[m.group(1)] = m.group(2)
                used.add(m.group(1))
        names |= {ids[i] for i in used if i in ids and not ids[i].startswith("0x")}
    return names


class Aliases:
    """Every name of each piece of code in the binary: callgrind reports one name
    per address, but the section is named after the function's own name (musl's
    `__init_tls` runs as `static_init_tls`, for one)."""

    def __init__(self, binary: Path):
        self.by_addr: dict[str, list[str]] = {}
        self.addr_of: dict[str, str] = {}
        nm = subprocess.run(["nm", "--defined-only", str(binary)], capture_output=True,
                            text=True, check=True, timeout=120).stdout
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwWi":
                self.by_addr.setdefault(parts[0], []).append(parts[2])
                self.addr_of[parts[2]] = parts[0]

    def expand(self, names: set[str]) -> set[str]:
        out = set(names)
        for name in names:
            out.update(self.by_addr.get(self.addr_of.get(name, ""), []))
        return out


def pattern(symbol: str) -> str | None:
    """A section-name pattern for the function (after `.text.`), stable across rebuilds."""
    if symbol == "(below main)":
        return "__libc_start_main"  # valgrind's name for it
    if any(c in symbol for c in " ()*?[]\"'"):
        return None
    if LEGACY_HASH.search(symbol):
        return LEGACY_HASH.sub("17h*", symbol)
    if symbol.startswith("_R"):
        return LTO_SUFFIX.sub("*", V0_CRATE.sub("Cs*_", symbol))
    return GCC_CLONE.sub("*", symbol)


# Code that runs at moments a short training cannot choose (the timer queue's
# B-tree rebalancing after removals): first, with what the training saw.
ALWAYS_HOT = [
    "_ZN5alloc11collections5btree4node29BalancingContext*",
    "_ZN5alloc11collections5btree6remove*",
]

# The listener's own modules and the core whole, after everything the training
# saw: a function added there since the last training still lands in the hot
# section rather than in a cold folio (64 KiB, or up to 2 MiB with the large
# folios of recent kernels, for one function). At the end, so that the code
# they hold which never runs does not spread out the code that does.
SAFETY_NET = [
    "_ZN10supercheck8listener*",
    "_ZN10supercheck8exchange*",
    "_ZN10supercheck10supervisor*",
    "_ZN15supercheck_core*",
]


def existing_patterns(script: str) -> list[str]:
    """The function patterns of a linker script this file wrote, in order."""
    out = []
    for line in script.splitlines():
        m = re.match(r"^    \*\(\.text\.(\S+) \.text\.unlikely\.", line)
        if m:
            out.append(m.group(1))
    return out


def render(patterns: list[str], n: int) -> str:
    head = (
        "/* Written by benches/hot_text.py: do not edit. The functions the listeners ran\n"
        f"   under callgrind (the http check with {n} services, httpok and memmon with 10;\n"
        "   healthy ticks, a hung service restarted), in one output section ahead of\n"
        "   .text so that they share as few pages as possible.\n"
        "   musl's start files, its assembly and its small string functions (which\n"
        "   valgrind may run its own copies of) go first. */\n"
        "SECTIONS\n{\n  .text.hot : {\n"
        "    *crt1.o(.text .text.*)\n    *rcrt1.o(.text .text.*)\n    *libc.a:*(.text)\n"
        "    *libc.a:str*.lo(.text.*)\n    *libc.a:mem*.lo(.text.*)\n"
    )
    # LLVM puts functions it deems cold (say, ones that always end in a panic) in
    # `.text.unlikely.<name>`: the pattern covers both spellings.
    body = "".join(f"    *(.text.{p} .text.unlikely.{p})\n" for p in patterns)
    # ring's curve tables (170 KiB) go after .rodata, so that libc's few
    # constants (sysconf's table, strerror's strings) follow Rust's directly.
    rodata = (
        "SECTIONS\n{\n  .rodata.cold : {\n    *libring*.rlib:*(.rodata .rodata.*)\n  }\n}\n"
        "INSERT AFTER .rodata;\n"
    )
    return head + body + "  }\n}\nINSERT BEFORE .text;\n\n" + rodata


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--services", type=int, default=100,
                    help="demo services for the http check (100 exercises the larger tables' code)")
    ap.add_argument("--ticks", type=int, default=3, help="healthy ticks before the hang")
    ap.add_argument("--venv", type=Path, default=sbs.BENCHES / ".venv")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--save-profiles", type=Path, metavar="DIR",
                    help="also keep callgrind's profiles here")
    ap.add_argument("--profiles", type=Path, metavar="DIR",
                    help="render from profiles saved before, without training")
    ap.add_argument("--fresh", action="store_true",
                    help="drop the functions of the existing file that this run did not see "
                    "(by default they are kept, after the new ones: paths that depend on timing, "
                    "such as a worker thread's exit, are not seen by every run)")
    args = ap.parse_args()
    if args.profiles:
        profiles = [p.read_text(errors="replace") for p in sorted(args.profiles.glob("callgrind.*"))]
        if not profiles:
            raise sbs.BenchError(f"no callgrind.* files in {args.profiles}")
    else:
        if subprocess.run(["valgrind", "--version"], capture_output=True).returncode != 0:
            raise sbs.BenchError("valgrind is needed (apt-get install valgrind)")
        py = sbs.ensure_venv(args.venv.resolve())
        services = sbs.build_supercheck(False)
        binary = build_unstripped()
        profiles = train(py, services, binary, args.services, args.ticks)
        if args.save_profiles:
            args.save_profiles.mkdir(parents=True, exist_ok=True)
            for i, text in enumerate(profiles):
                (args.save_profiles / f"callgrind.{i}").write_text(text)
    # The http check's functions first, then what httpok and memmon add: each
    # listener's code stays as contiguous as it can.
    aliases = Aliases(TRAIN_TARGET / sbs.MUSL / "release" / "supercheck")
    patterns = list(ALWAYS_HOT)
    seen = set(patterns) | set(SAFETY_NET)
    names: set[str] = set()
    for profile in profiles:
        ran = aliases.expand(executed_functions([profile]))
        names |= ran
        new = sorted({p for p in map(pattern, ran) if p} - seen)
        patterns += new
        seen.update(new)
    if not args.fresh and args.out.exists():
        kept = [p for p in existing_patterns(args.out.read_text()) if p not in seen]
        patterns += kept
        if kept:
            sbs.log(f"{len(kept)} patterns kept from {sbs.rel(args.out)} (not seen this run; --fresh drops them)")
    patterns += SAFETY_NET
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(patterns, args.services))
    sbs.log(f"{len(names)} functions ran; {len(patterns)} patterns written to {sbs.rel(args.out)}")
    return 0


if __name__ == "__main__":
    sbs.run_cli(main)
