#!/usr/bin/env python3
"""Runs supercheck-wasi under wasmtime (the PyPI package, no CLI needed).

(a) Protocol, on the wasip1 module and the wasip2 component: every captured
    supervisord event vector (core/tests/vectors/events/*.bin, stream.bin's 125
    events included) fed as stdin gives exactly READY\\n then one
    RESULT 2\\nOKREADY\\n per event on stdout, and the exit status is 0.
(b) Checks: a Python http.server on a free 127.0.0.1 port; TICK_60 is fed to
    the tcp and http checks. wasip1 has no sockets: the verdict must be
    "could not run" (never a panic). wasip2: wasmtime 50's Python WasiConfig has
    no network permission; the raw C binding wasi_config_inherit_network is
    tried. If the runtime still denies sockets the verdict must be the
    documented "could not run ... denied network access"; if it grants them the
    verdict must be "pass" for the live server and "connection refused" for a
    closed port. Either way a wrong verdict (or a panic) fails the test.
(c) With JCO (the path of jco's `jco` script, installed from npm by
    tests/setup.sh into targets/wasi/jco): the same wasip2 component run by
    jco (the Bytecode Alliance's component runtime on Node, whose
    preview2-shim implements wasi:sockets with Node's net module). Network
    access is real there: the tcp and http checks must pass against the live
    server, fail with "connection refused" on a closed port and with "bad
    HTTP status 404" on a missing path; stream.bin's 125 events get their
    125 acknowledgements.
(d) The drop-in listener (supervisor_checks' command lines on the engine):
    stream.bin under wasip1, wasip2 and jco gets exactly READY + 125
    acknowledgements with supervisord unreachable (no sockets, network
    denied, a closed port), nothing restarted; what WASI cannot run (memory,
    cpu in a complex config, a unix:// supervisord) exits 2 before READY.
    With JCO, under a REAL supervisord ([inet_http_server] on a free
    127.0.0.1 port with a user name and password, no unix socket): two
    `supercheck demo-service` programs web:web_PORT1 and web:web_PORT2 and
    the listener `supervisor_http_check -g web -n chk -u /ping -p ".+_(\d+)"
    -t 2 -r 0 -v` under jco with events=TICK_5. One service is put in hang
    mode: supervisord shows it restarted (new pid, over XML-RPC) and the
    listener logs the restart; after a later passing verdict of the healthy
    one, its pid is unchanged.

usage: test_wasi.py P1_MODULE P2_COMPONENT [JCO [SUPERCHECK]]
(SUPERCHECK: the binary whose demo-service runs the fleet; default
target/debug/supercheck, or target/release/supercheck)
"""

import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client

import wasmtime
import wasmtime._bindings as raw
from wasmtime import Engine, ExitTrap, Linker, Module, Store, WasiConfig
from wasmtime import component

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VECTORS = os.path.join(ROOT, "core", "tests", "vectors", "events")
READY = b"READY\n"
ACK = b"RESULT 2\nOKREADY\n"

ENGINE = Engine()
FAILURES = []


PASSED = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    (PASSED if cond else FAILURES).append(what)


def config(argv, stdin, tmp, network=False):
    cfg = WasiConfig()
    cfg.argv = ["supercheck-wasi"] + argv
    cfg.stdin_file = stdin
    cfg.stdout_file = os.path.join(tmp, "out")
    cfg.stderr_file = os.path.join(tmp, "err")
    if network and hasattr(raw, "wasi_config_inherit_network"):
        raw.wasi_config_inherit_network(cfg.ptr())
    return cfg


def outputs(tmp):
    with open(os.path.join(tmp, "out"), "rb") as f:
        out = f.read()
    with open(os.path.join(tmp, "err"), "r", encoding="utf-8", errors="replace") as f:
        err = f.read()
    return out, err


class P1:
    name = "wasip1"

    def __init__(self, path):
        self.module = Module.from_file(ENGINE, path)

    def run(self, argv, stdin, network=False):
        tmp = tempfile.mkdtemp(prefix="scwasi")
        linker = Linker(ENGINE)
        linker.define_wasi()
        store = Store(ENGINE)
        store.set_wasi(config(argv, stdin, tmp, network))
        instance = linker.instantiate(store, self.module)
        code = 0
        try:
            instance.exports(store)["_start"](store)
        except ExitTrap as e:
            code = e.code
        out, err = outputs(tmp)
        return code, out, err


