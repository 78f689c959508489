//! The event loops' timers on the monotonic clock: the engine's cancellable
//! deadline queue ([`supercheck_engine::timers`]) on [`std::time::Instant`].

/// A queue of `(deadline, T)` on the monotonic clock; ties fire in insertion order.
pub type Timers<T> = supercheck_engine::timers::Timers<std::time::Instant, T>;

/// Names one scheduled timer, to cancel it.
pub type TimerId = supercheck_engine::timers::TimerId<std::time::Instant>;
