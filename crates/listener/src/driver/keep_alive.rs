//! Connections kept alive between ticks, one per process and check.
//!
//! An http or xmlrpc probe whose response allows it leaves its connection
//! here, still registered with the poll under its token. The next tick's probe
//! of the same process and check sends its request on it at once: no new
//! socket, no handshake, no (de)registration. A connection the peer closes
//! while idle is dropped when its readiness event arrives; one found closed
//! when reused fails as `Stale` and the probe starts over on a new connection,
//! so a restarted service is never judged by its predecessor's socket.

use rustc_hash::FxHashMap;

use super::TargetKey;
use supercheck_runtime::endpoint::Stream;

/// Idle connections, by `(process namespec, check index)` and by token.
#[derive(Debug, Default)]
pub(super) struct KeepAlive {
    by_target: FxHashMap<(TargetKey, usize), (usize, Stream)>,
    by_token: FxHashMap<usize, (TargetKey, usize)>,
}

impl KeepAlive {
    /// Parks `stream` (registered as `token`) for the next probe of `check` on `target`.
    /// Returns a connection it replaced, to be closed by the caller.
    pub fn park(
        &mut self,
        target: &TargetKey,
        check: usize,
        token: usize,
        stream: Stream,
    ) -> Option<(usize, Stream)> {
        self.by_token
            .insert(token, (TargetKey::clone(target), check));
        let old = self
            .by_target
            .insert((TargetKey::clone(target), check), (token, stream));
        if let Some((old_token, _)) = &old {
            self.by_token.remove(old_token);
        }
        old
    }

    /// Takes the idle connection for `check` on `target`, with its token.
    pub fn take(&mut self, target: &TargetKey, check: usize) -> Option<(usize, Stream)> {
        let (token, stream) = self.by_target.remove(&(TargetKey::clone(target), check))?;
        self.by_token.remove(&token);
        Some((token, stream))
    }

    /// Takes the idle connection registered as `token` (its peer closed it or wrote to it).
    pub fn take_token(&mut self, token: usize) -> Option<Stream> {
        let key = self.by_token.remove(&token)?;
        self.by_target.remove(&key).map(|(_, stream)| stream)
    }

    /// Takes every idle connection of targets `keep` says no to.
    pub fn take_unless(&mut self, keep: impl Fn(&str) -> bool) -> Vec<Stream> {
        let gone: Vec<(TargetKey, usize)> = self
            .by_target
            .keys()
            .filter(|(t, _)| !keep(t))
            .cloned()
            .collect();
        gone.into_iter()
            .filter_map(|key| {
                let (token, stream) = self.by_target.remove(&key)?;
                self.by_token.remove(&token);
                Some(stream)
            })
            .collect()
    }

    /// Takes them all (at shutdown).
    pub fn drain(&mut self) -> Vec<Stream> {
        self.by_token.clear();
        self.by_target
            .drain()
            .map(|(_, (_, stream))| stream)
            .collect()
    }
}
