//! A check's `targets`: which processes it checks, as supervisorctl names them.
//!
//! | target | selects |
//! |---|---|
//! | `"web:*"` (or `"web:"`) | every process of the group `web` |
//! | `"web:web_8101"` | the process `web_8101` of the group `web` |
//! | `"web"` | the process named `web`, in any group: for a `[program:web]` that is `web:web`, as supervisorctl reads a bare name (it is **not** the whole group of a `numprocs` program: write `"web:*"`) |
//! | `"*"` | every process supervisord lists, except the agent's own event-listener pool |
//!
//! A process is checked when any target selects it. These are the engine's
//! namespecs ([`supercheck_core::names::Namespec`]), so [`Targets::selection`]
//! is a [`Selection`] the engine uses as it is.

use supercheck_core::names::Namespec;
use supercheck_engine::Selection;

/// One target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `"*"`: every process but the agent's own pool.
    All,
    /// `"GROUP:*"`: every process of a group.
    Group(String),
    /// `"GROUP:NAME"`: one process.
    Process {
        /// The group.
        group: String,
        /// The process name in it.
        name: String,
    },
    /// `"NAME"`: the process called so, in any group (`NAME:NAME` for a plain `[program:NAME]`).
    Name(String),
}

impl Target {
    /// Reads a target, or says why it is none.
    ///
    /// # Errors
    /// The reason, for a message: empty, spaces or control characters, an
    /// empty or wildcard group, a glob other than `GROUP:*` or `*`, `all`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("is empty".into());
        }
        if text == "*" {
            return Ok(Target::All);
        }
        if text.eq_ignore_ascii_case("all") {
            return Err("write \"*\" for every process (supervisorctl's \"all\")".into());
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces or control characters".into());
        }
        let glob = || {
            "wildcards are \"*\" alone or \"GROUP:*\" only; list the processes, or select their group"
                .to_string()
        };
        match text.split_once(':') {
            Some(("", _)) => Err("the group before ':' is empty".into()),
            Some(("*", _)) => {
                Err("the group cannot be a wildcard; use \"*\" for every process".into())
            }
            Some((group, _)) if group.contains('*') => Err(glob()),
            Some((group, "" | "*")) => Ok(Target::Group(group.to_string())),
            Some((_, name)) if name.contains(':') => {
                Err("has more than one ':' (GROUP:NAME)".into())
            }
            Some((_, name)) if name.contains('*') => Err(glob()),
            Some((group, name)) => Ok(Target::Process {
                group: group.to_string(),
                name: name.to_string(),
            }),
            None if text.contains('*') => Err(glob()),
            None => Ok(Target::Name(text.to_string())),
        }
    }

    /// The target as a namespec (`"web:*"`, `"web:web_1"`, `"web"`), or
    /// `None` for `"*"`.
    pub fn namespec(&self) -> Option<String> {
        match self {
            Target::All => None,
            Target::Group(group) => Some(format!("{group}:*")),
            Target::Process { group, name } => Some(format!("{group}:{name}")),
            Target::Name(name) => Some(name.clone()),
        }
    }

    /// Whether this target selects the process `group:name` (`"*"` selects
    /// every process; [`Targets::selection`] leaves out the agent's own pool).
    pub fn selects(&self, group: &str, name: &str) -> bool {
        match self {
            Target::All => true,
            Target::Group(g) => Namespec::Group(g).matches(group, name),
            Target::Process { group: g, name: n } => {
                Namespec::Process { group: g, name: n }.matches(group, name)
            }
            Target::Name(n) => Namespec::Bare(n).matches(group, name),
        }
    }
}

/// A check's targets: at least one, none twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    list: Vec<Target>,
}

impl Targets {
    /// The targets (at least one); `None` for an empty list.
    pub(crate) fn new(list: Vec<Target>) -> Option<Self> {
        (!list.is_empty()).then_some(Self { list })
    }

    /// The targets in the order written.
    pub fn as_slice(&self) -> &[Target] {
        &self.list
    }

    /// Whether `"*"` is among them.
    pub fn all(&self) -> bool {
        self.list.contains(&Target::All)
    }

    /// Whether the process `group:name` is selected, `own_group` being the
    /// agent's own pool (`SUPERVISOR_GROUP_NAME`), which `"*"` leaves out.
    pub fn selects(&self, group: &str, name: &str, own_group: Option<&str>) -> bool {
        self.list.iter().any(|t| match t {
            Target::All => own_group != Some(group),
            _ => t.selects(group, name),
        })
    }

    /// The engine's selection: [`Selection::AllExcept`] the agent's own pool
    /// when `"*"` is listed, otherwise [`Selection::AnyOf`] the namespecs.
    pub fn selection(&self, own_group: Option<&str>) -> Selection {
        if self.all() {
            return Selection::AllExcept(own_group.map(str::to_string));
        }
        Selection::AnyOf(self.list.iter().filter_map(Target::namespec).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(list: &[&str]) -> Targets {
        Targets::new(list.iter().map(|t| Target::parse(t).unwrap()).collect()).unwrap()
    }

    #[test]
    fn every_form_reads() {
        assert_eq!(Target::parse("web:*"), Ok(Target::Group("web".into())));
        assert_eq!(Target::parse("web:"), Ok(Target::Group("web".into())));
        assert_eq!(
            Target::parse("web:web_8101"),
            Ok(Target::Process {
                group: "web".into(),
                name: "web_8101".into()
            })
        );
        assert_eq!(Target::parse("web"), Ok(Target::Name("web".into())));
        assert_eq!(Target::parse("*"), Ok(Target::All));
    }

    #[test]
    fn malformed_targets_say_why() {
        for (text, why) in [
            ("", "empty"),
            ("all", "\"*\""),
            ("web *", "spaces"),
            (":web", "group before ':' is empty"),
            ("*:web", "group cannot be a wildcard"),
            ("web*", "wildcards"),
            ("web:web_*", "wildcards"),
            ("w*b:x", "wildcards"),
            ("a:b:c", "more than one ':'"),
        ] {
            let e = Target::parse(text).unwrap_err();
            assert!(e.contains(why), "{text:?}: {e}");
        }
    }

    #[test]
    fn selection_agrees_with_selects() {
        let t = targets(&["web:*", "db:db_1", "cache"]);
        let selection = t.selection(None);
        assert_eq!(
            selection,
            Selection::AnyOf(vec!["web:*".into(), "db:db_1".into(), "cache".into()])
        );
        for (group, name, selected) in [
            ("web", "web_1", true),
            ("db", "db_1", true),
            ("db", "db_2", false),
            ("cache", "cache", true),
            ("other", "cache", true),
            ("other", "x", false),
        ] {
            assert_eq!(t.selects(group, name, None), selected, "{group}:{name}");
            assert_eq!(selection.selects(group, name), selected, "{group}:{name}");
        }
    }

    #[test]
    fn star_leaves_out_the_agents_own_pool() {
        let t = targets(&["*"]);
        assert_eq!(
            t.selection(Some("supercheck")),
            Selection::AllExcept(Some("supercheck".into()))
        );
        assert!(t.selects("web", "web_1", Some("supercheck")));
        assert!(!t.selects("supercheck", "supercheck", Some("supercheck")));
        assert!(
            !t.selection(Some("supercheck"))
                .selects("supercheck", "supercheck")
        );
        assert!(Targets::new(Vec::new()).is_none());
    }
}
