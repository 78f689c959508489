#!/usr/bin/env python3
"""Record byte-exact test vectors from a real supervisord 4.3.0.

Usage:  python3 core/tests/vectors/record_vectors.py

Requires Python 3.11 and `pip install supervisor==4.3.0`; nothing else.
Everything runs in a private temp dir (mkdtemp): the config, the unix socket,
the logs and three helper scripts written by this file:

  launch.py    starts supervisord in-process (same as
               `python -m supervisor.supervisord -n -c <conf>`) after
               (a) shifting time.time() by a constant offset so that an HOUR
               boundary falls ~TICK_SHIFT_LEAD seconds after start: the first
               main-loop iteration fixes the current timeslices, and crossing
               the hour boundary then emits TICK_5, TICK_60 and TICK_3600
               together, without waiting up to an hour.  Every time value
               supervisord produces (TICK `when`, process-info start/stop/now,
               descriptions) is therefore shifted by the same offset (at most
               one hour into the past);
               (b) fault injection for PROCESS_STATE_UNKNOWN: supervisord only
               enters UNKNOWN when kill() fails with an errno other than ESRCH,
               which cannot happen to a child of a root supervisord.  The
               launcher wraps ServerOptions.kill so that SIGWINCH sent to the
               program named `unknowner` raises OSError(EPERM).  Everything
               else (the state change, the event, the FAILED fault text) is
               supervisord's own code.
  recorder.py  the [eventlistener:recorder] (events=EVENT).  Reads stdin in
               binary mode, parses the header, reads `len` UTF-8 CHARACTERS
               (supervisord 4.x counts code points, not bytes), stores the
               exact bytes, answers `RESULT 2\\nOK`.  Nothing else goes to
               stdout.
  prog.py      the supervised programs (long-running, crashing, exiting,
               chatty, capture-mode, ...).  All of them end by themselves
               after at most CHILD_LIFETIME seconds.

XML-RPC exchanges are done with raw sockets (request bytes written by hand,
response read until Content-Length is satisfied) over the unix socket and over
TCP 127.0.0.1:<free port> (Basic auth), and saved verbatim.

Outputs (overwritten on each run) next to this file:
  events/<EVENTNAME>[-<variant>].bin, events/stream.bin, events/INDEX.tsv
  rpc/<name>.request, rpc/<name>.http, rpc/INDEX.tsv
  README.md

Processes: supervisord is started by this script and stopped by pid (SIGTERM,
then SIGKILL after a timeout).  Children that supervisord leaves behind (e.g.
the UNKNOWN-state one, which supervisord treats as already stopped) are
killed by pid after checking that their command line points into our temp dir.
Exit status is non-zero if an expected vector is missing.
"""

import base64
import codecs
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVENTS_DIR = HERE / "events"
RPC_DIR = HERE / "rpc"

USERNAME = "user"
PASSWORD = "p4ss"
TICK_SHIFT_LEAD = 10.0     # seconds after launch at which the shifted clock crosses an hour
CHILD_LIFETIME = 100       # every helper program exits by itself after this
RECORDER_LIFETIME = 150    # the listener kills itself (SIGALRM) after this
OVERALL_DEADLINE = 100.0   # hard stop for the whole recording
STREAM_CAP = 64 * 1024
PER_TYPE_CAP = 5

ALL_EVENT_TYPES = [
    "PROCESS_STATE_STARTING", "PROCESS_STATE_RUNNING", "PROCESS_STATE_BACKOFF",
    "PROCESS_STATE_STOPPING", "PROCESS_STATE_EXITED", "PROCESS_STATE_STOPPED",
    "PROCESS_STATE_FATAL", "PROCESS_STATE_UNKNOWN",
    "PROCESS_LOG_STDOUT", "PROCESS_LOG_STDERR",
    "PROCESS_COMMUNICATION_STDOUT", "PROCESS_COMMUNICATION_STDERR",
    "REMOTE_COMMUNICATION",
    "SUPERVISOR_STATE_CHANGE_RUNNING", "SUPERVISOR_STATE_CHANGE_STOPPING",
    "TICK_5", "TICK_60", "TICK_3600",
    "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED",
]
REQUIRED_EVENT_FILES = [t + ".bin" for t in ALL_EVENT_TYPES] + [
    "PROCESS_LOG_STDOUT-nonascii.bin", "PROCESS_LOG_STDOUT-undecodable.bin",
    "PROCESS_LOG_STDERR-nonascii.bin", "PROCESS_LOG_STDERR-undecodable.bin",
    "PROCESS_COMMUNICATION_STDOUT-nonascii.bin",
    "PROCESS_COMMUNICATION_STDERR-nonascii.bin",
    "REMOTE_COMMUNICATION-nonascii.bin",
    "PROCESS_STATE_EXITED-expected.bin", "PROCESS_STATE_EXITED-unexpected.bin",
]
CONTENT_EVENTS = {
    "PROCESS_LOG_STDOUT", "PROCESS_LOG_STDERR", "PROCESS_COMMUNICATION_STDOUT",
    "PROCESS_COMMUNICATION_STDERR", "REMOTE_COMMUNICATION",
}

# --------------------------------------------------------------------------
# helper scripts written into the temp dir
# --------------------------------------------------------------------------

LAUNCH_PY = r'''
# Launcher: time shift + UNKNOWN fault injection, then supervisord's main().
import errno, signal, sys, time
OFFSET = float(sys.argv[1])
CONF = sys.argv[2]
_real_time = time.time
time.time = lambda: _real_time() + OFFSET   # every `time.time()` in supervisor

from supervisor import options as _options
_real_kill = _options.ServerOptions.kill
def _kill(self, pid, sig):
    proc = self.pidhistory.get(pid)
    if (sig == signal.SIGWINCH and proc is not None
            and proc.config.name == 'unknowner'):
        raise OSError(errno.EPERM, 'Operation not permitted (injected by record_vectors.py)')
    return _real_kill(self, pid, sig)
_options.ServerOptions.kill = _kill

from supervisor.supervisord import main
main(['-n', '-c', CONF])
'''

