//! plugin.json / plugin.yaml readers on arbitrary bytes: read or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in ["plugin.json", "plugin.yaml"] {
        let _ = portico::testing::source::parse_manifest(name, data);
    }
});
