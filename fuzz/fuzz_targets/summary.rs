//! The SUMMARY.md parser on arbitrary bytes: no panic, lines inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1) as u32 + 1;
    let summary = portico::testing::nav::parse_summary(&text);
    assert!(summary.problems.iter().all(|p| (1..=lines).contains(&p.line)));
    let mut items: Vec<&portico::testing::nav::SummaryItem> =
        summary.groups.iter().flat_map(|g| g.items.iter()).collect();
    while let Some(item) = items.pop() {
        assert!((1..=lines).contains(&item.line));
        items.extend(item.children.iter());
    }
});
