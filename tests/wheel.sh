#!/usr/bin/env bash
# The Python wheel, end to end: build it with maturin, pip install it into a
# fresh venv, check that all eleven names are on the venv's PATH and answer
# --version, then run a real supervisord from that venv with
# supervisor_http_check (a wheel script, found on PATH) guarding
# `supercheck demo-service`: break the service and see it restarted.
#
#   tests/wheel.sh          (tests/setup.sh makes .venv-release with maturin
#                            and a wheelhouse holding supervisor 4.3.0)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build_venv="$root/.venv-release"
wheelhouse="$build_venv/wheelhouse"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
names="supervisor_http_check supervisor_tcp_check supervisor_xmlrpc_check
supervisor_memory_check supervisor_cpu_check supervisor_file_check
supervisor_complex_check httpok memmon crashmail"

say() { printf '[wheel] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/supercheck-wheel.XXXXXX")
supervisord_pid=""
cleanup() {
    if [ -n "$supervisord_pid" ] && kill -0 "$supervisord_pid" 2>/dev/null; then
        kill -TERM "$supervisord_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$supervisord_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$supervisord_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Waits up to $1 seconds for the command that follows to succeed.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

say "maturin build --release"
(cd std-runner && timeout 900 "$build_venv/bin/maturin" build --release --quiet -o "$work/dist") >&2
wheel=$(ls "$work"/dist/supercheck-"$version"-*.whl)
say "built $(basename "$wheel") ($(stat -c %s "$wheel") bytes)"

say "fresh venv, pip install the wheel and supervisor (from the wheelhouse, no index)"
python3 -m venv "$work/venv"
venv_bin="$work/venv/bin"
timeout 300 "$venv_bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-index --find-links "$wheelhouse" "$wheel" "supervisor==4.3.0"

say "every name is on the venv's PATH and answers --version"
export PATH="$venv_bin:/usr/local/bin:/usr/bin:/bin"
[ "$(command -v supercheck)" = "$venv_bin/supercheck" ] || fail "supercheck is not the venv's"
[ "$(supercheck --version)" = "supercheck $version" ] || fail "supercheck --version: $(supercheck --version)"
count=1
for name in $names; do
    [ "$(command -v "$name")" = "$venv_bin/$name" ] || fail "$name is not on PATH from the venv"
    got=$("$name" --version) || fail "$name --version exited $?"
    [ "$got" = "$name (supercheck) $version" ] || fail "$name --version: $got"
    count=$((count + 1))
done
[ "$count" -eq 11 ] || fail "expected 11 names, checked $count"
# The names are scripts of a few hundred bytes: one binary in the wheel, not eleven.
for name in $names; do
    [ "$(stat -c %s "$venv_bin/$name")" -lt 1024 ] || fail "$name is not a small wrapper"
done

say "a real supervisord from the venv: supervisor_http_check restarts a broken service"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/supervisord.conf" <<EOF
[unix_http_server]
file=$work/supervisor.sock

[supervisord]
logfile=$work/supervisord.log
pidfile=$work/supervisord.pid
childlogdir=$work
loglevel=info

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$work/supervisor.sock

[program:web]
command=supercheck demo-service --port $port --mode-file $work/web.mode
startsecs=1
autorestart=true
stdout_logfile=$work/web.log
redirect_stderr=true

[eventlistener:web_check]
command=supervisor_http_check -n web_check -g web -u /health -p $port -t 1 -r 0
events=TICK_5
stderr_logfile=$work/web_check.log
EOF
echo ok >"$work/web.mode"
"$venv_bin/supervisord" -n -c "$work/supervisord.conf" >"$work/supervisord.out" 2>&1 &
supervisord_pid=$!

ctl() { "$venv_bin/supervisorctl" -c "$work/supervisord.conf" "$@"; }
web_pid() { ctl pid web 2>/dev/null | grep -E '^[0-9]+$' | grep -v '^0$'; }
running() { ctl status "$1" 2>/dev/null | grep -q RUNNING; }

wait_for 20 running web || fail "web never RUNNING: $(cat "$work/supervisord.log")"
wait_for 20 running web_check || fail "web_check never RUNNING: $(cat "$work/supervisord.log")"
first_pid=$(web_pid) || fail "no pid for web"
# The listener found by PATH is the venv's wrapper, now the supercheck binary.
listener_pid=$(ctl pid web_check)
[ "$(readlink "/proc/$listener_pid/exe")" = "$venv_bin/supercheck" ] ||
    fail "web_check runs $(readlink "/proc/$listener_pid/exe"), not the venv's supercheck"
say "web RUNNING as pid $first_pid; breaking it"

echo fail >"$work/web.mode"
restarted() { local p; p=$(web_pid) && [ "$p" != "$first_pid" ] && running web; }
wait_for 25 restarted || fail "web was not restarted: $(cat "$work/web_check.log")"
grep -q "restart" "$work/web_check.log" || fail "the listener log names no restart: $(cat "$work/web_check.log")"
say "web restarted (pid $first_pid -> $(web_pid))"

kill -TERM "$supervisord_pid"
wait_for 15 sh -c "! kill -0 $supervisord_pid 2>/dev/null" || fail "supervisord did not stop"
wait "$supervisord_pid" || true
supervisord_pid=""
say "passed: 11 names on PATH, each answers --version; a broken service was restarted by the wheel's supervisor_http_check"
