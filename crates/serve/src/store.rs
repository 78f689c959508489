//! Persistence of the registrations and their states (`--state-dir DIR`).
//!
//! One JSON file, `DIR/monitors.json`, replaced whole on every change:
//! the new content goes to `DIR/monitors.json.tmp`, which is fsynced, renamed
//! over the old file, and then the directory is fsynced. Only then does the
//! server acknowledge the change (2xx). A `kill -9` (or a power cut) at any
//! moment leaves either the old or the new complete file: `rename` is atomic,
//! and a temporary file left behind is never read.
//!
//! A file that cannot be read or parsed at start is an error: the server
//! refuses to start (exit 1, the path and the reason on stderr) rather than
//! start empty and silently drop the registrations; the operator moves the
//! file aside to start afresh.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::monitor::Saved;

/// The file's name in the state directory.
pub const FILE: &str = "monitors.json";
/// The temporary file's name.
pub const TEMP: &str = "monitors.json.tmp";
/// The format version written.
pub const VERSION: u32 = 1;

/// The file's content.
#[derive(Debug, Serialize, Deserialize)]
struct Document {
    version: u32,
    monitors: Vec<Saved>,
}

/// Why the state could not be read or written.
#[derive(Debug)]
pub enum StoreError {
    /// A file system operation failed.
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The error.
        error: io::Error,
    },
    /// The file is not a state file this version understands.
    Corrupt {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io { what, path, error } => {
                write!(f, "cannot {what} {}: {error}", path.display())
            }
            StoreError::Corrupt { path, reason } => write!(
                f,
                "state file {} is not valid ({reason}); refusing to start without its \
                 registrations: move it aside to start empty",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StoreError {}

/// The state directory.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// A store in `dir`, created if missing.
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(dir).map_err(|error| StoreError::Io {
            what: "create the state directory",
            path: dir.to_path_buf(),
            error,
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// The state file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// The saved monitors; none when there is no file yet.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a file that does not parse (truncated,
    /// edited, another version); [`StoreError::Io`] when it cannot be read.
    pub fn load(&self) -> Result<Vec<Saved>, StoreError> {
        let path = self.path();
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => {
                return Err(StoreError::Io {
                    what: "read",
                    path,
                    error,
                });
            }
        };
        let document: Document =
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if document.version != VERSION {
            return Err(StoreError::Corrupt {
                path,
                reason: format!("version {} (this build reads {VERSION})", document.version),
            });
        }
        Ok(document.monitors)
    }

    /// Replaces the file with `monitors`, durably (see the module docs).
    ///
    /// # Errors
    /// Any step that fails; the old file is then still in place.
    pub fn save(&self, monitors: Vec<Saved>) -> Result<(), StoreError> {
        let document = Document {
            version: VERSION,
            monitors,
        };
        let temp = self.dir.join(TEMP);
        let io = |what: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |error| StoreError::Io { what, path, error }
        };
        let bytes = serde_json::to_vec_pretty(&document).map_err(|e| StoreError::Corrupt {
            path: temp.clone(),
            reason: e.to_string(),
        })?;
        let mut file = File::create(&temp).map_err(io("create", &temp))?;
        file.write_all(&bytes).map_err(io("write", &temp))?;
        file.sync_all().map_err(io("fsync", &temp))?;
        drop(file);
        let path = self.path();
        fs::rename(&temp, &path).map_err(io("rename over", &path))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io("fsync the directory", &self.dir))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sc-store-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn no_file_is_empty_and_a_saved_list_comes_back() {
        let d = dir("round");
        let store = Store::open(&d).unwrap();
        assert!(store.load().unwrap().is_empty());
        store.save(Vec::new()).unwrap();
        assert!(store.load().unwrap().is_empty());
        assert!(!d.join(TEMP).exists());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_truncated_file_is_an_error_naming_the_file() {
        let d = dir("trunc");
        let store = Store::open(&d).unwrap();
        fs::write(store.path(), b"{\"version\":1,\"monitors\":[").unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(
            err.contains("monitors.json") && err.contains("move it aside"),
            "{err}"
        );
        fs::write(store.path(), b"{\"version\":9,\"monitors\":[]}").unwrap();
        assert!(store.load().unwrap_err().to_string().contains("version 9"));
        let _ = fs::remove_dir_all(&d);
    }
}
