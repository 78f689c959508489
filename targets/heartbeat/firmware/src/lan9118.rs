//! A small polled driver for the SMSC LAN9118 Ethernet controller, as QEMU
//! emulates it on the mps2-an38x boards (at [`MPS2_BASE`]), implementing
//! smoltcp's [`Device`].
//!
//! The chip has no DMA: frames move through FIFOs by programmed I/O.
//!
//! - **Transmit**: write TX command A (segment length, first/last segment
//!   flags), TX command B (frame length and a tag), then the frame as
//!   little-endian 32-bit words into the TX data FIFO; the chip appends the
//!   CRC. Each sent frame leaves a word in the TX status FIFO (error flag in
//!   bit 15), which this driver drains and counts.
//! - **Receive**: `RX_FIFO_INF` counts the status words waiting; each status
//!   word gives the frame length (CRC included) in bits 29:16 and an error
//!   flag in bit 15; the frame follows as words in the RX data FIFO.
//! - **MAC registers** (`MAC_CR`, `ADDRH`/`ADDRL`, the MII/PHY window) are
//!   reached indirectly through `MAC_CSR_CMD`/`MAC_CSR_DATA`.
//!
//! Interrupts stay off; the main loop polls every SysTick.
#![allow(unsafe_code)] // volatile MMIO only, in `Regs::read` and `Regs::write`

use core::sync::atomic::{AtomicBool, Ordering};

use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

/// Base address of the LAN9118 on QEMU's mps2-an385/386/500 boards.
pub const MPS2_BASE: usize = 0x4020_0000;

// Register offsets from the base (32-bit registers).
/// RX data FIFO port (reads pop the next word of the current frame).
const RX_DATA_FIFO: usize = 0x00;
/// TX data FIFO port (writes push command words and frame words).
const TX_DATA_FIFO: usize = 0x20;
/// RX status FIFO port (reads pop one frame's status).
const RX_STATUS_FIFO: usize = 0x40;
/// TX status FIFO port (reads pop one sent frame's status).
const TX_STATUS_FIFO: usize = 0x48;
/// Chip ID (high half) and revision (low half).
const ID_REV: usize = 0x50;
/// Interrupt enables (kept 0: polled).
const INT_EN: usize = 0x5c;
/// Reads 0x8765_4321 whatever the bus byte order: proves the chip is there.
const BYTE_TEST: usize = 0x64;
/// Transmitter configuration.
const TX_CFG: usize = 0x70;
/// Hardware configuration (soft reset).
const HW_CFG: usize = 0x74;
/// RX FIFO levels: status words used (bits 23:16), data bytes used (15:0).
const RX_FIFO_INF: usize = 0x7c;
/// TX FIFO levels: status words used (bits 23:16), data bytes free (15:0).
const TX_FIFO_INF: usize = 0x80;
/// Power management (device ready flag).
const PMT_CTRL: usize = 0x84;
/// Indirect MAC register access: command.
const MAC_CSR_CMD: usize = 0xa4;
/// Indirect MAC register access: data.
const MAC_CSR_DATA: usize = 0xa8;

/// `BYTE_TEST` value.
const BYTE_TEST_VALUE: u32 = 0x8765_4321;
/// `HW_CFG`: soft reset (self-clearing).
const HW_CFG_SRST: u32 = 1 << 0;
/// `PMT_CTRL`: the device is ready after reset.
const PMT_CTRL_READY: u32 = 1 << 0;
/// `TX_CFG`: transmitter on.
const TX_CFG_TX_ON: u32 = 1 << 1;
/// `MAC_CSR_CMD`: start / busy.
const CSR_BUSY: u32 = 1 << 31;
/// `MAC_CSR_CMD`: read (else write).
const CSR_READ: u32 = 1 << 30;

