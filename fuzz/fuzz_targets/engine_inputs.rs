//! Drives the listener's engine through a sequence of inputs decoded from the
//! fuzz bytes, draining its outputs after each, then answers everything and
//! lets every timer fire, checking what the engine promises whatever the
//! order (no panic, no output after the exit, `READY` at most once, no stop
//! without a failing verdict for that process, one restart per process at a
//! time, never more `RESULT`s than events, every event acknowledged exactly
//! once once all is answered, no process left stopped by a clean exit, no
//! protocol bytes with `--once`, a reload taken exactly when valid and
//! restarting nothing by itself, stale probe outcomes counting for nothing,
//! interval watches listing processes on time without ticks).
//!
//! The byte format and the checks are the engine's `scripted` module
//! (feature `scripted-inputs`), shared with its property test, which also
//! runs the seeds in `corpus/engine_inputs/`: byte 0 chooses a drop-in's
//! configuration, or with a byte 1 of `0xC0` or more an agent's (several
//! watches, some on intervals); then each input is one byte selecting its
//! kind (a reload among them) followed by its parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercheck_engine::scripted::{self, Driver};

fuzz_target!(|data: &[u8]| {
    let (config, steps) = scripted::decode(data);
    let Ok(driver) = Driver::new(config) else {
        return;
    };
    driver.run(&steps);
});
