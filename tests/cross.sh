#!/usr/bin/env bash
# Static release binaries for x86_64, aarch64 (musl) and armv7 (glibc, linked
# statically: rust-std for armv7-unknown-linux-musleabihf is not published for
# this toolchain, static.rust-lang.org answers 404): build each
# (`cargo build --release -p supercheck --target T`, linkers in
# .cargo/config.toml), check that it is a static ELF of the right machine,
# and run it (`--version`, `supervisor_http_check --help`): natively on
# x86_64, under qemu-user for the others. Prints each binary's size.
#
# A target whose Rust standard library is not installed (rustup could not
# fetch it) or whose cross linker or qemu is missing is reported and skipped;
# x86_64 is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
say() { printf '[cross] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# target, `file` machine text, cross linker (empty: the host's), qemu runner
targets="x86_64-unknown-linux-musl|x86-64||
aarch64-unknown-linux-musl|ARM aarch64|aarch64-linux-gnu-gcc|qemu-aarch64
armv7-unknown-linux-gnueabihf|ARM, EABI5|arm-linux-gnueabihf-gcc|qemu-arm"

built=0
skipped=""
while IFS='|' read -r target machine linker runner; do
    if ! rustup target list --installed | grep -qx "$target"; then
        [ "$target" != x86_64-unknown-linux-musl ] || fail "$target is not installed (tests/setup.sh)"
        say "$target: skipped (its rust-std is not installed)"
        skipped="$skipped $target"
        continue
    fi
    if [ -n "$linker" ] && ! command -v "$linker" >/dev/null 2>&1; then
        say "$target: skipped ($linker missing)"
        skipped="$skipped $target"
        continue
    fi
    started=$SECONDS
    # x86_64's link map shows where the tick path's functions landed.
    map=""
    [ "$target" != x86_64-unknown-linux-musl ] || map="$PWD/target/hot-text.map"
    env ${map:+SUPERCHECK_LINK_MAP="$map"} cargo build --quiet --release -p supercheck --target "$target"
    binary="target/$target/release/supercheck"
    info=$(file -b "$binary")
    case "$info" in
        *"$machine"*) ;;
        *) fail "$binary is not $machine: $info" ;;
    esac
    case "$info" in
        *"statically linked"* | *"static-pie linked"*) ;;
        *) fail "$binary is not static: $info" ;;
    esac
    # std-runner/build.rs: the listener's functions in one section, and (static
    # PIE on x86_64) packed relocations; both keep its resident set small.
    sections=$(readelf -SW "$binary")
    grep -q ' \.text\.hot ' <<<"$sections" || fail "$binary has no .text.hot (std-runner/link/hot-text.ld)"
    if [ -n "$map" ]; then
        python3 tests/hot_section.py "$map" || fail "the tick path is not in $binary's .text.hot"
    fi
    case "$info" in
        *"static-pie linked"*)
            grep -q ' \.relr\.dyn ' <<<"$sections" || fail "$binary has no packed relocations" ;;
    esac
    run=("$binary")
    if [ -n "$runner" ]; then
        if ! command -v "$runner" >/dev/null 2>&1; then
            say "$target: built, not run ($runner missing)"
            run=()
        else
            run=("$runner" "$binary")
        fi
    fi
    if [ "${#run[@]}" -gt 0 ]; then
        got=$("${run[@]}" --version)
        [ "$got" = "supercheck $version" ] || fail "$target --version: $got"
        "${run[@]}" supervisor_http_check --help | grep -q -- '--check-name' ||
            fail "$target: supervisor_http_check --help"
    fi
    size=$(stat -c %s "$binary")
    say "$target: $size bytes ($((size / 1024)) KiB), built and checked in $((SECONDS - started)) s"
    built=$((built + 1))
done <<<"$targets"

say "$built static binaries built and run${skipped:+; skipped:$skipped}"
