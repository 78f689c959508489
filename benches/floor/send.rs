//! Writing a round's requests: one `write` each, or all in one `io_uring_enter`.

use std::io::{self, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;

use io_uring::{IoUring, opcode, types};

use crate::args::SendWith;

pub enum Sender {
    Write,
    IoUring(Box<IoUring>),
}

impl Sender {
    pub fn new(with: SendWith, connections: usize) -> io::Result<Sender> {
        Ok(match with {
            SendWith::Write => Sender::Write,
            SendWith::IoUring => {
                let entries = u32::try_from(connections.next_power_of_two())
                    .map_err(|_| io::Error::other("too many connections for one ring"))?;
                Sender::IoUring(Box::new(IoUring::new(entries)?))
            }
        })
    }

    /// Writes `request` on every stream.
    pub fn send_all(&mut self, streams: &mut [TcpStream], request: &[u8]) -> io::Result<()> {
        match self {
            Sender::Write => streams.iter_mut().try_for_each(|s| s.write_all(request)),
            Sender::IoUring(ring) => {
                let len = u32::try_from(request.len()).map_err(io::Error::other)?;
                {
                    let mut queue = ring.submission();
                    for (i, stream) in streams.iter().enumerate() {
                        let send =
                            opcode::Send::new(types::Fd(stream.as_raw_fd()), request.as_ptr(), len)
                                .build()
                                .user_data(i as u64);
                        // SAFETY: `request` outlives the submission, which is waited for below.
                        unsafe { queue.push(&send) }.map_err(|_| io::Error::other("ring full"))?;
                    }
                }
                ring.submit_and_wait(streams.len())?;
                for done in ring.completion() {
                    if usize::try_from(done.result()).ok() != Some(request.len()) {
                        return Err(io::Error::other(format!(
                            "send {} returned {}",
                            done.user_data(),
                            done.result()
                        )));
                    }
                }
                Ok(())
            }
        }
    }
}
