//! Demo services started for a measurement, and stopped by pid when it ends.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::sched;

/// `count` × `supercheck demo-service`, each on a free port of 127.0.0.1.
pub struct Fleet {
    children: Vec<Child>,
    dir: PathBuf,
    pub ports: Vec<u16>,
}

impl Fleet {
    pub fn spawn(supercheck: &Path, count: u16, cpu: Option<usize>) -> io::Result<Fleet> {
        let dir = std::env::temp_dir().join(format!("loopback-floor-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut fleet = Fleet {
            children: Vec::new(),
            dir,
            ports: Vec::new(),
        };
        for i in 0..count {
            // A port the kernel just gave out and took back: free unless raced.
            let port = TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port();
            let mut command = Command::new(supercheck);
            command
                .arg("demo-service")
                .arg("--port")
                .arg(port.to_string())
                .arg("--mode-file")
                .arg(fleet.dir.join(format!("web_{i}")))
                .stdin(Stdio::null())
                .stdout(Stdio::null());
            let child = command.spawn()?;
            if let Some(cpu) = cpu {
                // Before any connection: the threads it starts per connection inherit the mask.
                sched::pin(Some(&child), cpu)?;
            }
            fleet.children.push(child);
            fleet.ports.push(port);
        }
        for &port in &fleet.ports {
            wait_listening(port)?;
        }
        Ok(fleet)
    }
}

fn wait_listening(port: u16) -> io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
