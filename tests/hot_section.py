#!/usr/bin/env python3
"""Fails when a named function of the listener's tick path lies outside .text.hot.

    python3 tests/hot_section.py LINK_MAP

LINK_MAP is the GNU ld map of a release build for Linux
(`SUPERCHECK_LINK_MAP=FILE cargo build --release ...`, see std-runner/build.rs).
std-runner/link/hot-text.ld (written by benches/hot_text.py) gathers the
functions the listener runs into one output section, so that they share as few
pages as possible. After a change moves or renames them, the layout must be
trained again; this check says so, naming each function left out, and also
when a function below is no longer in the binary at all (the list is stale).
"""

import re
import sys

# Functions every healthy tick runs, by their path (legacy mangling keeps each
# identifier in plain text). LTO may inline others; these survive as symbols.
TICK_PATH = [
    "supercheck_listener::driver::Listener::run",
    "supercheck_listener::driver::Listener::carry_out",
    "supercheck_wire::supervisor::process_list::ProcessListSink::read",
    "supercheck_wire::probe::http_request",
    "supercheck_listener::driver::Listener::on_stdin",
    "supercheck_engine::engine::Engine::advance",
    "supercheck_engine::engine::Engine::acknowledge",
    "supercheck_engine::engine::Engine::poll_timeout",
    "supercheck_engine::engine::Engine::process",
    "supercheck_engine::input::EventInput::next_event",
    "supercheck_engine::input::EventInput::push",
    "supercheck_engine::process::Process::namespec",
]

SECTION = re.compile(r"^ (\.text\.(\S+))")
OUTPUT = re.compile(r"^(\.\S+)\s")


def mangled(path: str) -> str:
    """`a::b::C` as the `_ZN1a1b1C` prefix of its legacy-mangled symbol."""
    return "_ZN" + "".join(f"{len(part)}{part}" for part in path.split("::")) + "17h"


def sections_by_output(map_text: str) -> list[tuple[str, str]]:
    """(input section name, output section) for every .text.* input section."""
    found = []
    output = None
    for line in map_text.splitlines():
        out = OUTPUT.match(line)
        if out:
            output = out.group(1)
            continue
        section = SECTION.match(line)
        if section and output:
            found.append((section.group(2), output))
    return found


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        sections = sections_by_output(f.read())
    problems = []
    for path in TICK_PATH:
        prefix = mangled(path)
        places = {output for name, output in sections if name.startswith(prefix)}
        if not places:
            problems.append(f"{path}: not in the binary (inlined or renamed: update TICK_PATH)")
        elif places != {".text.hot"}:
            problems.append(f"{path}: in {', '.join(sorted(places))}, not only .text.hot")
    if problems:
        print("hot section: the tick path is not covered by std-runner/link/hot-text.ld"
              " (run `python3 benches/hot_text.py`):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"hot section: all {len(TICK_PATH)} named tick-path functions are in .text.hot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
