//! The millisecond clock: SysTick interrupts once a millisecond and bumps a
//! counter; [`Clock`] widens it to 64 bits in the main loop.

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;

/// The core clock of QEMU's mps2-an386 (the FPGA image's 25 MHz SYSCLK).
pub const CORE_HZ: u32 = 25_000_000;

/// Milliseconds since [`Clock::start`], wrapping every 49.7 days.
static TICKS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// Milliseconds since boot, modulo 2^32 (for log timestamps).
pub fn ticks() -> u32 {
    TICKS.load(Ordering::Relaxed)
}

/// Milliseconds since boot as a `u64`: call [`now_ms`](Self::now_ms) at
/// least once every 49 days (the main loop wakes every millisecond).
pub struct Clock {
    last: u32,
    elapsed: u64,
}

impl Clock {
    /// Starts SysTick at 1 kHz from the core clock, with its interrupt.
    pub fn start(mut syst: SYST) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(CORE_HZ / 1_000 - 1);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        Self {
            last: ticks(),
            elapsed: 0,
        }
    }

    /// Milliseconds since [`start`](Self::start).
    pub fn now_ms(&mut self) -> u64 {
        let now = ticks();
        self.elapsed = self
            .elapsed
            .saturating_add(u64::from(now.wrapping_sub(self.last)));
        self.last = now;
        self.elapsed
    }
}
