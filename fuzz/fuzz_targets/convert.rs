//! The markdown + GitBook converter on arbitrary bytes, trusted and sanitized: no panic,
//! no NUL in the HTML, lines reported inside the page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portico::testing::markdown::{self, LinkKind, LinkResolver, RenderContext, Resolution};

struct Resolver;

impl LinkResolver for Resolver {
    fn resolve(&self, dest: &str, _kind: LinkKind) -> Resolution {
        if dest.contains("missing") {
            Resolution::Broken {
                reason: "no such file".into(),
            }
        } else {
            Resolution::Unchanged
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1) as u32 + 1;
    for trusted in [false, true] {
        let out = markdown::convert(
            &text,
            &RenderContext {
                resolver: &Resolver,
                page: "docs/page.md",
                trusted,
                allow_embeds: true,
            },
        );
        assert!(!out.html.contains('\0'));
        assert!(out.problems.iter().all(|(line, _)| (1..=lines).contains(line)));
        assert!(out.links.iter().all(|link| (1..=lines).contains(&link.line)));
    }
    let _ = markdown::references(&text, "docs/page.md", &markdown::gitbook::NoIncludes);
    let _ = markdown::title_hint(&text);
});