RECORDER_PY = r'''
# Recording event listener.  stdout carries ONLY protocol tokens.
import codecs, os, signal, sys
signal.alarm(int(sys.argv[2]))           # bounded lifetime
outdir = sys.argv[1]
rawdir = os.path.join(outdir, 'raw')
os.makedirs(rawdir, exist_ok=True)
inp = sys.stdin.buffer
out = sys.stdout.buffer
stream = open(os.path.join(outdir, 'stream.bin'), 'ab')
seq = 0
while True:
    out.write(b'READY\n')
    out.flush()
    header = inp.readline()
    if not header.endswith(b'\n'):
        break                              # EOF
    tokens = {}
    for tok in header[:-1].split(b' '):
        k, _, v = tok.partition(b':')
        tokens[k] = v
    want = int(tokens[b'len'])             # Unicode code points, not bytes
    dec = codecs.getincrementaldecoder('utf-8')()
    payload = bytearray()
    remaining = want
    while remaining > 0:
        chunk = inp.read(remaining)        # >= 1 byte per char left: never over-reads
        if not chunk:
            break
        payload += chunk
        remaining -= len(dec.decode(chunk))
    if remaining > 0:
        sys.stderr.write('recorder: EOF inside payload\n')
        break
    dec.decode(b'', final=True)
    raw = header + bytes(payload)
    name = tokens[b'eventname'].decode('ascii', 'replace')
    path = os.path.join(rawdir, '%06d-%s.bin' % (seq, name))
    with open(path + '.tmp', 'wb') as f:
        f.write(raw)
    os.replace(path + '.tmp', path)
    stream.write(raw)
    stream.flush()
    seq += 1
    out.write(b'RESULT 2\nOK')
    out.flush()
'''

PROG_PY = r'''
# Supervised test programs.  All bounded in time.
import os, signal, sys, time
LIFETIME = float(os.environ.get('RV_LIFETIME', '100'))
START = time.monotonic()
mode = sys.argv[1]

def idle(lifetime=LIFETIME):
    while time.monotonic() - START < lifetime:
        time.sleep(0.25)
    sys.exit(0)

def ignore(*_):
    pass

LONGRUN_TEXT = ('longrun: 1 < 2 & 3 > 2 "quoted" \'apos\' ]]> <tag>&amp; '
                'h\u00e9llo w\u00f6rld \u2713 \U0001F389\n')

if mode == 'idle':
    signal.signal(signal.SIGUSR1, ignore)
    signal.signal(signal.SIGHUP, ignore)
    idle()
elif mode == 'longrun':
    signal.signal(signal.SIGUSR1, ignore)
    os.write(1, LONGRUN_TEXT.encode('utf-8'))
    idle()
elif mode == 'crash':
    os.write(2, b'crash: exiting with status 1 right away\n')
    sys.exit(1)
elif mode == 'exit':
    time.sleep(float(sys.argv[3]))
    sys.exit(int(sys.argv[2]))
elif mode == 'chatter':
    time.sleep(1.0)
    for fd, data in [
        (1, b'plain ascii line on stdout\n'),
        (1, 'h\u00e9llo w\u00f6rld \u2713 \U0001F600 stdout\n'.encode('utf-8')),
        (1, b'invalid utf-8 \xff\xfe on stdout \xc3(\n'),
        (2, b'plain ascii line on stderr\n'),
        (2, 'h\u00e9llo w\u00f6rld \u2713 \U0001F600 stderr\n'.encode('utf-8')),
        (2, b'invalid utf-8 \xff\xfe on stderr \xc3(\n'),
        (1, 'two lines \u2713\nsecond line\n'.encode('utf-8')),
    ]:
        os.write(fd, data)
        time.sleep(0.3)
    idle()
elif mode == 'capture':
    time.sleep(1.0)
    B, E = b'<!--XSUPERVISOR:BEGIN-->', b'<!--XSUPERVISOR:END-->'
    for fd, data in [
        (1, b'before ' + B + b'ascii comm on stdout' + E + b' after\n'),
        (1, B + 'd\u00e4t\u00e4\u2026 \u2713 \U0001F389 stdout'.encode('utf-8') + E + b'\n'),
        (2, B + b'ascii comm on stderr' + E + b'\n'),
        (2, B + 'd\u00e4t\u00e4\u2026 \u2713 \U0001F389 stderr'.encode('utf-8') + E + b'\n'),
        (1, B + b'bad \xff\xfe bytes' + E + b'\n'),
    ]:
        os.write(fd, data)
        time.sleep(0.3)
    idle()
elif mode == 'slowstop':
    def on_term(*_):
        time.sleep(1.5)
        sys.exit(0)
    signal.signal(signal.SIGTERM, on_term)
    idle()
else:
    sys.exit('unknown mode %r' % mode)
'''


def make_conf(tmp, port):
    py = sys.executable
    prog = f"{py} {tmp}/prog.py"
    common = "stopwaitsecs=5\n"
    return f"""\
[supervisord]
nodaemon=true
logfile={tmp}/supervisord.log
pidfile={tmp}/supervisord.pid
childlogdir={tmp}/logs
loglevel=debug

[unix_http_server]
file={tmp}/supervisor.sock

[inet_http_server]
port=127.0.0.1:{port}
username={USERNAME}
password={PASSWORD}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[eventlistener:recorder]
command={py} {tmp}/recorder.py {tmp}/rec {RECORDER_LIFETIME}
events=EVENT
buffer_size=2000
startsecs=0

[program:longrun]
command={prog} longrun
{common}
[program:crasher]
command={prog} crash
startsecs=1
startretries=1
{common}
[program:flapper]
command={prog} crash
startsecs=1
startretries=100
{common}
[program:exit_unexpected]
command={prog} exit 3 1.5
startsecs=1
autorestart=false
exitcodes=0
{common}
[program:exit_expected]
command={prog} exit 0 1.5
startsecs=1
autorestart=false
exitcodes=0
{common}
[program:chatter]
command={prog} chatter
stdout_events_enabled=true
stderr_events_enabled=true
{common}
[program:capture]
command={prog} capture
stdout_capture_maxbytes=1MB
stderr_capture_maxbytes=1MB
{common}
[program:pool]
command={prog} idle
numprocs=3
process_name=%(program_name)s_%(process_num)02d
{common}
[program:alpha]
command={prog} idle
{common}
[program:beta]
command={prog} idle
{common}
[group:grp]
programs=alpha,beta

[program:badcmd]
command=/nonexistent/supercheck-vectors-no-such-binary
startretries=0
{common}
[program:notexec]
command={tmp}/not_executable.txt
autostart=false
{common}
[program:slowstart]
command={prog} idle
startsecs=5
autostart=false
{common}
[program:slowstop]
command={prog} slowstop
{common}
[program:unknowner]
command={prog} idle
{common}
"""


