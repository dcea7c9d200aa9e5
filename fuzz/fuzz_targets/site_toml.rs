//! site.toml validation on arbitrary text: errors point inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1) as u32 + 1;
    let root = std::path::Path::new("/portal");
    if let Err(error) = portico::testing::config::parse(&text, root, &root.join("site.toml")) {
        assert!(!error.problems.is_empty());
        assert!(error.problems.iter().all(|p| (1..=lines).contains(&p.line) && p.column >= 1));
    }
});
