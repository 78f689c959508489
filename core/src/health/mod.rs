//! The per-target health state machine.