# --------------------------------------------------------------------------
# raw HTTP / XML-RPC
# --------------------------------------------------------------------------

class HTTPResult:
    def __init__(self, raw):
        self.raw = raw
        head, _, body = raw.partition(b"\r\n\r\n")
        self.head = head
        lines = head.split(b"\r\n")
        self.status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        self.headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            self.headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            body = dechunk(body)
        self.body = body
        self.value = None
        self.fault = None
        if self.status == 200:
            try:
                self.value = xmlrpc.client.loads(body)[0][0]
            except xmlrpc.client.Fault as f:
                self.fault = f
            except Exception:
                pass


def dechunk(data):
    out = bytearray()
    while True:
        line, _, rest = data.partition(b"\r\n")
        size = int(line.split(b";")[0] or b"0", 16)
        if size == 0:
            return bytes(out)
        out += rest[:size]
        data = rest[size + 2:]


def response_complete(buf):
    if b"\r\n\r\n" not in buf:
        return False
    head, _, body = buf.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    if m:
        return len(body) >= int(m.group(1))
    if re.search(rb"(?im)^transfer-encoding:\s*chunked\s*$", head):
        return body.endswith(b"0\r\n\r\n")
    return False    # read until close


class Client:
    def __init__(self, sock_path, port):
        self.sock_path = sock_path
        self.port = port

    def connect(self, transport, timeout=20.0):
        if transport == "unix":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(self.sock_path)
        else:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return s

    @staticmethod
    def read_response(s):
        buf = b""
        while not response_complete(buf):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        s.close()
        return buf

    def build(self, transport, body, auth="good", path="/RPC2"):
        host = "localhost" if transport == "unix" else f"127.0.0.1:{self.port}"
        lines = [f"POST {path} HTTP/1.1", f"Host: {host}",
                 "Content-Type: text/xml", f"Content-Length: {len(body)}"]
        if transport == "tcp" and auth is not None:
            cred = f"{USERNAME}:{PASSWORD}" if auth == "good" else auth
            lines.append("Authorization: Basic " + base64.b64encode(cred.encode()).decode())
        return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body

    def exchange(self, request, transport):
        s = self.connect(transport)
        s.sendall(request)
        return HTTPResult(self.read_response(s))

    def call(self, method, *params, transport="unix"):
        """Unrecorded call; returns HTTPResult."""
        body = xmlrpc.client.dumps(tuple(params), method).encode("utf-8")
        return self.exchange(self.build(transport, body), transport)


def rpc_body(method, params=()):
    # Exactly what Python's xmlrpc.client (ServerProxy) sends as body.
    return xmlrpc.client.dumps(tuple(params), method).encode("utf-8")


class Recorder:
    def __init__(self, client):
        self.client = client
        self.saved = {}       # name -> (method, HTTPResult, request)

    def save(self, name, method, request, res):
        if name in self.saved:
            raise RuntimeError("duplicate rpc vector name " + name)
        self.saved[name] = (method, res, request)
        return res

    def record(self, name, method, params=(), transport="unix", auth="good",
               body=None, path="/RPC2"):
        if body is None:
            body = rpc_body(method, params)
        req = self.client.build(transport, body, auth=auth, path=path)
        return self.save(name, method, req, self.client.exchange(req, transport))

    def write(self, outdir):
        rows = []
        for name in sorted(self.saved):
            method, res, req = self.saved[name]
            (outdir / f"{name}.request").write_bytes(req)
            (outdir / f"{name}.http").write_bytes(res.raw)
            fault = str(res.fault.faultCode) if res.fault is not None else "-"
            status = res.status if res.raw else "-"   # "-": closed without a response
            rows.append(f"{name}.http\t{method}\t{status}\t{fault}\n")
        (outdir / "INDEX.tsv").write_text(
            "file\tmethod\thttp_status\tfault_code\n" + "".join(rows), encoding="utf-8")


# --------------------------------------------------------------------------
# orchestration
# --------------------------------------------------------------------------

class Timeout(Exception):
    pass


def wait_for(pred, timeout, interval=0.1, what="condition"):
    end = time.monotonic() + timeout
    while True:
        try:
            v = pred()
            if v:
                return v
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            pass
        if time.monotonic() > end:
            raise Timeout(what)
        time.sleep(interval)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def states(client):
    res = client.call("supervisor.getAllProcessInfo")
    return {f"{p['group']}:{p['name']}": p for p in res.value}


def recorded_names(tmp):
    raw = Path(tmp) / "rec" / "raw"
    if not raw.is_dir():
        return []
    return sorted(p.name for p in raw.iterdir() if p.suffix == ".bin")


def have_event(tmp, eventname):
    return any(n.split("-", 1)[1][:-4] == eventname for n in recorded_names(tmp))