class P2:
    name = "wasip2"

    def __init__(self, path):
        self.component = component.Component.from_file(ENGINE, path)
        exports = self.component.type.exports(ENGINE)
        runs = [name for name in exports if name.startswith("wasi:cli/run@")]
        if not runs:
            raise SystemExit(f"{path}: no wasi:cli/run export (exports: {list(exports)})")
        self.run_export = runs[0]

    def run(self, argv, stdin, network=False):
        tmp = tempfile.mkdtemp(prefix="scwasi")
        linker = component.Linker(ENGINE)
        linker.add_wasip2()
        store = Store(ENGINE)
        store.set_wasi(config(argv, stdin, tmp, network))
        instance = linker.instantiate(store, self.component)
        iface = instance.get_export_index(store, self.run_export)
        func = instance.get_func(store, instance.get_export_index(store, "run", iface))
        # wasip2 collapses exit codes to ok/err (stack notes C.9).
        result = func(store)
        code = 0 if getattr(result, "tag", "ok") == "ok" else 1
        out, err = outputs(tmp)
        return code, out, err


class Jco:
    """The wasip2 component under jco (Node): sockets are granted."""

    name = "wasip2 under jco"

    def __init__(self, jco, path):
        self.jco, self.path = jco, path

    def run(self, argv, stdin, network=True):
        with open(stdin, "rb") as f:
            done = subprocess.run(
                ["node", self.jco, "run", self.path, "--", *argv],
                stdin=f,
                capture_output=True,
                timeout=60,
            )
        err = done.stderr.decode("utf-8", errors="replace")
        return done.returncode, done.stdout, err


def count_events(path):
    """Events in a vector file, from its headers (len counts characters)."""
    data = open(path, "rb").read()
    n = 0
    while data:
        line, _, rest = data.partition(b"\n")
        fields = dict(tok.split(b":", 1) for tok in line.split(b" "))
        length = int(fields[b"len"])
        text = rest.decode("utf-8", errors="surrogateescape")
        data = text[length:].encode("utf-8", errors="surrogateescape")
        n += 1
    return n


def protocol(runtime):
    argv = ["tcp", "--host", "127.0.0.1", "--port", "9"]
    files = sorted(f for f in os.listdir(VECTORS) if f.endswith(".bin"))
    for name in files:
        path = os.path.join(VECTORS, name)
        events = count_events(path)
        if name == "stream.bin":
            check(events == 125, f"stream.bin holds 125 events (counted {events})")
        code, out, err = runtime.run(argv, path)
        good = out == READY + ACK * events and code == 0
        check(good, f"{runtime.name} {name}: READY + {events} x RESULT 2/OK/READY, exit 0")
        if not good:
            print(f"     exit {code}, stdout {out[:80]!r}... ({len(out)} bytes)\n     stderr {err[-400:]}")
        if "panicked" in err:
            check(False, f"{runtime.name} {name}: no panic ({err[-200:]})")


def drop_in_protocol(runtime):
    """The drop-in listener (the engine's driver) on stream.bin: every event
    acknowledged, supervisord unreachable survived (wasip1: no sockets;
    wasmtime: network denied; jco: a closed port), nothing restarted."""
    closed = free_port()
    argv = ["supervisor_http_check", "-g", "web", "-n", "chk", "-u", "/ping", "-p", "80",
            "--server-url", f"http://127.0.0.1:{closed}"]
    code, out, err = runtime.run(argv, os.path.join(VECTORS, "stream.bin"))
    good = out == READY + ACK * 125 and code == 0 and "panicked" not in err
    check(good, f"{runtime.name} drop-in listener, stream.bin: READY + 125 acknowledgements, exit 0")
    if not good:
        print(f"     exit {code}, stdout {out[:80]!r}... ({len(out)} bytes)\n     stderr {err[-600:]}")
    survived = "cannot list processes" in err and "restarting" not in err
    check(survived, f"{runtime.name} drop-in listener: supervisord unreachable is logged, nothing restarted")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def verdict_line(err):
    lines = [l for l in err.splitlines() if "[TICK_60" in l]
    return lines[0] if lines else f"(no verdict logged; stderr: {err[-300:]!r})"


