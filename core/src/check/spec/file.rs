//! [`FileSpec`]: the heartbeat-file check.

use super::{FsPath, SpecError, Timeout};

/// A file check: pass while the heartbeat file's ctime is at most `timeout` old.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FileSpec<'a> {
    /// The largest allowed age, whole seconds.
    pub timeout: Timeout,
    /// Fail (instead of pass) when the file cannot be examined.
    pub fail_on_error: bool,
    /// The file for every process; when unset, `<root_dir>/<group>-<name>-<pid>`.
    pub filepath: Option<FsPath<'a>>,
    /// Where the per-process files live; when unset, the driver's temp directory.
    pub root_dir: Option<FsPath<'a>>,
}

impl<'a> FileSpec<'a> {
    /// A check with the given age limit in whole seconds and every other
    /// setting unset.
    ///
    /// # Errors
    /// Those of [`Timeout::from_secs`].
    pub fn from_secs(timeout: u64) -> Result<Self, SpecError> {
        Ok(Self {
            timeout: Timeout::from_secs(timeout)?,
            fail_on_error: false,
            filepath: None,
            root_dir: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_check_needs_a_positive_timeout() {
        assert_eq!(FileSpec::from_secs(0), Err(SpecError::NotPositive));
        let spec = FileSpec::from_secs(30).unwrap();
        assert_eq!(spec.timeout.get().secs(), 30);
        assert!(!spec.fail_on_error && spec.filepath.is_none() && spec.root_dir.is_none());
    }
}
