//! Process names and namespecs, the vocabulary every module uses to name a target.
//!
//! supervisord names a process `group:name`; when group and name are equal the
//! short `name` also works, and `group:` / `group:*` mean the whole group.

use core::fmt;

/// A parsed namespec selector, as given on a command line (`-N`, `-p`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Namespec<'a> {
    /// `group:name`: exactly one process.
    Process {
        /// The group part.
        group: &'a str,
        /// The process part.
        name: &'a str,
    },
    /// `group:` or `group:*`: every process of the group.
    Group(&'a str),
    /// A bare `name`: a process whose name is `name` (in any group), or, as
    /// supervisord reads it, the process `name:name`.
    Bare(&'a str),
}

impl<'a> Namespec<'a> {
    /// Reads a namespec, splitting on the first `:`.
    pub fn parse(spec: &'a str) -> Self {
        match spec.split_once(':') {
            Some((group, "" | "*")) => Namespec::Group(group),
            Some((group, name)) => Namespec::Process { group, name },
            None => Namespec::Bare(spec),
        }
    }

    /// True when the process `group:name` is selected by this namespec.
    ///
    /// A bare name selects a process of that name in any group, so both
    /// `-N web_8101` and `-N web:web_8101` select `web:web_8101`.
    pub fn matches(&self, group: &str, name: &str) -> bool {
        match *self {
            Namespec::Process { group: g, name: n } => g == group && n == name,
            Namespec::Group(g) => g == group,
            Namespec::Bare(n) => n == name,
        }
    }
}

impl fmt::Display for Namespec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Namespec::Process { group, name } => write!(f, "{group}:{name}"),
            Namespec::Group(group) => write!(f, "{group}:*"),
            Namespec::Bare(name) => f.write_str(name),
        }
    }
}

/// One process as supervisord knows it: the pair that forms its namespec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ProcessId<'a> {
    /// The group (or pool) name.
    pub group: &'a str,
    /// The process name inside the group.
    pub name: &'a str,
}

impl fmt::Display for ProcessId<'_> {
    /// The full namespec, `group:name`, which supervisord always accepts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.group, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_name_matches_grouped_process_of_that_name() {
        let spec = Namespec::parse("web_8101");
        assert!(spec.matches("web", "web_8101"));
        assert!(!spec.matches("web", "web_8102"));
    }

    #[test]
    fn group_star_and_group_colon_select_whole_group() {
        assert_eq!(Namespec::parse("web:*"), Namespec::Group("web"));
        assert_eq!(Namespec::parse("web:"), Namespec::Group("web"));
        assert!(Namespec::parse("web:*").matches("web", "anything"));
        assert!(!Namespec::parse("web:*").matches("db", "web"));
    }

    #[test]
    fn full_namespec_splits_on_first_colon_only() {
        assert_eq!(
            Namespec::parse("a:b:c"),
            Namespec::Process {
                group: "a",
                name: "b:c"
            }
        );
    }
}
