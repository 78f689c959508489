//! What the firmware asks of the host through semihosting (QEMU with
//! `-semihosting-config enable=on,target=native`): the command line
//! (`arg=` words, the runtime configuration) and the exit status. Also the
//! HardFault handler, which reports the fault as a failed exit.
#![allow(unsafe_code)] // the semihosting call and cortex-m-rt's HardFault signature

use cortex_m_rt::{ExceptionFrame, exception};
use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use cortex_m_semihosting::nr;

/// The longest command line read; longer ones are refused by the host.
pub const MAX_CMDLINE: usize = 256;

/// Reads the command line into `buf` (`SYS_GET_CMDLINE`). `None` when the
/// host has none, refuses, or it is not UTF-8.
pub fn command_line(buf: &mut [u8; MAX_CMDLINE]) -> Option<&str> {
    // The parameter block: buffer address and size in; length out.
    let mut block = [buf.as_mut_ptr() as usize, buf.len()];
    // SAFETY: SYS_GET_CMDLINE takes the address of a two-word block that
    // lives until the call returns; the host writes at most `buf.len()`
    // bytes (NUL included) into `buf` and the length into `block[1]`. The
    // `bkpt` asm is not `nomem`, so the compiler re-reads both afterwards.
    let status =
        unsafe { cortex_m_semihosting::syscall1(nr::GET_CMDLINE, block.as_mut_ptr() as usize) };
    let [_, len] = block;
    if status != 0 {
        return None;
    }
    let line = buf.get(..len)?;
    core::str::from_utf8(line).ok()
}

/// Ends the QEMU run with status 0 (`true`) or 1 (`false`).
pub fn exit(success: bool) -> ! {
    debug::exit(if success { EXIT_SUCCESS } else { EXIT_FAILURE });
    // Without a semihosting host the call returns: stop here.
    loop {
        cortex_m::asm::wfi();
    }
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    defmt::error!("hard fault at pc {=u32:#x}", frame.pc());
    exit(false)
}