// MAC registers behind MAC_CSR_CMD.
/// MAC control.
const MAC_CR: u32 = 1;
/// MAC address bytes 4 and 5.
const MAC_ADDRH: u32 = 2;
/// MAC address bytes 0 to 3.
const MAC_ADDRL: u32 = 3;
/// MII (PHY) access: PHY address 15:11, register 10:6, write bit 1, busy bit 0.
const MAC_MII_ACC: u32 = 6;
/// MII (PHY) data.
const MAC_MII_DATA: u32 = 7;
/// `MAC_CR`: receiver enable.
const MAC_CR_RXEN: u32 = 1 << 2;
/// `MAC_CR`: transmitter enable.
const MAC_CR_TXEN: u32 = 1 << 3;
/// `MAC_CR`: full duplex.
const MAC_CR_FDPX: u32 = 1 << 20;
/// The internal PHY's MII address.
const PHY_ADDRESS: u32 = 1;
/// PHY basic status register; bit 2 is "link up".
const PHY_BASIC_STATUS: u32 = 1;
const PHY_LINK_UP: u32 = 1 << 2;

/// TX command A: first segment of a frame.
const TX_CMD_A_FIRST_SEGMENT: u32 = 1 << 13;
/// TX command A: last segment of a frame.
const TX_CMD_A_LAST_SEGMENT: u32 = 1 << 12;
/// RX/TX status: error summary.
const STATUS_ERROR: u32 = 1 << 15;

/// Largest Ethernet frame without CRC.
const MAX_FRAME: usize = 1514;
/// Largest frame with its CRC, as the RX FIFO holds it.
const MAX_RX_FRAME: usize = MAX_FRAME + 4;
/// Bounded waits: status polls before giving up on the chip.
const SPIN_LIMIT: u32 = 100_000;

/// Why the controller could not be brought up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, defmt::Format)]
pub enum InitError {
    /// The driver was already created once.
    Taken,
    /// `BYTE_TEST` did not read back its fixed value: no LAN9118 at the base.
    NotFound,
    /// Soft reset or the ready flag did not complete in time.
    ResetTimeout,
    /// A MAC register access did not complete in time.
    MacTimeout,
}

/// What the driver has seen since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, defmt::Format)]
pub struct Counters {
    /// Frames received and handed to the stack.
    pub rx_frames: u32,
    /// Frames dropped on receive (error status, or too long).
    pub rx_errors: u32,
    /// Frames written to the TX FIFO.
    pub tx_frames: u32,
    /// Frames the chip reported as failed (TX status error bit).
    pub tx_errors: u32,
    /// Frames dropped because the TX FIFO had no room.
    pub tx_dropped: u32,
}

/// The register window: the only place that touches memory-mapped I/O.
#[derive(Clone, Copy, Debug)]
struct Regs {
    base: usize,
}

impl Regs {
    fn read(self, offset: usize) -> u32 {
        let address = self.base.wrapping_add(offset) as *const u32;
        // SAFETY: `base` is the LAN9118's MMIO window (the driver exists
        // once, see `TAKEN`), `offset` is one of the aligned register
        // offsets above, inside the chip's 256-byte window; volatile because
        // reads of the FIFO ports have side effects.
        unsafe { core::ptr::read_volatile(address) }
    }

    fn write(self, offset: usize, value: u32) {
        let address = self.base.wrapping_add(offset) as *mut u32;
        // SAFETY: as in `read`; the window is device memory, not Rust memory,
        // so no Rust object is aliased.
        unsafe { core::ptr::write_volatile(address, value) }
    }

    /// Spins until `done` holds for the register, at most [`SPIN_LIMIT`] reads.
    fn wait(self, offset: usize, done: impl Fn(u32) -> bool) -> bool {
        (0..SPIN_LIMIT).any(|_| done(self.read(offset)))
    }

    fn mac_read(self, register: u32) -> Result<u32, InitError> {
        self.mac_idle()?;
        self.write(MAC_CSR_CMD, CSR_BUSY | CSR_READ | register);
        self.mac_idle()?;
        Ok(self.read(MAC_CSR_DATA))
    }

    fn mac_write(self, register: u32, value: u32) -> Result<(), InitError> {
        self.mac_idle()?;
        self.write(MAC_CSR_DATA, value);
        self.write(MAC_CSR_CMD, CSR_BUSY | register);
        self.mac_idle()
    }