def scenario(tmp, client, rec, notes, child_pids):
    """All RPC traffic, in order.  Fills rec.saved and notes."""
    # --- startup -----------------------------------------------------------
    wait_for(lambda: os.path.exists(client.sock_path), 15, what="unix socket")
    wait_for(lambda: client.call("supervisor.getState").value["statename"] == "RUNNING",
             15, what="supervisord RUNNING")

    rec.record("getAPIVersion", "supervisor.getAPIVersion")
    rec.record("getSupervisorVersion", "supervisor.getSupervisorVersion")
    rec.record("getIdentification", "supervisor.getIdentification")
    rec.record("getPID", "supervisor.getPID")
    rec.record("getState", "supervisor.getState")
    rec.record("getState-tcp", "supervisor.getState", transport="tcp")
    rec.record("system.listMethods", "system.listMethods")
    rec.record("http401-noauth-tcp", "supervisor.getState", transport="tcp", auth=None)
    rec.record("http401-badauth-tcp", "supervisor.getState", transport="tcp",
               auth=f"{USERNAME}:wrong")
    rec.record("http400-garbage", "-", body=b"this is <not xml & at all")
    rec.record("http400-garbage-tcp", "-", transport="tcp", body=b"garbage <<< not xml")
    # a body that is not UTF-8: supervisord's as_string() raises inside medusa and
    # the connection is closed without any response (the .http file is empty)
    rec.record("closed-nonutf8body-tcp", "-", transport="tcp",
               body=b"<?xml version='1.0'?>\n<methodCall>\xff\xfe</methodCall>\n")
    rec.record("http400-nomethodname", "-",
               body=b"<?xml version='1.0'?>\n<methodCall>\n<params>\n</params>\n</methodCall>\n")

    # --- mixed states for getAllProcessInfo ----------------------------------
    def mixed_ready():
        st = states(client)
        for p in st.values():
            if p["pid"]:
                child_pids.add(p["pid"])
        return (st["crasher:crasher"]["statename"] == "FATAL"
                and st["badcmd:badcmd"]["statename"] == "FATAL"
                and st["exit_expected:exit_expected"]["statename"] == "EXITED"
                and st["exit_unexpected:exit_unexpected"]["statename"] == "EXITED"
                and st["flapper:flapper"]["statename"] == "BACKOFF"
                and st["longrun:longrun"]["statename"] == "RUNNING"
                and st["pool:pool_02"]["statename"] == "RUNNING")
    want = {"FATAL", "EXITED", "STOPPED", "RUNNING", "BACKOFF"}
    for attempt in range(10):
        wait_for(mixed_ready, 20, interval=0.05, what="mixed process states")
        res = client.call("supervisor.getAllProcessInfo")
        got = {p["statename"] for p in res.value}
        if want <= got:
            del res
            r = rec.record("getAllProcessInfo", "supervisor.getAllProcessInfo")
            if want <= {p["statename"] for p in r.value}:
                break
            del rec.saved["getAllProcessInfo"]
        time.sleep(0.2)
    else:
        raise Timeout("getAllProcessInfo with mixed states")

    wait_for(lambda: client.call("supervisor.getProcessInfo", "flapper").value["statename"]
             == "BACKOFF", 10, interval=0.05, what="flapper BACKOFF")
    rec.record("getProcessInfo-backoff", "supervisor.getProcessInfo", ["flapper"])
    rec.record("getProcessInfo", "supervisor.getProcessInfo", ["longrun"])
    rec.record("getProcessInfo-fatal", "supervisor.getProcessInfo", ["crasher"])
    rec.record("getProcessInfo-fatal-nofile", "supervisor.getProcessInfo", ["badcmd"])
    rec.record("getProcessInfo-exited", "supervisor.getProcessInfo", ["exit_unexpected"])
    rec.record("getProcessInfo-stopped", "supervisor.getProcessInfo", ["slowstart"])
    rec.record("getProcessInfo-numprocs", "supervisor.getProcessInfo", ["pool:pool_01"])
    rec.record("getProcessInfo-groupmember", "supervisor.getProcessInfo", ["grp:alpha"])

    # --- logs --------------------------------------------------------------
    wait_for(lambda: client.call("supervisor.readProcessStdoutLog", "longrun", 0, 0).value,
             10, what="longrun log")
    rec.record("readProcessStdoutLog", "supervisor.readProcessStdoutLog", ["longrun", 0, 0])
    # an offset that lands inside the 2-byte 'é': supervisord decodes a split char
    text = rec.saved["readProcessStdoutLog"][1].value
    idx = len(text[:text.index("\u00e9")].encode("utf-8")) + 1
    rec.record("readProcessStdoutLog-splitchar", "supervisor.readProcessStdoutLog",
               ["longrun", idx, 0])

    def chatter_log_has_invalid():
        logs = sorted((Path(tmp) / "logs").glob("chatter-stdout*"))
        return logs and b"\xff" in logs[0].read_bytes()
    wait_for(chatter_log_has_invalid, 10, what="chatter invalid bytes in log")
    rec.record("readProcessStdoutLog-undecodable", "supervisor.readProcessStdoutLog",
               ["chatter", 0, 0])
    rec.record("readProcessStderrLog", "supervisor.readProcessStderrLog", ["crasher", 0, 0])

    # --- faults ------------------------------------------------------------
    rec.record("fault-BAD_NAME", "supervisor.getProcessInfo", ["nosuch"])
    rec.record("fault-BAD_NAME-groupstar", "supervisor.getProcessInfo", ["pool:*"])
    rec.record("fault-NOT_RUNNING", "supervisor.stopProcess", ["exit_expected"])
    rec.record("fault-ALREADY_STARTED", "supervisor.startProcess", ["longrun"])
    rec.record("fault-BAD_SIGNAL", "supervisor.signalProcess", ["longrun", "NOPE"])
    rec.record("fault-UNKNOWN_METHOD", "supervisor.noSuchMethod")
    rec.record("fault-UNKNOWN_METHOD-noprefix", "getState")
    rec.record("fault-SIGNATURE_UNSUPPORTED", "system.methodSignature",
               ["supervisor.noSuchMethod"])
    rec.record("system.methodSignature", "system.methodSignature",
               ["supervisor.getProcessInfo"])
    rec.record("fault-INCORRECT_PARAMETERS", "supervisor.getProcessInfo")
    rec.record("fault-BAD_ARGUMENTS", "supervisor.readProcessStdoutLog", ["longrun", 0, -1])
    rec.record("fault-NO_FILE", "supervisor.startProcess", ["badcmd"])
    rec.record("fault-NOT_EXECUTABLE", "supervisor.startProcess", ["notexec"])
    rec.record("fault-ALREADY_ADDED", "supervisor.addProcessGroup", ["pool"])
    rec.record("fault-STILL_RUNNING", "supervisor.removeProcessGroup", ["pool"])
    rec.record("fault-BAD_NAME-tcp", "supervisor.getProcessInfo", ["nosuch"], transport="tcp")
    # SPAWN_ERROR: restart the FATAL crasher and wait; it exits within startsecs.
    rec.record("fault-SPAWN_ERROR", "supervisor.startProcess", ["crasher", True])
    # ABNORMAL_TERMINATION: startProcess(wait) on slowstart (startsecs=5) while a
    # second connection stops it during STARTING.
    body = rpc_body("supervisor.startProcess", ["slowstart", True])
    req_a = client.build("unix", body)
    sa = client.connect("unix")
    sa.sendall(req_a)
    wait_for(lambda: client.call("supervisor.getProcessInfo", "slowstart").value["statename"]
             == "STARTING", 5, interval=0.05, what="slowstart STARTING")
    rec.record("stopProcess-starting", "supervisor.stopProcess", ["slowstart"])
    rec.save("fault-ABNORMAL_TERMINATION", "supervisor.startProcess", req_a,
             HTTPResult(client.read_response(sa)))
    # FAILED + PROCESS_STATE_UNKNOWN (injected EPERM, see launch.py)
    for p in states(client).values():
        if p["pid"]:
            child_pids.add(p["pid"])
    rec.record("fault-FAILED-signal", "supervisor.signalProcess", ["unknowner", "WINCH"])
    rec.record("fault-FAILED-startunknown", "supervisor.startProcess", ["unknowner"])
    rec.record("getProcessInfo-unknown", "supervisor.getProcessInfo", ["unknowner"])

    # --- successful control calls --------------------------------------------
    rec.record("stopProcess", "supervisor.stopProcess", ["longrun"])
    rec.record("getProcessInfo-stopped-afterstop", "supervisor.getProcessInfo", ["longrun"])
    rec.record("startProcess", "supervisor.startProcess", ["longrun"])
    rec.record("startProcess-nowait", "supervisor.startProcess", ["exit_expected", False])
    rec.record("signalProcess", "supervisor.signalProcess", ["longrun", "USR1"])
    rec.record("signalProcess-group", "supervisor.signalProcess", ["pool:*", "USR1"])
    rec.record("system.multicall", "system.multicall", [[
        {"methodName": "supervisor.getState", "params": []},
        {"methodName": "supervisor.getProcessInfo", "params": ["nosuch"]},
        {"methodName": "supervisor.getPID", "params": []},
        {"methodName": "supervisor.stopProcess", "params": ["exit_unexpected"]},
        {"methodName": "supervisor.noSuchMethod", "params": []},
        {"methodName": "supervisor.getProcessInfo", "params": ["pool:pool_00"]},
        {"methodName": "system.multicall", "params": [[]]},
    ]])

    # --- remote communication ------------------------------------------------
    rec.record("sendRemoteCommEvent", "supervisor.sendRemoteCommEvent",
               ["ascii-type", "plain ascii data"])
    rec.record("sendRemoteCommEvent-nonascii", "supervisor.sendRemoteCommEvent",
               ["t\u00ffpe", "d\u00e4t\u00e4\u2026 \u2713"])

    # --- group removal / addition ----------------------------------------------
    for p in states(client).values():
        if p["pid"]:
            child_pids.add(p["pid"])
    rec.record("stopProcess-group", "supervisor.stopProcess", ["grp:*"])
    rec.record("removeProcessGroup", "supervisor.removeProcessGroup", ["grp"])
    rec.record("addProcessGroup", "supervisor.addProcessGroup", ["grp"])
    wait_for(lambda: client.call("supervisor.getProcessInfo", "grp:alpha").value["statename"]
             == "RUNNING", 10, what="grp running again")
    wait_for(lambda: client.call("supervisor.getProcessInfo", "longrun").value["statename"]
             == "RUNNING", 10, what="longrun running again")
    for p in states(client).values():
        if p["pid"]:
            child_pids.add(p["pid"])
    rec.record("getAllProcessInfo-tcp", "supervisor.getAllProcessInfo", transport="tcp")

    # --- ticks ---------------------------------------------------------------
    try:
        wait_for(lambda: have_event(tmp, "TICK_3600") and have_event(tmp, "TICK_60"),
                 TICK_SHIFT_LEAD + 15, interval=0.2, what="TICK_3600")
    except Timeout:
        notes.append("TICK_60/TICK_3600 did not arrive within the wait window.")

    # --- reloadConfig: unchanged, then CANT_REREAD with a broken config -----------
    rec.record("reloadConfig", "supervisor.reloadConfig")
    conf = Path(tmp, "supervisord.conf")
    good = conf.read_bytes()
    conf.write_bytes(good + b"\n[program:broken]\nautostart=true\n")
    try:
        rec.record("fault-CANT_REREAD", "supervisor.reloadConfig")
    finally:
        conf.write_bytes(good)

    # --- shutdown ------------------------------------------------------------
    for p in states(client).values():
        if p["pid"]:
            child_pids.add(p["pid"])
    rec.record("shutdown", "supervisor.shutdown")
    end = time.monotonic() + 10
    caught = False
    while time.monotonic() < end:
        body = rpc_body("supervisor.getState")
        req = client.build("unix", body)
        try:
            res = client.exchange(req, "unix")
        except OSError:
            break
        if res.fault is not None and res.fault.faultCode == 6:
            rec.save("fault-SHUTDOWN_STATE", "supervisor.getState", req, res)
            caught = True
            # the same over TCP, while it lasts
            try:
                rec.record("fault-SHUTDOWN_STATE-tcp", "supervisor.getProcessInfo",
                           ["longrun"], transport="tcp")
            except OSError:
                pass
            break
        time.sleep(0.01)
    if not caught:
        notes.append("SHUTDOWN_STATE fault was not caught after supervisor.shutdown.")