def checks(p1, p2):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    closed = free_port()
    tick = os.path.join(VECTORS, "TICK_60.bin")
    live = [
        ("tcp", ["tcp", "--host", "127.0.0.1", "--port", str(port)]),
        ("http", ["http", "--url", f"http://127.0.0.1:{port}/"]),
    ]
    dead = [
        ("tcp", ["tcp", "--host", "127.0.0.1", "--port", str(closed)]),
        ("http", ["http", "--url", f"http://127.0.0.1:{closed}/"]),
    ]
    try:
        for kind, argv in live:
            code, out, err = p1.run(argv, tick, network=True)
            line = verdict_line(err)
            check(
                code == 0 and out == READY + ACK and "error: could not run: this WASI runtime has no TCP sockets" in line,
                f"wasip1 {kind} check: could not run, no panic: {line}",
            )
        granted = None
        for kind, argv in live:
            code, out, err = p2.run(argv, tick, network=True)
            line = verdict_line(err)
            denied = "could not run: the runtime denied network access" in line
            if granted is None:
                granted = not denied
                print(f"note wasip2 network access through wasi_config_inherit_network: {'granted' if granted else 'denied'}")
            expected = "denied network access" if not granted else f"{kind} 127.0.0.1:{port}"
            ok = code == 0 and out == READY + ACK and (
                denied if not granted else ": pass [TICK_60" in line
            )
            check(ok, f"wasip2 {kind} check against a live server ({expected}): {line}")
        for kind, argv in dead:
            code, out, err = p2.run(argv, tick, network=True)
            line = verdict_line(err)
            want = "denied network access" if not granted else ": fail: connection refused [TICK_60"
            check(code == 0 and out == READY + ACK and want in line, f"wasip2 {kind} check against a closed port: {line}")
        code, out, err = p2.run(live[0][1], tick, network=False)
        line = verdict_line(err)
        check(
            "could not run: the runtime denied network access" in line,
            f"wasip2 without network permission: could not run: {line}",
        )
    finally:
        server.shutdown()
        server.server_close()


def jco_checks(jco):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    closed = free_port()
    tick = os.path.join(VECTORS, "TICK_60.bin")
    cases = [
        ("tcp live", ["tcp", "--host", "127.0.0.1", "--port", str(port)], ": pass [TICK_60"),
        ("http live", ["http", "--url", f"http://127.0.0.1:{port}/"], ": pass [TICK_60"),
        # jco's connect completes asynchronously: a refused connection may
        # surface on the first write as "not connected" (a reset). Either is
        # a failure of the service, never "could not run".
        ("tcp closed", ["tcp", "--host", "127.0.0.1", "--port", str(closed)], (": fail: connection refused", ": fail: connection reset")),
        ("http closed", ["http", "--url", f"http://127.0.0.1:{closed}/"], (": fail: connection refused", ": fail: connection reset")),
        ("http 404", ["http", "--url", f"http://127.0.0.1:{port}/missing"], ": fail: bad HTTP status 404"),
    ]
    try:
        for what, argv, want in cases:
            code, out, err = jco.run(["--name", "t", *argv], tick)
            line = verdict_line(err)
            wants = want if isinstance(want, tuple) else (want,)
            ok = any(w in line for w in wants)
            check(code == 0 and out == READY + ACK and ok, f"{jco.name} {what}: {line}")
        stream = os.path.join(VECTORS, "stream.bin")
        code, out, err = jco.run(["tcp", "--host", "127.0.0.1", "--port", str(port)], stream)
        check(
            code == 0 and out == READY + ACK * 125 and "panicked" not in err,
            f"{jco.name} stream.bin: READY + 125 acknowledgements, exit 0",
        )
    finally:
        server.shutdown()
        server.server_close()


