//! Heartbeat files: the passive side of the file check.
//!
//! A supervised program proves it is alive by bumping a file's change time; the
//! listener's `file` check fails when the file grows older than its timeout.
//! [`HeartbeatFile`] is the Rust counterpart of supervisor_checks'
//! `NotificationFile`, and `supercheck notify` exposes it to shell scripts.
//!
//! Differences from the Python helper, on purpose:
//! - a stale file left by a killed process (same path, or the same
//!   `group-name-` prefix with a pid that no longer runs) is removed, not
//!   reopened, so a reused pid never hits a mode-000 `EACCES`;
//! - symlinks are never followed, neither when creating nor when bumping.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A heartbeat file owned by the current program, removed on drop.
#[derive(Debug)]
pub struct HeartbeatFile {
    path: PathBuf,
    file: File,
    odd: bool,
    delete: bool,
}

/// The path supervisor_checks' file check expects for a process:
/// `<root_dir>/<group>-<name>-<pid>`.
pub fn default_path(root_dir: &Path, group: &str, name: &str, pid: u32) -> PathBuf {
    root_dir.join(format!("{group}-{name}-{pid}"))
}

/// The directory heartbeat files live in by default: `$TMPDIR`, or `/tmp`.
pub fn default_root_dir() -> PathBuf {
    std::env::temp_dir()
}

impl HeartbeatFile {
    /// The file for the process supervisord started as `pid`, named from
    /// `SUPERVISOR_GROUP_NAME` and `SUPERVISOR_PROCESS_NAME`.
    ///
    /// # Errors
    /// When either variable is missing (not running under supervisord) or the
    /// file cannot be created.
    pub fn for_supervised_pid(root_dir: &Path, pid: u32) -> io::Result<Self> {
        let var = |key: &str| {
            std::env::var(key).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{key} is not set: run under supervisord or give a file path"),
                )
            })
        };
        let group = var("SUPERVISOR_GROUP_NAME")?;
        let name = var("SUPERVISOR_PROCESS_NAME")?;
        remove_stale_siblings(root_dir, &group, &name, pid);
        Self::create(default_path(root_dir, &group, &name, pid))
    }

    /// Creates (or replaces) the heartbeat file at `path` and bumps it once.
    ///
    /// # Errors
    /// When the file cannot be created, or `path` is a symlink.
    pub fn create(path: impl Into<PathBuf>) -> io::Result<Self> {
        let path = path.into();
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is a symlink: refusing to follow it", path.display()),
                ));
            }
            Ok(_) => fs::remove_file(&path)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let file = OpenOptions::new()
            .read(true)
            .create_new(true)
            .write(true)
            .mode(0o000)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)?;
        let mut beat = Self {
            path,
            file,
            odd: false,
            delete: true,
        };
        beat.notify()?;
        Ok(beat)
    }

    /// Keeps the file on drop instead of removing it.
    pub fn keep_on_drop(mut self) -> Self {
        self.delete = false;
        self
    }

    /// Bumps the file's change time (by flipping its mode between 000 and 001,
    /// as the Python helper does; no data is written).
    ///
    /// # Errors
    /// When `fchmod` fails.
    pub fn notify(&mut self) -> io::Result<()> {
        self.odd = !self.odd;
        let mode = if self.odd { 0o001 } else { 0o000 };
        self.file.set_permissions(Permissions::from_mode(mode))
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for HeartbeatFile {
    fn drop(&mut self) {
        if self.delete {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Bumps the change time of an existing heartbeat file at `path`, creating it
/// (mode 000) when missing. Symlinks are refused.
///
/// # Errors
/// When the file cannot be created or its mode changed.
pub fn touch(path: &Path) -> io::Result<()> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o000)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .or_else(|e| {
            // A mode-000 file we own cannot be reopened for writing by a non-root
            // user: open it for nothing more than its metadata.
            if e.kind() == io::ErrorKind::PermissionDenied {
                OpenOptions::new()
                    .read(true)
                    .custom_flags(libc::O_NOFOLLOW | libc::O_PATH)
                    .open(path)
            } else {
                Err(e)
            }
        });
    match file {
        Ok(file) => {
            let mode = file.metadata()?.permissions().mode() & 0o777;
            let next = if mode == 0o001 { 0o000 } else { 0o001 };
            match file.set_permissions(Permissions::from_mode(next)) {
                Ok(()) => Ok(()),
                // fchmod on an O_PATH descriptor is refused: fall back to the path,
                // which we have just checked is not a symlink.
                Err(_) => fs::set_permissions(path, Permissions::from_mode(next)),
            }
        }
        Err(e) => Err(e),
    }
}

/// Removes `<group>-<name>-<pid>` files in `root_dir` whose pid is not running
/// any more (left behind by a killed process). Errors are ignored: this is
/// housekeeping.
pub fn remove_stale_siblings(root_dir: &Path, group: &str, name: &str, current_pid: u32) {
    let prefix = format!("{group}-{name}-");
    let Ok(entries) = fs::read_dir(root_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        if pid != current_pid && !alive {
            if let Ok(meta) = entry.metadata() {
                if meta.file_type().is_file() {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("supercheck-hb-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn ctime_nanos(path: &Path) -> i128 {
        let m = fs::symlink_metadata(path).unwrap();
        i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec())
    }

    #[test]
    fn notify_bumps_ctime_and_drop_removes_the_file() {
        let dir = scratch("bump");
        let path = dir.join("g-n-1");
        let mut beat = HeartbeatFile::create(&path).unwrap();
        let before = ctime_nanos(&path);
        std::thread::sleep(std::time::Duration::from_millis(20));
        beat.notify().unwrap();
        assert!(ctime_nanos(&path) > before);
        drop(beat);
        assert!(!path.exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn stale_file_at_the_same_path_is_replaced() {
        let dir = scratch("stale");
        let path = dir.join("g-n-2");
        fs::write(&path, b"left by a killed process").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o000)).unwrap();
        let beat = HeartbeatFile::create(&path).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().len(), 0);
        drop(beat);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn symlink_is_refused() {
        let dir = scratch("link");
        let target = dir.join("target");
        fs::write(&target, b"x").unwrap();
        let link = dir.join("g-n-3");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(HeartbeatFile::create(&link).is_err());
        assert!(touch(&link).is_err());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn stale_siblings_of_dead_pids_are_removed() {
        let dir = scratch("siblings");
        let dead = dir.join("g-n-999999999");
        let other = dir.join("g-other-999999999");
        fs::write(&dead, b"").unwrap();
        fs::write(&other, b"").unwrap();
        remove_stale_siblings(&dir, "g", "n", 1);
        assert!(!dead.exists());
        assert!(other.exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn touch_creates_then_bumps() {
        let dir = scratch("touch");
        let path = dir.join("beat");
        touch(&path).unwrap();
        let first = ctime_nanos(&path);
        std::thread::sleep(std::time::Duration::from_millis(20));
        touch(&path).unwrap();
        assert!(ctime_nanos(&path) > first);
        fs::remove_dir_all(dir).unwrap();
    }
}
