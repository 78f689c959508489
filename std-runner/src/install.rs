//! `supercheck install-links DIR`: the drop-in names, as symlinks to this binary.
//!
//! supervisord users refer to their checkers by program path
//! (`command=/usr/local/bin/supervisor_http_check ...`); linking every name to
//! one binary makes an existing `[eventlistener:x]` section work unchanged.

use std::io;
use std::path::{Path, PathBuf};

use supercheck_cmdline::superlance::SuperlanceTool;
use supercheck_cmdline::tool::Tool;

/// Every name supercheck answers to as a drop-in.
pub fn drop_in_names() -> impl Iterator<Item = &'static str> {
    Tool::ALL
        .into_iter()
        .filter_map(Tool::program_name)
        .chain(SuperlanceTool::ALL.into_iter().map(SuperlanceTool::name))
}

/// What happened to one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// A new link was made.
    Created(PathBuf),
    /// A link to the same binary was already there.
    AlreadyThere(PathBuf),
}

/// Links every drop-in name in `dir` to `binary`. An existing link to another
/// target is replaced only with `force`; an existing regular file never is.
///
/// # Errors
/// When `dir` is not writable, or a name is taken by something else.
pub fn install_links(dir: &Path, binary: &Path, force: bool) -> io::Result<Vec<Linked>> {
    std::fs::create_dir_all(dir)?;
    let mut done = Vec::new();
    for name in drop_in_names() {
        let link = dir.join(name);
        match std::fs::symlink_metadata(&link) {
            Ok(meta) if meta.file_type().is_symlink() => {
                if std::fs::read_link(&link)? == binary {
                    done.push(Linked::AlreadyThere(link));
                    continue;
                }
                if !force {
                    return Err(io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        format!(
                            "{} links elsewhere: give --force to replace it",
                            link.display()
                        ),
                    ));
                }
                std::fs::remove_file(&link)?;
            }
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} exists and is not a link: not replacing it",
                        link.display()
                    ),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::os::unix::fs::symlink(binary, &link)?;
        done.push(Linked::Created(link));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_drop_in_name_is_linked_once_and_again_is_harmless() {
        let dir = std::env::temp_dir().join(format!("sc-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let binary = Path::new("/usr/local/bin/supercheck");
        let first = install_links(&dir, binary, false).unwrap();
        assert_eq!(
            first.len(),
            10,
            "seven supervisor_checks names, httpok, memmon and crashmail"
        );
        assert!(first.iter().all(|l| matches!(l, Linked::Created(_))));
        assert_eq!(
            std::fs::read_link(dir.join("supervisor_http_check")).unwrap(),
            binary
        );
        let again = install_links(&dir, binary, false).unwrap();
        assert!(again.iter().all(|l| matches!(l, Linked::AlreadyThere(_))));
        assert!(install_links(&dir, Path::new("/elsewhere"), false).is_err());
        assert!(install_links(&dir, Path::new("/elsewhere"), true).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_regular_file_is_never_replaced() {
        let dir = std::env::temp_dir().join(format!("sc-links-file-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("supervisor_tcp_check"), b"#!/usr/bin/python\n").unwrap();
        assert!(install_links(&dir, Path::new("/usr/local/bin/supercheck"), true).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