def pid_is_ours(pid, tmp):
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return tmp.encode() in cmd


def stop_supervisord(proc):
    if proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def reap_leftovers(pids, tmp):
    left = [p for p in sorted(pids) if pid_is_ours(p, tmp)]
    for p in left:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    end = time.monotonic() + 3
    while time.monotonic() < end and any(pid_is_ours(p, tmp) for p in left):
        time.sleep(0.05)
    for p in left:
        if pid_is_ours(p, tmp):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return left


# --------------------------------------------------------------------------
# event post-processing
# --------------------------------------------------------------------------

def parse_event(raw):
    nl = raw.index(b"\n")
    header = raw[:nl + 1]
    payload = raw[nl + 1:]
    tokens = dict(t.partition(b":")[::2] for t in header[:-1].split(b" "))
    return header, payload, {k.decode(): v.decode() for k, v in tokens.items()}


def event_variant(name, payload_text):
    if name in CONTENT_EVENTS:
        body = payload_text.split("\n", 1)[1] if "\n" in payload_text else ""
        if "Undecodable: " in body:
            return "undecodable"
        if not body.isascii():
            return "nonascii"
        return None
    if name == "PROCESS_STATE_EXITED":
        return "expected" if " expected:1 " in payload_text + " " else "unexpected"
    if name.startswith("PROCESS_STATE_"):
        m = re.search(r"from_state:(\S+)", payload_text)
        return "from_" + m.group(1) if m else None
    return None


