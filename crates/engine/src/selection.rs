//! Which processes a listener checks: a namespec (`-N`), a group (`-g`),
//! every process but the listener's own pool, or any of several namespecs
//! (superlance's repeatable `-p`/`-g`).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use supercheck_core::names::Namespec;

use crate::process::Process;

/// Which processes a listener checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// `-N`: a namespec (`group:name`, `name` or `group:*`).
    Namespec(String),
    /// `-g`: every process of a group.
    Group(String),
    /// Neither: every process but those of the listener's own pool.
    AllExcept(Option<String>),
    /// Any of these namespecs (superlance's repeatable `-p`/`-g`).
    AnyOf(Vec<String>),
}

impl Selection {
    /// Whether the process `group:name` is selected.
    pub fn selects(&self, group: &str, name: &str) -> bool {
        match self {
            Selection::Namespec(spec) => Namespec::parse(spec).matches(group, name),
            Selection::Group(g) => g == group,
            Selection::AllExcept(own) => own.as_deref() != Some(group),
            Selection::AnyOf(specs) => specs
                .iter()
                .any(|spec| Namespec::parse(spec).matches(group, name)),
        }
    }

    /// The named namespecs (`-N`, superlance's `-p`/`-g`) that match none of
    /// `processes`, whatever their state: a typo or a removed program.
    pub fn unmatched<'a>(&'a self, processes: &[Process]) -> Vec<&'a str> {
        let specs: &[String] = match self {
            Selection::Namespec(spec) => core::slice::from_ref(spec),
            Selection::AnyOf(specs) => specs,
            Selection::Group(_) | Selection::AllExcept(_) => &[],
        };
        specs
            .iter()
            .filter(|spec| {
                let spec = Namespec::parse(spec);
                !processes.iter().any(|p| spec.matches(&p.group, &p.name))
            })
            .map(String::as_str)
            .collect()
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selection::Namespec(spec) => f.write_str(spec),
            Selection::Group(group) => write!(f, "{group}:*"),
            Selection::AllExcept(_) => f.write_str("every process"),
            Selection::AnyOf(specs) => f.write_str(&specs.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use supercheck_core::process::ProcessState;

    #[test]
    fn named_programs_missing_from_the_list_are_unmatched() {
        let list: Vec<Process> = [("web", "web_1"), ("db", "db")]
            .iter()
            .map(|(group, name)| Process {
                group: (*group).into(),
                name: (*name).into(),
                state: ProcessState::Stopped,
                pid: 0,
                start: 0,
                now: 0,
            })
            .collect();
        let any = Selection::AnyOf(vec![
            "web_1".into(),
            "ghost".into(),
            "db:*".into(),
            "x:y".into(),
        ]);
        assert_eq!(any.unmatched(&list), ["ghost", "x:y"]);
        assert_eq!(
            Selection::Namespec("web:web_2".into()).unmatched(&list),
            ["web:web_2"]
        );
        assert!(Selection::Group("nope".into()).unmatched(&list).is_empty());
    }

    #[test]
    fn bare_name_and_full_namespec_select_the_same_process() {
        assert!(Selection::Namespec("web_1".into()).selects("web", "web_1"));
        assert!(Selection::Namespec("web:web_1".into()).selects("web", "web_1"));
        assert!(Selection::Namespec("web:*".into()).selects("web", "web_2"));
        assert!(!Selection::AllExcept(Some("checks".into())).selects("checks", "checks"));
    }
}
