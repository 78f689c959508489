//! The known key closest to a misspelt one: `timout` → `timeout`,
//! `num-retries` → `num_retries`, `retries` → `num_retries`.

/// The key of `known` nearest to `typed`, if one is near enough to be
/// what was meant: the same but for case, `-` for `_` or one of them
/// containing the other (four characters at least), or within an edit
/// distance of a third of its length (at least 1, at most 3).
pub(crate) fn closest(typed: &str, known: &[&'static str]) -> Option<&'static str> {
    let normal = normalize(typed);
    if normal.is_empty() {
        return None;
    }
    if let Some(same) = known.iter().find(|k| normalize(k) == normal) {
        return Some(same);
    }
    let limit = (normal.chars().count() / 3).clamp(1, 3);
    let nearest = known
        .iter()
        .map(|k| (distance(&normal, &normalize(k)), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    nearest.or_else(|| {
        (normal.chars().count() >= 4)
            .then(|| {
                known
                    .iter()
                    .find(|k| normalize(k).contains(&normal) || normal.contains(&normalize(k)))
                    .copied()
            })
            .flatten()
    })
}

fn normalize(key: &str) -> String {
    key.trim().to_lowercase().replace('-', "_")
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of neighbours each cost 1.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(cell) = rows.get_mut(at(i, 0)) {
            *cell = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(cell) = rows.get_mut(at(0, j)) {
            *cell = j;
        }
    }
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            let get = |i: usize, j: usize| rows.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
            let cost = usize::from(ca != cb);
            let mut best = (get(i, j + 1) + 1)
                .min(get(i + 1, j) + 1)
                .min(get(i, j) + cost);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                best = best.min(get(i - 1, j - 1) + 1);
            }
            if let Some(cell) = rows.get_mut(at(i + 1, j + 1)) {
                *cell = best;
            }
        }
    }
    rows.get(at(a.len(), b.len()))
        .copied()
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 6] = [
        "timeout",
        "num_retries",
        "url",
        "port",
        "max_rss",
        "interval",
    ];

    #[test]
    fn near_misses_find_their_key() {
        assert_eq!(closest("timout", &KEYS), Some("timeout"));
        assert_eq!(closest("Timeout", &KEYS), Some("timeout"));
        assert_eq!(closest("num-retries", &KEYS), Some("num_retries"));
        assert_eq!(closest("retries", &KEYS), Some("num_retries"));
        assert_eq!(closest("msx_rss", &KEYS), Some("max_rss"));
        assert_eq!(closest("intreval", &KEYS), Some("interval"));
        assert_eq!(closest("prot", &KEYS), Some("port"));
    }

    #[test]
    fn far_keys_have_no_suggestion() {
        assert_eq!(closest("colour", &KEYS), None);
        assert_eq!(closest("", &KEYS), None);
        assert_eq!(closest("x", &KEYS), None);
    }

    #[test]
    fn distance_counts_swaps_as_one() {
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
    }
}