    fn mac_idle(self) -> Result<(), InitError> {
        if self.wait(MAC_CSR_CMD, |v| v & CSR_BUSY == 0) {
            Ok(())
        } else {
            Err(InitError::MacTimeout)
        }
    }

    fn phy_read(self, register: u32) -> Result<u32, InitError> {
        self.mac_write(MAC_MII_ACC, (PHY_ADDRESS << 11) | (register << 6) | 1)?;
        // The MII busy bit clears when the PHY answered.
        let mut tries = SPIN_LIMIT;
        while self.mac_read(MAC_MII_ACC)? & 1 != 0 {
            tries = tries.checked_sub(1).ok_or(InitError::MacTimeout)?;
        }
        self.mac_read(MAC_MII_DATA)
    }
}

/// Only one driver may own the chip.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The LAN9118 as a smoltcp device, with one frame buffer each way.
pub struct Lan9118 {
    regs: Regs,
    mac: [u8; 6],
    rx: [u8; MAX_RX_FRAME],
    tx: [u8; MAX_FRAME],
    counters: Counters,
}

impl Lan9118 {
    /// Resets and starts the controller of QEMU's mps2 boards. The MAC
    /// address is the one the chip holds (QEMU's `-nic ...,mac=`), or
    /// `fallback_mac` when it holds none.
    ///
    /// # Errors
    /// An [`InitError`]; also when called a second time.
    pub fn mps2(fallback_mac: [u8; 6]) -> Result<Self, InitError> {
        if TAKEN.swap(true, Ordering::AcqRel) {
            return Err(InitError::Taken);
        }
        let regs = Regs { base: MPS2_BASE };
        if regs.read(BYTE_TEST) != BYTE_TEST_VALUE {
            return Err(InitError::NotFound);
        }
        regs.write(HW_CFG, HW_CFG_SRST);
        if !regs.wait(HW_CFG, |v| v & HW_CFG_SRST == 0)
            || !regs.wait(PMT_CTRL, |v| v & PMT_CTRL_READY != 0)
        {
            return Err(InitError::ResetTimeout);
        }
        regs.write(INT_EN, 0);

        let [a, b, c, d] = regs.mac_read(MAC_ADDRL)?.to_le_bytes();
        let [e, f, _, _] = regs.mac_read(MAC_ADDRH)?.to_le_bytes();
        let mut mac = [a, b, c, d, e, f];
        if mac == [0; 6] || mac == [0xff; 6] {
            mac = fallback_mac;
            let [a, b, c, d, e, f] = mac;
            regs.mac_write(MAC_ADDRL, u32::from_le_bytes([a, b, c, d]))?;
            regs.mac_write(MAC_ADDRH, u32::from_le_bytes([e, f, 0, 0]))?;
        }
        // Our unicast address and broadcast only (reset leaves promiscuous on).
        regs.mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX)?;
        regs.write(TX_CFG, TX_CFG_TX_ON);
        Ok(Self {
            regs,
            mac,
            rx: [0; MAX_RX_FRAME],
            tx: [0; MAX_FRAME],
            counters: Counters::default(),
        })
    }

    /// The Ethernet address in use.
    pub const fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// Chip ID and revision (`0x0118_0001` on QEMU).
    pub fn id_rev(&self) -> u32 {
        self.regs.read(ID_REV)
    }

    /// True when the PHY reports the link up (false if the PHY does not answer).
    pub fn link_up(&self) -> bool {
        self.regs
            .phy_read(PHY_BASIC_STATUS)
            .is_ok_and(|status| status & PHY_LINK_UP != 0)
    }

    /// The driver's counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Pops the next good frame into the RX buffer and returns its length
    /// (CRC removed); bad or oversized frames are read out and counted.
    fn receive_frame(&mut self) -> Option<usize> {
        while (self.regs.read(RX_FIFO_INF) >> 16) & 0xff != 0 {
            let status = self.regs.read(RX_STATUS_FIFO);
            let len = ((status >> 16) & 0x3fff) as usize;
            let words = len.div_ceil(4);
            let fits = len <= self.rx.len() && len >= 4 && status & STATUS_ERROR == 0;
            for chunk_index in 0..words {
                let word = self.regs.read(RX_DATA_FIFO).to_le_bytes();
                if !fits {
                    continue; // drain the frame
                }
                let start = chunk_index.saturating_mul(4);
                let end = start.saturating_add(4).min(len);
                let (Some(dst), Some(src)) = (
                    self.rx.get_mut(start..end),
                    word.get(..end.saturating_sub(start)),
                ) else {
                    continue;
                };
                dst.copy_from_slice(src);
            }
            if fits {
                self.counters.rx_frames = self.counters.rx_frames.wrapping_add(1);
                return Some(len.saturating_sub(4));
            }
            self.counters.rx_errors = self.counters.rx_errors.wrapping_add(1);
        }
        None
    }

    /// Reads out the TX status FIFO, counting failed frames.
    fn drain_tx_status(regs: Regs, counters: &mut Counters) {
        while (regs.read(TX_FIFO_INF) >> 16) & 0xff != 0 {
            if regs.read(TX_STATUS_FIFO) & STATUS_ERROR != 0 {
                counters.tx_errors = counters.tx_errors.wrapping_add(1);
            }
        }
    }

    /// True when the TX data FIFO has room for a whole frame and its commands.
    fn tx_room(regs: Regs) -> bool {
        (regs.read(TX_FIFO_INF) & 0xffff) as usize >= MAX_FRAME + 8
    }
}

