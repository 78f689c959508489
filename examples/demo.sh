#!/usr/bin/env bash
# The built-in demo: a real supervisord runs a demo web service and supercheck
# as its drop-in `supervisor_http_check` event listener. The demo breaks the
# service (it stops answering), shows the listener's log as it detects the hang
# and restarts the service through supervisord, then cleans everything up.
#
#   examples/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

if ! python3 -c 'import supervisor' 2>/dev/null; then
    say "installing supervisor 4.3.0 from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check 'supervisor==4.3.0'
fi

say "building supercheck (release)"
cargo build --quiet --release -p supercheck
bin="$PWD/target/release/supercheck"

dir=$(mktemp -d /tmp/supercheck-demo.XXXXXX)
sup_pid=""
cleanup() {
    if [ -n "$sup_pid" ] && kill -0 "$sup_pid" 2>/dev/null; then
        kill -TERM "$sup_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$sup_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$sup_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ln -s "$bin" "$dir/supervisor_http_check"
echo ok > "$dir/web.mode"
cat > "$dir/supervisord.conf" <<CONF
[unix_http_server]
file=$dir/supervisor.sock

[supervisord]
nodaemon=true
logfile=$dir/supervisord.log
pidfile=$dir/supervisord.pid
childlogdir=$dir

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$dir/supervisor.sock

[program:web]
command=$bin demo-service --port $port --mode-file $dir/web.mode
process_name=web_$port
startsecs=1

; Only the program path differs from a supervisor_checks set-up.
[eventlistener:web_check]
command=$dir/supervisor_http_check -g web -n web_check -u /ping -t 2 -r 0 -p ".+_(\\d+)"
events=TICK_5
stderr_logfile=$dir/web_check.log
CONF

say "starting supervisord with the demo service web:web_$port and the listener"
python3 -m supervisor.supervisord -c "$dir/supervisord.conf" >/dev/null 2>&1 &
sup_pid=$!
ctl() { python3 -m supervisor.supervisorctl -c "$dir/supervisord.conf" "$@"; }

shown=0
show_log() {
    local lines
    lines=$( (wc -l < "$dir/web_check.log") 2>/dev/null || echo 0)
    if [ "$lines" -gt "$shown" ]; then
        sed -n "$((shown + 1)),${lines}p" "$dir/web_check.log" | sed 's/^/   listener | /'
        shown=$lines
    fi
}
count() { local c; c=$(grep -c "$1" "$dir/web_check.log" 2>/dev/null); echo "${c:-0}"; }
wait_for_log() { # text, seconds: waits for one more line holding text
    local before
    before=$(count "$1")
    for _ in $(seq 1 $(($2 * 10))); do
        show_log
        [ "$(count "$1")" -gt "${before:-0}" ] && return 0
        sleep 0.1
    done
    echo "timed out waiting for: $1" >&2
    return 1
}

wait_for_log "all passed" 20
ctl status | sed 's/^/   status   | /'
old_pid=$(ctl pid "web:web_$port")

say "breaking the service: it now accepts connections and never answers"
echo hang > "$dir/web.mode"
wait_for_log "web:web_$port: restarted" 30
say "the listener restarted it; the service answers again"
echo ok > "$dir/web.mode"
wait_for_log "all passed" 20
new_pid=$(ctl pid "web:web_$port")
ctl status | sed 's/^/   status   | /'
say "web:web_$port was restarted by supercheck: pid $old_pid -> $new_pid"
