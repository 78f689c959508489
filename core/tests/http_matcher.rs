//! Expected status codes and the streaming body matcher.

use proptest::prelude::*;
use supercheck_core::http::{BodyMatcher, NeedleTooLong, StatusSet, StatusSetError};

#[test]
fn default_status_set_is_only_200() {
    let set = StatusSet::default();
    assert!(set.contains(200));
    assert!(!set.contains(204));
    assert_eq!(set.iter().collect::<Vec<_>>(), [200]);
}

#[test]
fn codes_ranges_and_classes_are_parsed() {
    let set = StatusSet::parse("200, 204,300-399").unwrap();
    for code in [200, 204, 300, 350, 399] {
        assert!(set.contains(code), "{code}");
    }
    for code in [0, 99, 201, 299, 400, 1000, u16::MAX] {
        assert!(!set.contains(code), "{code}");
    }
    let set = StatusSet::parse("2xx,404").unwrap();
    assert!(set.contains(200) && set.contains(299) && set.contains(404) && !set.contains(300));
}

#[test]
fn status_set_displays_compactly() {
    let set = StatusSet::parse("399,300-398,204,200").unwrap();
    assert_eq!(set.to_string(), "200,204,300-399");
    assert_eq!(format!("{set:?}"), "StatusSet(200,204,300-399)");
    assert_eq!(StatusSet::EMPTY.to_string(), "");
}

#[test]
fn bad_status_lists_name_the_offset_of_the_bad_element() {
    assert_eq!(StatusSet::parse(" "), Err(StatusSetError::Empty));
    assert_eq!(
        StatusSet::parse("200,abc"),
        Err(StatusSetError::InvalidElement { at: 4 })
    );
    assert_eq!(
        StatusSet::parse("200,"),
        Err(StatusSetError::InvalidElement { at: 4 })
    );
    assert_eq!(
        StatusSet::parse(",200"),
        Err(StatusSetError::InvalidElement { at: 0 })
    );
    assert_eq!(
        StatusSet::parse("200, 1000"),
        Err(StatusSetError::OutOfRange { at: 5 })
    );
    assert_eq!(
        StatusSet::parse("99"),
        Err(StatusSetError::OutOfRange { at: 0 })
    );
    assert_eq!(
        StatusSet::parse("0xx"),
        Err(StatusSetError::OutOfRange { at: 0 })
    );
    assert_eq!(
        StatusSet::parse("200,399-300"),
        Err(StatusSetError::ReversedRange { at: 4 })
    );
    assert_eq!(
        StatusSet::parse("-5"),
        Err(StatusSetError::InvalidElement { at: 0 })
    );
}

#[test]
fn status_sets_build_from_repeated_codes_and_unions() {
    let set = StatusSet::from_codes(&[200, 301]).unwrap();
    assert_eq!(set.iter().collect::<Vec<_>>(), [200, 301]);
    assert_eq!(
        StatusSet::from_codes(&[200, 42]),
        Err(StatusSetError::OutOfRange { at: 1 })
    );
    assert_eq!(StatusSet::from_codes(&[]), Err(StatusSetError::Empty));
    let both = set.union(StatusSet::parse("5xx").unwrap());
    assert!(both.contains(301) && both.contains(503));
    let mut grown = StatusSet::EMPTY;
    assert!(grown.is_empty());
    grown.insert_range(100, 999).unwrap();
    assert_eq!(grown.iter().count(), 900);
}

#[test]
fn needle_split_across_chunks_is_found() {
    let mut m = BodyMatcher::<16>::new(b"\"status\":\"ok\"").unwrap();
    assert!(!m.feed(b"{\"stat"));
    assert!(!m.feed(b"us\":"));
    assert!(m.feed(b"\"ok\"}"));
    assert!(m.is_found());
    assert!(m.feed(b"anything"));
    m.reset();
    assert!(!m.is_found());
}

#[test]
fn overlapping_prefixes_do_not_hide_a_match() {
    let mut m = BodyMatcher::<8>::new(b"aab").unwrap();
    assert!(m.feed(b"aaab"));
    let mut m = BodyMatcher::<8>::new(b"abab").unwrap();
    assert!(!m.feed(b"aba"));
    assert!(m.feed(b"bab"));
}

#[test]
fn needle_longer_than_capacity_is_refused_and_empty_needle_always_matches() {
    assert_eq!(
        BodyMatcher::<4>::new(b"hello").map(|_| ()),
        Err(NeedleTooLong { len: 5, max: 4 })
    );
    assert!(BodyMatcher::<4>::new(b"").unwrap().is_found());
    assert!(BodyMatcher::<0>::new(b"").unwrap().feed(b""));
}

proptest! {
    #[test]
    fn matcher_agrees_with_substring_search_for_any_split(
        body in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..200),
        needle in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..8),
        cuts in proptest::collection::vec(0usize..200, 0..10),
    ) {
        let expected = needle.is_empty() || body.windows(needle.len()).any(|w| w == needle.as_slice());
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(body.len())).collect();
        cuts.sort_unstable();
        let mut m = BodyMatcher::<8>::new(&needle).unwrap();
        let mut start = 0;
        for cut in cuts.into_iter().chain([body.len()]) {
            m.feed(&body[start..cut]);
            start = cut;
        }
        prop_assert_eq!(m.is_found(), expected);
    }
}
