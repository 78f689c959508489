//! Heartbeat device firmware for QEMU's mps2-an386 (Cortex-M4F).
//!
//! Boots, reads its configuration from the semihosting command line
//! (`device=.. collector=a.b.c.d:port period_ms=.. ip=a.b.c.d/n
//! gateway=..`, QEMU `-semihosting-config ...,arg=..`), brings up the
//! LAN9118 and runs [`supercheck_heartbeat::App`]: `GET /health` on port 80
//! and a UDP heartbeat every period. Logs go out as defmt frames over
//! semihosting stdout. A panic or a bad configuration exits QEMU with 1.
#![no_std]
#![no_main]

mod clock;
mod lan9118;
mod semihosting;

use cortex_m_rt::entry;
use defmt_semihosting as _;
use static_cell::StaticCell;
use supercheck_heartbeat::{App, Config, Storage};

use crate::clock::Clock;
use crate::lan9118::Lan9118;

defmt::timestamp!("{=u32:ms}", clock::ticks());

/// Name used when the command line gives none.
const DEFAULT_DEVICE: &str = "qemu-device";
/// Log the driver counters this often.
const STATS_EVERY_MS: u64 = 10_000;

static COMMAND_LINE: StaticCell<[u8; semihosting::MAX_CMDLINE]> = StaticCell::new();
static STORAGE: StaticCell<Storage<'static>> = StaticCell::new();
/// The application (interface, sockets, driver with its frame buffers) in
/// `.bss` too, so `size` shows the whole static RAM.
static APP: StaticCell<App<'static, Lan9118>> = StaticCell::new();

#[entry]
fn main() -> ! {
    let Some(core) = cortex_m::Peripherals::take() else {
        semihosting::exit(false)
    };
    let mut clock = Clock::start(core.SYST);

    let mut config = Config::qemu_user_net(DEFAULT_DEVICE);
    let line_buf = COMMAND_LINE.init([0; semihosting::MAX_CMDLINE]);
    if let Some(line) = semihosting::command_line(line_buf)
        && let Err(e) = config.apply_words(line)
    {
        defmt::error!("bad command line {=str}: {}", line, e);
        semihosting::exit(false);
    }

    let nic = match Lan9118::mps2(config.mac.0) {
        Ok(nic) => nic,
        Err(e) => {
            defmt::error!("LAN9118: {}", e);
            semihosting::exit(false)
        }
    };
    config.mac.0 = nic.mac();
    defmt::info!(
        "LAN9118 id {=u32:#x}, mac {=[u8]:#x}, link {=bool}",
        nic.id_rev(),
        nic.mac(),
        nic.link_up()
    );
    defmt::info!(
        "device {=str} at {=[u8]}/{=u8}, beats to {=[u8]}:{=u16} every {=u32} ms",
        config.device,
        config.address.address().octets(),
        config.address.prefix_len(),
        config.collector.ip().octets(),
        config.collector.port(),
        config.period_ms
    );

    let now = clock.now_ms();
    let seed = u64::from(nic.id_rev()) ^ u64::from(clock::ticks()) ^ 0x5eed_c0de;
    let storage = STORAGE.init(Storage::new());
    let app = match App::new(config, nic, storage, now, seed) {
        Ok(app) => APP.init(app),
        Err(e) => {
            defmt::error!("cannot start: {}", e);
            semihosting::exit(false)
        }
    };

    let mut next_stats = STATS_EVERY_MS;
    loop {
        let now = clock.now_ms();
        // The NIC is polled: run every tick, whatever poll() asks for.
        let _next_wake = app.poll(now);
        if now >= next_stats {
            next_stats = now.saturating_add(STATS_EVERY_MS);
            let link = app.device_mut().link_up();
            app.set_link_up(link);
            defmt::info!(
                "beats sent {=u32} failed {=u32}; http {}; nic {}",
                app.beats().sent(),
                app.beats().send_errors(),
                app.http_counters(),
                app.device_mut().counters()
            );
        }
        // SysTick wakes us within a millisecond.
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    match info.location() {
        Some(at) => defmt::error!("panic at {=str}:{=u32}", at.file(), at.line()),
        None => defmt::error!("panic"),
    }
    semihosting::exit(false)
}
