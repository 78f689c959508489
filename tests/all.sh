#!/usr/bin/env bash
# Every test of the project, from a fresh clone: set-up, formatting and lints,
# unit/property/integration tests (real supervisord included), the no_std builds
# of the core, the heartbeat firmware in QEMU, and a short run of every fuzz target.
#
#   tests/all.sh              everything
#   FUZZ_SECONDS=60 tests/all.sh   longer fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "set-up"
tests/setup.sh

step "format"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p supercheck-core --all-targets --features log -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "tests"
# cargo-nextest runs the test binaries side by side: most end-to-end tests
# wait on supervisord's ticks, not on the CPU. A test that fails and then
# passes on its one retry is reported as FLAKY in the summary.
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --test-threads 6 --retries 1 --no-fail-fast
    cargo test --workspace --doc
else
    cargo test --workspace
fi

step "no_std core for thumbv7em-none-eabihf (with and without defmt)"
cargo build -p supercheck-core --target thumbv7em-none-eabihf
cargo build -p supercheck-core --target thumbv7em-none-eabihf --features defmt

step "WASI listener: wasm32-wasip1 module and wasm32-wasip2 component under wasmtime and jco"
cargo build -p supercheck-wasi --release --target wasm32-wasip1
cargo build -p supercheck-wasi --release --target wasm32-wasip2
# The restart test's fleet runs `supercheck demo-service` under a real supervisord.
cargo build -p supercheck --bin supercheck
targets/wasi/.venv/bin/python targets/wasi/test_wasi.py \
    target/wasm32-wasip1/release/supercheck-wasi.wasm \
    target/wasm32-wasip2/release/supercheck-wasi.wasm \
    targets/wasi/jco/node_modules/.bin/jco \
    target/debug/supercheck

step "Python wheel: maturin build, pip install into a fresh venv, eleven names, a real supervisord"
tests/wheel.sh

step "static musl release binaries: x86_64, aarch64, armv7 (under qemu-user)"
tests/cross.sh

step "heartbeat firmware: release build, QEMU end to end, flash and RAM budgets"
(
    cd targets/heartbeat/firmware
    cargo fmt -- --check
    cargo clippy --release --locked -- -D warnings
    cargo build --release --locked
)
heartbeat_elf="$PWD/targets/heartbeat/firmware/target/thumbv7em-none-eabihf/release/heartbeat"
HEARTBEAT_FIRMWARE_ELF="$heartbeat_elf" cargo test -p supercheck-heartbeat --test qemu_e2e
HEARTBEAT_FIRMWARE_ELF="$heartbeat_elf" cargo test -p supercheck --test heartbeat_device
targets/heartbeat/size.sh "$heartbeat_elf"

step "fuzz (${FUZZ_SECONDS:=20} s per target)"
if rustup toolchain list | grep -q '^nightly' && command -v cargo-fuzz >/dev/null 2>&1; then
    (
        cd fuzz
        cargo +nightly fuzz build
        for target in $(cargo +nightly fuzz list); do
            mkdir -p "corpus/$target"
            step "fuzz $target"
            cargo +nightly fuzz run "$target" "corpus/$target" -- \
                -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=0 2>&1 | tail -n 3
        done
    )
else
    echo "nightly or cargo-fuzz missing: fuzzing skipped" >&2
    exit 1
fi

step "all tests passed"
