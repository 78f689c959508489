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

# jco (npm) runs the wasip2 listener with real WASI sockets in the tests.
jco_dir="$(cd "$(dirname "$0")/.." && pwd)/targets/wasi/jco"
if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    log "apt-get install nodejs npm"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
if [ ! -x "$jco_dir/node_modules/.bin/jco" ]; then
    log "npm install (jco, into $jco_dir)"
    (cd "$jco_dir" && npm install --no-audit --no-fund --loglevel=error)
fi

# The wheel test (tests/wheel.sh): maturin in a venv of its own, and a
# wheelhouse with supervisor so that the fresh venv it makes installs offline.
release_venv="$(cd "$(dirname "$0")/.." && pwd)/.venv-release"
if [ ! -x "$release_venv/bin/python" ]; then
    log "python3 -m venv $release_venv"
    python3 -m venv "$release_venv"
fi
if [ ! -x "$release_venv/bin/maturin" ]; then
    log "pip install maturin (into $release_venv)"
    "$release_venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.5,<2"
fi
if ! ls "$release_venv"/wheelhouse/supervisor-4.3.0-*.whl >/dev/null 2>&1; then
    log "pip wheel supervisor==4.3.0 (into $release_venv/wheelhouse)"
    "$release_venv/bin/python" -m pip wheel --quiet --disable-pip-version-check \
        -w "$release_venv/wheelhouse" "supervisor==4.3.0"
fi

# Static musl release binaries (tests/cross.sh): the Rust targets, Debian's
# cross linkers for aarch64 and armv7, and qemu-user to run them.
for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-gnueabihf; do
    if ! rustup target list --installed | grep -qx "$target"; then
        log "rustup target add $target"
        rustup target add "$target" >/dev/null 2>&1 || log "$target: rust-std not available here; tests/cross.sh will skip it"
    fi
done
if command -v apt-get >/dev/null 2>&1 &&
    ! { command -v aarch64-linux-gnu-gcc && command -v arm-linux-gnueabihf-gcc && command -v qemu-aarch64; } >/dev/null 2>&1; then
    log "apt-get install gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf qemu-user"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf qemu-user
fi

if ! rustup toolchain list | grep -q '^nightly'; then
    log "rustup toolchain install nightly (for cargo fuzz only)"
    rustup toolchain install nightly --profile minimal || log "nightly unavailable: fuzzing will be skipped"
fi

if ! cargo nextest --version >/dev/null 2>&1; then
    log "cargo install cargo-nextest (runs the test binaries side by side)"
    cargo install --locked cargo-nextest || log "cargo-nextest unavailable: tests run with cargo test"
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    log "cargo install cargo-fuzz"
    cargo install --locked cargo-fuzz
fi