def write_events(tmp, notes):
    rawdir = Path(tmp) / "rec" / "raw"
    files = sorted(rawdir.glob("*.bin")) if rawdir.is_dir() else []
    raws = [f.read_bytes() for f in files]
    chosen = {}                    # filename -> raw
    per_type = {}
    base_variant = {}
    for raw in raws:
        header, payload, tok = parse_event(raw)
        name = tok["eventname"]
        text = payload.decode("utf-8")
        var = event_variant(name, text)
        n = per_type.setdefault(name, 0)
        base = f"{name}.bin"
        if name in CONTENT_EVENTS:
            if var is None and base not in chosen:
                chosen[base] = raw
                per_type[name] += 1
            elif var is not None and f"{name}-{var}.bin" not in chosen and n < PER_TYPE_CAP:
                chosen[f"{name}-{var}.bin"] = raw
                per_type[name] += 1
            continue
        if base not in chosen:
            chosen[base] = raw
            per_type[name] += 1
            base_variant[name] = var
            if name != "PROCESS_STATE_EXITED":
                continue
        if var is None or f"{name}-{var}.bin" in chosen or per_type[name] >= PER_TYPE_CAP:
            continue
        if name != "PROCESS_STATE_EXITED" and var == base_variant.get(name):
            continue
        chosen[f"{name}-{var}.bin"] = raw
        per_type[name] += 1
    # content types that never had a plain sample: base = first sample
    for raw in raws:
        name = parse_event(raw)[2]["eventname"]
        if f"{name}.bin" not in chosen:
            chosen[f"{name}.bin"] = raw
            notes.append(f"{name}: no plain-ASCII sample; {name}.bin is the first one seen.")

    if EVENTS_DIR.exists():
        shutil.rmtree(EVENTS_DIR)
    EVENTS_DIR.mkdir(parents=True)
    rows = []
    problems = []
    for fname in sorted(chosen):
        raw = chosen[fname]
        (EVENTS_DIR / fname).write_bytes(raw)
        header, payload, tok = parse_event(raw)
        nchars = len(payload.decode("utf-8"))
        if int(tok["len"]) != nchars:
            problems.append(f"{fname}: len {tok['len']} != {nchars} chars")
        if ("-nonascii" in fname or "-undecodable" in fname) and not len(payload) > nchars:
            if "-nonascii" in fname:
                problems.append(f"{fname}: expected payload bytes > len")
        rows.append(f"{fname}\t{tok['eventname']}\t{tok['len']}\t{len(payload)}\t{nchars}\n")
    (EVENTS_DIR / "INDEX.tsv").write_text(
        "file\teventname\tlen\tpayload_bytes\tpayload_chars\n" + "".join(rows),
        encoding="utf-8")
    # stream: whole events in arrival order, stop past the cap
    stream = bytearray()
    for raw in raws:
        if len(stream) + len(raw) > STREAM_CAP:
            break
        stream += raw
    (EVENTS_DIR / "stream.bin").write_bytes(bytes(stream))
    # re-parse stream.bin the way a 4.x reader must (len = characters)
    pos, count = 0, 0
    while pos < len(stream):
        start = pos
        nl = stream.index(b"\n", pos)
        want = int(re.search(rb" len:(\d+)$", bytes(stream[pos:nl])).group(1))
        dec = codecs.getincrementaldecoder("utf-8")()
        pos = nl + 1
        got = 0
        while got < want:
            got += len(dec.decode(bytes(stream[pos:pos + 1])))
            pos += 1
        if bytes(stream[start:pos]) != raws[count]:
            problems.append(f"stream.bin re-parse mismatch at event {count}")
            break
        count += 1
    # cross-check: the recorder's own stream file must equal the concatenation
    full = (Path(tmp) / "rec" / "stream.bin").read_bytes()
    if full != b"".join(raws):
        problems.append("recorder stream.bin != concatenation of per-event files")
    return chosen, raws, len(stream), problems


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------

README_TEMPLATE = """\
# supervisord 4.3.0 test vectors (byte-exact captures)

Recorded by `record_vectors.py` from a real supervisord **{supervisor_version}**
running on Python {python_version}. Nothing here is hand-written: every `.bin`
and `.http` file contains bytes exactly as supervisord wrote them. Volatile values
(pids, times, serials, `Nov 22 02:33 AM`-style descriptions, uptimes) are left as
they were recorded.

Re-record (about {runtime:.0f} s, overwrites `events/`, `rpc/` and this README):

    python3 core/tests/vectors/record_vectors.py

It needs Python 3.11 and `pip install supervisor==4.3.0`, and nothing else. All
processes, sockets and logs live in a mkdtemp directory that is removed at the end.
It listens only on a unix socket in that directory and on `127.0.0.1:<free port>`.
The script exits non-zero if an expected vector is missing.

## events/

- `<EVENTNAME>.bin` contains one event exactly as the listener received it: the
  header line (`ver:3.0 server:supervisor serial:N pool:recorder poolserial:N
  eventname:X len:N\\n`) followed by the payload. Nothing follows the
  payload.
- `<EVENTNAME>-<variant>.bin` holds further samples:
  - `-nonascii`: the payload has non-ASCII UTF-8 text, so payload bytes > `len`.
  - `-undecodable`: the program wrote invalid UTF-8, and supervisord replaced the
    data with `Undecodable: b'...'`, the Python repr.
  - `-expected` / `-unexpected` for `PROCESS_STATE_EXITED`.
  - `-from_<STATE>` for other `from_state` values of a PROCESS_STATE event.
- `stream.bin` is the whole event stream in arrival order, made of whole events
  only. It stops before the first event that would take it past 64 KiB.
- `INDEX.tsv` has these columns: file, eventname, header `len`, payload byte length,
  payload character (code point) length. For every file, `len` equals the number
  of characters. This is the supervisor 4.x rule (Supervisor/supervisor#1243): a
  reader must consume `len` UTF-8 *characters*, not bytes.

The listener subscribes to `events=EVENT` with `buffer_size=2000`. It reads the
header, then decodes incrementally until it has `len` characters, and answers
`RESULT 2\\nOK`.

### The time shift (TICK_60 / TICK_3600)

supervisord sends TICK_60 and TICK_3600 only when its clock crosses a minute or
hour boundary after start-up. Waiting up to an hour is not an option, so the
script starts supervisord through a tiny launcher:

    import time; _t = time.time; time.time = lambda: _t() + OFFSET
    from supervisor.supervisord import main; main(['-n', '-c', conf])

`OFFSET` is between -3600 and 0 s and is chosen so that the shifted clock crosses
an hour boundary {lead:.0f} s after launch. TICK_5, TICK_60 and TICK_3600 then all
fire on that loop iteration, with the same `when:` (a multiple of 3600). Every
time value in these vectors is shifted by the same offset: TICK `when`,
process-info `start`/`stop`/`now`, and stop-time descriptions. The shift is
therefore at most one hour into the past.

### PROCESS_STATE_UNKNOWN (fault injection)

supervisord 4.3.0 enters UNKNOWN only when `kill()` fails with an errno other
than ESRCH. A root supervisord killing its own child never hits that case. The
launcher therefore wraps `ServerOptions.kill` so that SIGWINCH sent to the program
`unknowner` raises `OSError(EPERM)`. The state change, the event, the FAILED fault
text (`rpc/fault-FAILED-signal.http`, which contains a traceback that names the
injection) and the UNKNOWN process-info are all produced by supervisord's own code.
supervisord treats UNKNOWN as a stopped state, so it leaves that child behind at
shutdown. The script then kills the child by pid.

## rpc/

Raw XML-RPC over HTTP/1.1, recorded with plain sockets:
- `<name>.request` holds the exact bytes sent: `POST /RPC2 HTTP/1.1`, `Host`,
  `Content-Type: text/xml`, `Content-Length`, and for TCP `Authorization: Basic`.
  The body is produced by Python's `xmlrpc.client.dumps`, exactly as `ServerProxy`
  sends it.
- `<name>.http` holds the complete raw response: status line, headers and body.
- Names ending in `-tcp` went over `127.0.0.1` with Basic auth (user `{user}`,
  password `{password}`). All others went over the unix socket, without auth.
- `INDEX.tsv` has these columns: file, method, HTTP status, fault code (or `-`).

Programs used (see `make_conf` in the script):
- `longrun`: running; its stdout log contains `< & > ]]> &amp;` and non-ASCII text.
- `crasher`: exits 1 at once; `startretries=1` leads to BACKOFF and then FATAL.
- `flapper`: the same with `startretries=100`, so it stays in BACKOFF.
- `exit_unexpected`: exits 3 after 1.5 s (EXITED expected:0).
- `exit_expected`: exits 0 after 1.5 s (EXITED expected:1).
- `chatter`: `std*_events_enabled`; writes ASCII, non-ASCII and invalid UTF-8.
- `capture`: `std*_capture_maxbytes=1MB`; writes `<!--XSUPERVISOR:BEGIN-->…<!--XSUPERVISOR:END-->`.
- `pool`: `numprocs=3`.
- `grp`: a `[group:grp]` of `alpha` and `beta`, used for stop, remove and add.
- `badcmd`: a missing binary, which goes FATAL with a spawnerr and gives NO_FILE.
- `notexec`: a non-executable file, which gives NOT_EXECUTABLE.
- `slowstart`: `startsecs=5`, used for ABNORMAL_TERMINATION. A `startProcess(wait)`
  is left pending while a second connection stops the process.
- `slowstop`: takes 1.5 s to stop, which keeps the SHUTDOWN_STATE window open.
- `unknowner`: see above.

## Captured: {n_events} events in the stream, {n_event_files} event files, {n_rpc} RPC exchanges

{notes}
"""


