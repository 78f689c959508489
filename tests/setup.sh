#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: Python's supervisor (the real
# peer the end-to-end tests drive), the Rust targets the core must build for, and
# cargo-fuzz on the nightly toolchain. Safe to run again: it skips what is there.
set -euo pipefail

log() { printf '[setup] %s\n' "$*" >&2; }

pip_install() {
    if ! python3 -c "import $1" 2>/dev/null; then
        log "pip install $2"
        python3 -m pip install --quiet --disable-pip-version-check "$2"
    fi
}

pip_install supervisor "supervisor==4.3.0"
pip_install prometheus_client "prometheus-client"

# The frontend's status page is loaded by headless Chromium in its test.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    log "apt-get install chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

# The heartbeat firmware boots in QEMU (mps2-an386); its sizes are read with
# arm-none-eabi-size.
if { ! command -v qemu-system-arm || ! command -v arm-none-eabi-size; } >/dev/null 2>&1 \
    && command -v apt-get >/dev/null 2>&1; then
    log "apt-get install qemu-system-arm binutils-arm-none-eabi"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        qemu-system-arm binutils-arm-none-eabi
fi

for target in thumbv7em-none-eabihf wasm32-wasip1 wasm32-wasip2; do
    if ! rustup target list --installed | grep -qx "$target"; then
        log "rustup target add $target"
        rustup target add "$target"
    fi
done

# The WASI listener's tests run it under PyPI wasmtime, in a venv of its own.
wasi_venv="$(cd "$(dirname "$0")/.." && pwd)/targets/wasi/.venv"
if [ ! -x "$wasi_venv/bin/python" ]; then
    log "python3 -m venv $wasi_venv"
    python3 -m venv "$wasi_venv"
fi
if ! "$wasi_venv/bin/python" -c "import wasmtime" 2>/dev/null; then
    log "pip install wasmtime (into $wasi_venv)"
    "$wasi_venv/bin/python" -m pip install --quiet --disable-pip-version-check "wasmtime==50.0.1"
fi

if ! rustup toolchain list | grep -q '^nightly'; then
    log "rustup toolchain install nightly (for cargo fuzz only)"
    rustup toolchain install nightly --profile minimal || log "nightly unavailable: fuzzing will be skipped"
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    log "cargo install cargo-fuzz"
    cargo install --locked cargo-fuzz
fi
