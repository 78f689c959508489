//! At most one message per process per window: the engine's throttle
//! ([`supercheck_engine::throttle`]), on the core's clock ([`supercheck_runtime::clock`]).

pub use supercheck_engine::throttle::{Decision, Throttle};

/// The default window: one message per process per ten minutes.
pub const DEFAULT_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);