def main():
    t_start = time.monotonic()
    import supervisor  # noqa: F401  (fail early if missing)
    from importlib.metadata import version
    sup_version = version("supervisor")
    if sup_version != "4.3.0":
        print(f"warning: supervisor {sup_version} installed, vectors are meant for 4.3.0",
              file=sys.stderr)

    tmp = tempfile.mkdtemp(prefix="rv-")
    port = free_port()
    Path(tmp, "logs").mkdir()
    Path(tmp, "rec").mkdir()
    Path(tmp, "launch.py").write_text(LAUNCH_PY)
    Path(tmp, "recorder.py").write_text(RECORDER_PY)
    Path(tmp, "prog.py").write_text(PROG_PY)
    Path(tmp, "not_executable.txt").write_text("not a program\n")
    conf = Path(tmp, "supervisord.conf")
    conf.write_text(make_conf(tmp, port))

    now = time.time()
    offset = -((now + TICK_SHIFT_LEAD) % 3600.0)
    env = dict(os.environ, RV_LIFETIME=str(CHILD_LIFETIME), PYTHONDONTWRITEBYTECODE="1")
    env.pop("SUPERVISOR_SERVER_URL", None)
    logf = open(Path(tmp, "launcher.out"), "wb")
    proc = subprocess.Popen(
        [sys.executable, str(Path(tmp, "launch.py")), repr(offset), str(conf)],
        stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
        env=env, cwd=tmp, start_new_session=True)

    client = Client(str(Path(tmp, "supervisor.sock")), port)
    rec = Recorder(client)
    notes = []
    child_pids = set()
    ok = True
    error = None
    watchdog = threading.Timer(OVERALL_DEADLINE, lambda: stop_supervisord(proc))
    watchdog.daemon = True
    watchdog.start()
    try:
        scenario(tmp, client, rec, notes, child_pids)
        proc.wait(timeout=20)
    except Exception as exc:  # keep going: clean up, then report
        error = f"{type(exc).__name__}: {exc}"
        ok = False
    finally:
        watchdog.cancel()
        stop_supervisord(proc)
        logf.close()
        left = reap_leftovers(child_pids, tmp)

    if error:
        print("ERROR during scenario:", error, file=sys.stderr)
        print("--- supervisord log tail ---", file=sys.stderr)
        try:
            print(Path(tmp, "supervisord.log").read_text(errors="replace")[-4000:],
                  file=sys.stderr)
            print(Path(tmp, "launcher.out").read_text(errors="replace")[-2000:],
                  file=sys.stderr)
        except OSError:
            pass

    chosen, raws, stream_len, problems = write_events(tmp, notes)

    if RPC_DIR.exists():
        shutil.rmtree(RPC_DIR)
    RPC_DIR.mkdir(parents=True)
    rec.write(RPC_DIR)

    shutil.rmtree(tmp, ignore_errors=True)
    runtime = time.monotonic() - t_start

    # --- checks --------------------------------------------------------------
    missing = [f for f in REQUIRED_EVENT_FILES if f not in chosen]
    required_rpc = [
        "getAllProcessInfo", "getAllProcessInfo-tcp", "getProcessInfo", "getState",
        "getState-tcp", "getAPIVersion", "getSupervisorVersion", "getPID",
        "getIdentification", "startProcess", "stopProcess", "signalProcess-group",
        "system.listMethods", "system.multicall", "readProcessStdoutLog",
        "fault-BAD_NAME", "fault-NOT_RUNNING", "fault-ALREADY_STARTED", "fault-BAD_SIGNAL",
        "fault-UNKNOWN_METHOD", "fault-INCORRECT_PARAMETERS", "fault-NO_FILE",
        "fault-SPAWN_ERROR", "fault-SHUTDOWN_STATE", "http401-noauth-tcp",
        "http401-badauth-tcp", "http400-garbage", "sendRemoteCommEvent-nonascii",
        "removeProcessGroup", "addProcessGroup",
    ]
    missing += [f"rpc/{n}" for n in required_rpc if n not in rec.saved]
    expect_status = {"http401-noauth-tcp": 401, "http401-badauth-tcp": 401,
                     "http400-garbage": 400, "http400-garbage-tcp": 400,
                     "http400-nomethodname": 400}
    for n, st in expect_status.items():
        if n in rec.saved and rec.saved[n][1].status != st:
            problems.append(f"rpc/{n}: status {rec.saved[n][1].status}, expected {st}")
    fault_names = {1: "UNKNOWN_METHOD", 2: "INCORRECT_PARAMETERS", 3: "BAD_ARGUMENTS",
                   6: "SHUTDOWN_STATE", 10: "BAD_NAME", 11: "BAD_SIGNAL", 20: "NO_FILE",
                   4: "SIGNATURE_UNSUPPORTED", 21: "NOT_EXECUTABLE", 92: "CANT_REREAD", 30: "FAILED", 40: "ABNORMAL_TERMINATION",
                   50: "SPAWN_ERROR", 60: "ALREADY_STARTED", 70: "NOT_RUNNING",
                   90: "ALREADY_ADDED", 91: "STILL_RUNNING"}
    for n, (_, res, _) in rec.saved.items():
        if n.startswith("fault-"):
            want = n.split("-")[1]
            got = fault_names.get(res.fault.faultCode) if res.fault is not None else None
            if got != want:
                problems.append(f"rpc/{n}: got fault {got}, expected {want}")

    # --- README --------------------------------------------------------------
    note_lines = []
    if "SUPERVISOR_STATE_CHANGE_STOPPING.bin" in chosen:
        note_lines.append("- SUPERVISOR_STATE_CHANGE_STOPPING was captured. The listener "
                          "has priority -1, so it is stopped last and still receives the "
                          "shutdown events.")
    if "fault-SHUTDOWN_STATE" in rec.saved:
        note_lines.append("- SHUTDOWN_STATE (fault 6) was caught by calling getState "
                          "right after `supervisor.shutdown`. The 1.5 s stop of "
                          "`slowstop` keeps the window open.")
    if "readProcessStdoutLog-undecodable" in rec.saved:
        st = rec.saved["readProcessStdoutLog-undecodable"][1].status
        note_lines.append(
            f"- `readProcessStdoutLog` on a log that contains invalid UTF-8 gives "
            f"HTTP {st}. supervisord's `as_string()` raises UnicodeDecodeError, a "
            f"ValueError subclass, which `_readProcessLog` turns into "
            f"`getattr(Faults, 'utf-8')`. The same happens for a byte range that "
            f"splits a multi-byte character (`readProcessStdoutLog-splitchar`, HTTP "
            f"{rec.saved.get('readProcessStdoutLog-splitchar', (0, HTTPResult(b'HTTP/1.1 0 -')))[1].status}).")
    undec_comm = [f for f in chosen if f.startswith("PROCESS_COMMUNICATION") and "undecodable" in f]
    if undec_comm:
        note_lines.append("- Capture mode with invalid UTF-8 gives "
                          + ", ".join(sorted(undec_comm)) + ".")
    if "closed-nonutf8body-tcp" in rec.saved:
        raw = rec.saved["closed-nonutf8body-tcp"][1].raw
        note_lines.append(
            "- A request body that is not valid UTF-8 (`closed-nonutf8body-tcp`): "
            + ("supervisord closed the connection without sending anything, because "
               "`as_string()` raises inside medusa's collector. The `.http` file is empty "
               "and INDEX.tsv shows status `-`."
               if not raw else f"supervisord answered {len(raw)} bytes.")
            + " A client must treat EOF before a status line as an error.")
    note_lines.append(
        "- The HTTP `Date:` header also comes from the shifted `time.time()`.")
    note_lines.append(
        "- SUCCESS (80) is never sent as a fault. It appears only as the `status` of "
        "group replies, for example `signalProcess-group` and `stopProcess-group`.")
    note_lines.append(
        "- Not captured: listener rejections and redelivery (the recorder always "
        "answers OK), and HTTP 500 other than the log-decoding cases above.")
    note_lines.append(
        "- `PROCESS_STATE_UNKNOWN` needed the fault injection described above. Without "
        "it, the state cannot be reached from a root supervisord.")
    for n in notes:
        note_lines.append("- " + n)
    if missing:
        note_lines.append("- MISSING in the last run: " + ", ".join(missing))
    if problems:
        note_lines.append("- PROBLEMS in the last run: " + "; ".join(problems))
    (HERE / "README.md").write_text(README_TEMPLATE.format(
        supervisor_version=sup_version,
        python_version=".".join(map(str, sys.version_info[:2])),
        runtime=max(runtime, 1.0), lead=TICK_SHIFT_LEAD, user=USERNAME, password=PASSWORD,
        n_events=len(raws), n_event_files=len(chosen), n_rpc=len(rec.saved),
        notes="\n".join(note_lines)), encoding="utf-8")

    # --- summary -------------------------------------------------------------
    print(f"supervisor {sup_version}; time offset {offset:.1f} s; runtime {runtime:.1f} s")
    print(f"events received: {len(raws)}; event files: {len(chosen)}; "
          f"stream.bin: {stream_len} bytes")
    types_seen = sorted({parse_event(r)[2]['eventname'] for r in raws})
    print("event types seen:", " ".join(types_seen))
    nonascii = [f for f in sorted(chosen) if "-nonascii" in f]
    for f in nonascii:
        _, payload, tok = parse_event(chosen[f])
        print(f"  {f}: len {tok['len']}, payload bytes {len(payload)}")
    print(f"rpc exchanges: {len(rec.saved)}")
    for n in sorted(rec.saved):
        method, res, _ = rec.saved[n]
        fc = res.fault.faultCode if res.fault is not None else "-"
        print(f"  {n:40s} {res.status} {fc}")
    if left:
        print(f"killed leftover children by pid: {left}")
    for n in notes:
        print("note:", n)
    if missing:
        print("MISSING:", ", ".join(missing), file=sys.stderr)
    if problems:
        print("PROBLEMS:", "; ".join(problems), file=sys.stderr)
    if missing or problems or not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