/// A received frame, borrowed from the driver's RX buffer.
pub struct RxToken<'a> {
    frame: &'a [u8],
}

/// Permission to send one frame through the driver's TX buffer.
pub struct TxToken<'a> {
    regs: Regs,
    buffer: &'a mut [u8; MAX_FRAME],
    counters: &'a mut Counters,
}

impl phy::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.frame)
    }
}

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let len = len.min(MAX_FRAME);
        let frame = self.buffer.get_mut(..len).unwrap_or_default();
        let result = f(frame);
        Lan9118::drain_tx_status(self.regs, self.counters);
        if !Lan9118::tx_room(self.regs) {
            self.counters.tx_dropped = self.counters.tx_dropped.wrapping_add(1);
            return result;
        }
        // len <= MAX_FRAME < 2^11, so it fits the 11-bit length fields.
        let len_field = len as u32;
        self.regs.write(
            TX_DATA_FIFO,
            TX_CMD_A_FIRST_SEGMENT | TX_CMD_A_LAST_SEGMENT | len_field,
        );
        let tag = self.counters.tx_frames & 0xffff;
        self.regs.write(TX_DATA_FIFO, (tag << 16) | len_field);
        for chunk in frame.chunks(4) {
            let mut word = [0u8; 4];
            if let Some(dst) = word.get_mut(..chunk.len()) {
                dst.copy_from_slice(chunk);
            }
            self.regs.write(TX_DATA_FIFO, u32::from_le_bytes(word));
        }
        self.counters.tx_frames = self.counters.tx_frames.wrapping_add(1);
        result
    }
}

impl Device for Lan9118 {
    type RxToken<'a> = RxToken<'a>;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, _timestamp: Instant) -> Option<(RxToken<'_>, TxToken<'_>)> {
        let len = self.receive_frame()?;
        let Self {
            regs,
            rx,
            tx,
            counters,
            ..
        } = self;
        Some((
            RxToken {
                frame: rx.get(..len).unwrap_or_default(),
            },
            TxToken {
                regs: *regs,
                buffer: tx,
                counters,
            },
        ))
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<TxToken<'_>> {
        Self::drain_tx_status(self.regs, &mut self.counters);
        if !Self::tx_room(self.regs) {
            return None;
        }
        Some(TxToken {
            regs: self.regs,
            buffer: &mut self.tx,
            counters: &mut self.counters,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = MAX_FRAME;
        caps.max_burst_size = Some(1);
        caps
    }
}
