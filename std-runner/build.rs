//! Release builds for Linux: a layout that keeps the listener's resident set small.
//!
//! - `link/hot-text.ld` (written by `benches/hot_text.py`) lists the functions the
//!   listener runs; the linker puts them together, so that they share as few pages
//!   as possible instead of being scattered among code the listener never runs.
//! - musl builds are static PIEs that relocate themselves at start-up: packed
//!   relative relocations (`DT_RELR`, musl >= 1.2.4) shrink that table from ~64 KiB
//!   of 24-byte entries, all read at start-up, to under 1 KiB.
//!
//! The figures are in benches/README.md. `SUPERCHECK_NO_HOT_TEXT=1` turns both off;
//! `SUPERCHECK_LINK_MAP=FILE` writes the linker's map there.

use std::env;
use std::path::Path;

fn main() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("link/hot-text.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rerun-if-env-changed=SUPERCHECK_NO_HOT_TEXT");
    println!("cargo:rerun-if-env-changed=SUPERCHECK_LINK_MAP");
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let linux = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
        && (target_env == "musl" || target_env == "gnu");
    let release = env::var("PROFILE").is_ok_and(|p| p == "release");
    if linux && release && env::var_os("SUPERCHECK_NO_HOT_TEXT").is_none() {
        if script.exists() {
            println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
        }
        if target_env == "musl" {
            println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
        }
    }
    if let Some(map) = env::var_os("SUPERCHECK_LINK_MAP").filter(|_| linux) {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,-Map,{}",
            Path::new(&map).display()
        );
    }
}