def start_supervisord(tmp, sections):
    """A supervisord (Python's, from PyPI) in the foreground, its files in
    `tmp` (debug log in tmp/sd.log), configured with `sections` (the server
    and the programs)."""
    conf = os.path.join(tmp, "supervisord.conf")
    with open(conf, "w") as f:
        f.write(
            f"[supervisord]\nlogfile={tmp}/sd.log\npidfile={tmp}/sd.pid\nnodaemon=true\nloglevel=debug\n"
            "[rpcinterface:supervisor]\n"
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
            + sections
        )
    python = shutil.which("python3") or "python3"
    return subprocess.Popen([python, "-m", "supervisor.supervisord", "-n", "-c", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_supervisord(sup):
    """SIGTERM to its pid, then wait (killed after 30 s)."""
    sup.send_signal(signal.SIGTERM)
    for timeout in (30, None):
        try:
            return sup.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            sup.kill()


def protocol_clean(tmp):
    """Whether supervisord's debug log (tmp/sd.log) shows ticks acknowledged
    and never a listener out of step."""
    main_log = open(os.path.join(tmp, "sd.log"), encoding="utf-8", errors="replace").read()
    return "BUSY -> ACKNOWLEDGED" in main_log and "BUSY -> UNKNOWN" not in main_log


def jco_under_supervisord(jco):
    """The README's [eventlistener:x] line, jco flavour, under a real supervisord."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp(prefix="scwasi-sup")
    sup = start_supervisord(
        tmp,
        f"[unix_http_server]\nfile={tmp}/s.sock\n"
        f"[eventlistener:webcheck]\ncommand=node {os.path.abspath(jco.jco)} run {os.path.abspath(jco.path)} "
        f"-- --name webcheck tcp --host 127.0.0.1 --port {port}\nevents=TICK_5\n"
        f"stderr_logfile={tmp}/webcheck.err\nstdout_logfile={tmp}/webcheck.out\n",
    )
    log_path = os.path.join(tmp, "webcheck.err")
    try:
        deadline = time.monotonic() + 40
        passes = 0
        while time.monotonic() < deadline and passes < 2:
            time.sleep(0.5)
            if os.path.exists(log_path):
                passes = open(log_path, encoding="utf-8", errors="replace").read().count("webcheck: pass [TICK_5")
        check(passes >= 2, f"jco listener under supervisord: {passes} passing TICK_5 verdicts (want 2)")
        check(protocol_clean(tmp), "jco listener under supervisord: every tick acknowledged, protocol never broken")
    finally:
        stop_supervisord(sup)
        server.shutdown()
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)


def supercheck_binary(given):
    """The `supercheck` binary whose `demo-service` the fleet runs."""
    candidates = [given] if given else []
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    candidates += [os.path.join(target, kind, "supercheck") for kind in ("debug", "release")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
    raise SystemExit(f"no supercheck binary (tried {candidates}): cargo build -p supercheck")


def jco_restarts_under_supervisord(jco, supercheck):
    """The drop-in listener under jco restarts a hung process through a real
    supervisord's XML-RPC over TCP ([inet_http_server] only, with a user name
    and password), and never the healthy one."""

    tmp = tempfile.mkdtemp(prefix="scwasi-restart")
    sup_port, ok_port, hung_port = free_port(), free_port(), free_port()
    while len({sup_port, ok_port, hung_port}) < 3:
        ok_port, hung_port = free_port(), free_port()
    ok, hung = f"web_{ok_port}", f"web_{hung_port}"
    programs = "".join(
        f"[program:{name}]\ncommand={supercheck} demo-service --port {port} --mode-file {tmp}/{name}.mode\n"
        f"startsecs=0\nstopwaitsecs=5\nstdout_logfile={tmp}/{name}.out\nstderr_logfile={tmp}/{name}.err\n"
        for name, port in ((ok, ok_port), (hung, hung_port))
    )
    listener = (
        f"node {os.path.abspath(jco.jco)} run {os.path.abspath(jco.path)} -- "
        f'supervisor_http_check -g web -n chk -u /ping -p ".+_(\\d+)" -t 2 -r 0 -v'
    )
    # Only an [inet_http_server]: supervisord gives the listener its
    # http:// URL; it sets SUPERVISOR_SERVER_URL, not the credentials.
    sup = start_supervisord(
        tmp,
        f"[inet_http_server]\nport=127.0.0.1:{sup_port}\nusername=user\npassword=secret\n"
        f"{programs}[group:web]\nprograms={ok},{hung}\n"
        f"[eventlistener:chk]\ncommand={listener}\nevents=TICK_5\n"
        'environment=SUPERVISOR_USERNAME="user",SUPERVISOR_PASSWORD="secret"\n'
        f"stderr_logfile={tmp}/chk.err\nstdout_logfile={tmp}/chk.out\n",
    )
    rpc = xmlrpc.client.ServerProxy(f"http://user:secret@127.0.0.1:{sup_port}/RPC2")
    log_path = os.path.join(tmp, "chk.err")
    deadline = time.monotonic() + 120

    def log():
        try:
            return open(log_path, encoding="utf-8", errors="replace").read()
        except FileNotFoundError:
            return ""

    def wait(what, cond):
        while time.monotonic() < deadline:
            if cond():
                return True
            time.sleep(0.2)
        print(f"     timed out waiting for {what}; listener log:\n{log()[-3000:]}")
        return False

    def pid(name):
        info = rpc.supervisor.getProcessInfo(f"web:{name}")
        return info["pid"] if info["statename"] == "RUNNING" else 0

    def passed(name, after=0):
        return log().find(f"web:{name}: http check passed", after) >= 0

    try:
        both = wait("both services passing", lambda: passed(ok) and passed(hung))
        check(both, "jco drop-in listener under supervisord: both demo services pass (-v verdicts)")
        if not both:
            return
        ok_pid, hung_pid = pid(ok), pid(hung)
        check(ok_pid > 0 and hung_pid > 0, f"both services RUNNING (pids {ok_pid}, {hung_pid})")
        with open(os.path.join(tmp, f"{hung}.mode"), "w") as f:
            f.write("hang\n")
        restarted = f"web:{hung}: restarted"
        check(wait("the restart of the hung service", lambda: restarted in log()),
              f"jco listener: the hung service restarted through XML-RPC over TCP ({restarted!r} logged)")
        failed = f"web:{hung}: http check failed: no response within 2.000s" in log()
        check(failed, "jco listener: the hung service's verdict is a response timeout (-t 2)")
        check(wait("a new pid of the hung service", lambda: pid(hung) not in (0, hung_pid)),
              f"supervisord: the hung service has a new pid ({hung_pid} -> {pid(hung)})")
        # Back to health: it stops being restarted, and a later verdict of the
        # healthy service, logged after the restart, is the event waited for.
        with open(os.path.join(tmp, f"{hung}.mode"), "w") as f:
            f.write("ok\n")
        at = log().find(restarted)
        later = wait("a later pass of the healthy service", lambda: passed(ok, at))
        check(later, "jco listener: the healthy service passes again after the restart")
        check(pid(ok) == ok_pid, f"supervisord: the healthy service was never restarted (pid {ok_pid})")
        check(f"web:{ok}: restart" not in log(), "jco listener: no restart of the healthy service logged")
        check(protocol_clean(tmp), "jco drop-in listener: every tick acknowledged, protocol never broken")
        check("panicked" not in log(), "jco drop-in listener: no panic")
    finally:
        stop_supervisord(sup)
        shutil.rmtree(tmp, ignore_errors=True)


def usage_errors(p1):
    tick = os.path.join(VECTORS, "TICK_5.bin")
    code, out, err = p1.run(["tcp", "--host", "127.0.0.1"], tick)
    check(code == 2 and out == b"" and "needs --port" in err, f"usage error: exit 2 before READY ({err.splitlines()[0] if err else ''})")
    for argv, needle in [
        (["supervisor_memory_check", "-n", "m", "-m", "100"], "supervisor_memory_check is not available on WASI"),
        (["supervisor_complex_check", "-n", "c", "--server-url", "http://127.0.0.1:9",
          "-c", '{"tcp": {"port": 80}, "cpu": {"max_cpu": 90, "interval": 60}}'], "the cpu check is not available on WASI"),
        (["supervisor_http_check", "-n", "h", "-u", "/", "-p", "80", "--server-url", "unix:///tmp/s.sock"],
         "WASI has no unix sockets"),
    ]:
        code, out, err = p1.run(argv, tick)
        line = err.strip().splitlines()[0] if err.strip() else ""
        check(code == 2 and out == b"" and needle in err, f"{argv[0]}: exit 2 before READY ({line})")


def main():
    if len(sys.argv) not in (3, 4, 5):
        raise SystemExit(__doc__)
    p1, p2 = P1(sys.argv[1]), P2(sys.argv[2])
    protocol(p1)
    protocol(p2)
    drop_in_protocol(p1)
    drop_in_protocol(p2)
    usage_errors(p1)
    checks(p1, p2)
    if len(sys.argv) >= 4:
        jco_checks(Jco(sys.argv[3], sys.argv[2]))
        drop_in_protocol(Jco(sys.argv[3], sys.argv[2]))
        jco_under_supervisord(Jco(sys.argv[3], sys.argv[2]))
        supercheck = supercheck_binary(sys.argv[4] if len(sys.argv) == 5 else None)
        jco_restarts_under_supervisord(Jco(sys.argv[3], sys.argv[2]), supercheck)
    else:
        print("note jco not given: the wasip2 network checks under jco are skipped")
    print(f"\n{len(PASSED)} passed, {len(FAILURES)} failed")
    if FAILURES:
        sys.exit(1)
    print("all WASI tests passed")


if __name__ == "__main__":
    main()
