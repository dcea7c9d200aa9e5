//! Hostile files from a community-managed repository (issue 9, item 3): whatever a
//! repository nobody reviewed puts beside its docs, no published file can run script. SVG
//! is published rewritten without anything active, other types only from the passive
//! allow-list and only when their content is what their name says; every page carries a
//! Content-Security-Policy; a well-behaved integration beside them is published as usual.

use std::path::Path;

use crate::fixture::{Fixture, TINY_PNG};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// An SVG text with `inside` as the content of its root element.
fn svg(inside: &str) -> String {
    format!(r#"<svg xmlns="{SVG_NS}" viewBox="0 0 10 10">{inside}<circle r="4"/></svg>"#)
}

fn utf16(text: &str, big_endian: bool, mark: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    if mark {
        bytes.extend(if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        });
    }
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

/// Files of other types that browsers render as documents (and so can script), each
/// carrying a script.
const ACTIVE_DOCUMENTS: &[(&str, &str)] = &[
    (
        "page.xhtm",
        r#"<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>"#,
    ),
    (
        "page.xht",
        r#"<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>"#,
    ),
    (
        "formula.mml",
        r#"<math xmlns="http://www.w3.org/1998/Math/MathML"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></math>"#,
    ),
    (
        "feed.rss",
        r#"<rss><channel><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></channel></rss>"#,
    ),
    (
        "feed.atom",
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></feed>"#,
    ),
    (
        "schema.xsd",
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></xs:schema>"#,
    ),
    (
        "data.rdf",
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></rdf:RDF>"#,
    ),
    (
        "archive.mht",
        "MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>",
    ),
    (
        "data.xml",
        r#"<?xml-stylesheet type="text/xsl" href="style.xsl"?><x><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></x>"#,
    ),
    (
        "style.xsl",
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><script>alert(1)</script></xsl:template></xsl:stylesheet>"#,
    ),
    ("demo.html", "<script>alert(document.cookie)</script>"),
    ("tool.js", "alert(document.cookie)"),
    ("guide.pdf", "%PDF-1.7 /JavaScript (app.alert(1))"),
    // Named as passive types, but not what their name says.
    ("fake.png", "<html><script>alert(1)</script></html>"),
    ("notes.txt", "<!DOCTYPE html><script>alert(1)</script>"),
];

/// A community-managed integration carrying every hostile file above and SVGs with every
/// trick, a well-behaved community integration, and a Mattermost-managed one.
fn hostile_portal() -> Fixture {
    let fx = Fixture::new();
    let svgs: Vec<(&str, Vec<u8>)> = vec![
        (
            "prefixed.svg",
            svg(&format!(
                r#"<x:script xmlns:x="{SVG_NS}">alert(1)</x:script>"#
            ))
            .into_bytes(),
        ),
        (
            "xhtml.svg",
            svg(r#"<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>"#)
                .into_bytes(),
        ),
        (
            "foreign.svg",
            svg(r#"<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></body></foreignObject>"#)
                .into_bytes(),
        ),
        (
            "handlers.svg",
            svg(r#"<rect onload="alert(1)" ONCLICK="alert(2)"/><a href="javascript:alert(3)"><text>x</text></a><a xmlns:l="http://www.w3.org/1999/xlink" l:href="data:text/html,&lt;script&gt;alert(4)&lt;/script&gt;"><text>y</text></a>"#)
                .into_bytes(),
        ),
        (
            "animated.svg",
            svg(r#"<a><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="href" values="javascript:alert(2)"/><text>z</text></a>"#)
                .into_bytes(),
        ),
        (
            "styled.svg",
            svg(r#"<style>@import url("https://evil.example/x.css");</style><rect style="fill: url(javascript:alert(1))"/>"#)
                .into_bytes(),
        ),
        (
            "utf16-bom.svg",
            utf16(
                &svg("<script>alert(1)</script>"),
                false,
                true,
            ),
        ),
        (
            "utf16-declared.svg",
            utf16(
                &format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>{}",
                    svg("<script>alert(1)</script>")
                ),
                true,
                false,
            ),
        ),
        (
            "stylesheet.svg",
            format!(
                r#"<?xml-stylesheet type="text/xsl" href="style.xsl"?>{}"#,
                svg("")
            )
            .into_bytes(),
        ),
        (
            "entities.svg",
            format!(
                r#"<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>{}"#,
                svg("<text>&b;</text>")
            )
            .into_bytes(),
        ),
    ];

    let mut readme = String::from("# Hostile\n\n");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, bytes) in &svgs {
        readme.push_str(&format!("![{name}]({name})\n\n"));
        files.push((name.to_string(), bytes.clone()));
    }
    for (name, text) in ACTIVE_DOCUMENTS {
        readme.push_str(&format!("[{name}]({name})\n\n"));
        files.push((name.to_string(), text.as_bytes().to_vec()));
    }
    // Raw HTML images still work when what they show is publishable.
    readme.push_str("<img src=\"prefixed.svg\" width=\"20\"> <img src=\"real.png\">\n");
    files.push(("real.png".to_string(), TINY_PNG.to_vec()));
    files.push(("README.md".to_string(), readme.into_bytes()));
    let listed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    fx.repo("hostile", "main").commit_bytes("main", &listed);

    let clean_svg = svg(r##"<defs><linearGradient id="g"/></defs><use href="#g"/>"##);
    fx.repo("nice", "main").commit_bytes(
        "main",
        &[
            (
                "README.md",
                b"# Nice\n\n![logo](logo.svg) ![shot](shot.png)\n\n[Setup](setup.md), [License](LICENSE), [sample](sample.json)\n",
            ),
            ("setup.md", b"# Setup\n\nDone.\n"),
            ("LICENSE", b"MIT License\n\nif a<b then c\n"),
            ("sample.json", b"{\"channel\": \"town-square\"}\n"),
            ("logo.svg", clean_svg.as_bytes()),
            ("shot.png", TINY_PNG),
        ],
    );
    fx.repo("trusted", "main").commit(
        "main",
        &[
            (
                "docs/README.md",
                "# Trusted\n\n![diagram](diagram.svg)\n\n[Setup](setup.md)\n",
            ),
            ("docs/setup.md", "# Setup\n"),
            ("docs/diagram.svg", &svg("")),
        ],
    );
    fx.site(
        "[[integrations]]\nid = \"hostile\"\nrepo = \"repos/hostile\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n\n\
         [[integrations]]\nid = \"nice\"\nrepo = \"repos/nice\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n\n\
         [[integrations]]\nid = \"trusted\"\nrepo = \"repos/trusted\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n",
    );
    fx
}

/// Every file under `dir`, as (path relative to `dir`, bytes).
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                found.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

/// The `<script` tags a page may have: the theme's own (its file, its inline script).
fn script_tags_are_the_themes(page: &str) -> bool {
    let lower = page.to_ascii_lowercase();
    lower.match_indices("<script").all(|(at, _)| {
        let rest = &lower[at..];
        rest.starts_with("<script src=\"")
            && rest.contains("_portico/portico.js\"")
            && rest[..rest.find('>').unwrap_or(rest.len())].contains("_portico/portico.js")
            || rest.starts_with("<script>document.documentelement.classlist.add(\"js\")")
            || rest.starts_with("<script type=\"application/json\" id=\"page-map\">")
    })
}

#[test]
fn no_published_file_from_a_community_repository_can_run_script() {
    let fx = hostile_portal();
    let run = fx.build_ok(&[]);
    let public = fx.path("public");

    // Nothing from the hostile repository carries script, in any namespace or encoding.
    let hostile = files_under(&public.join("integrations/hostile"));
    assert!(!hostile.is_empty());
    for (path, bytes) in &hostile {
        let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        assert!(!text.contains("javascript:"), "{path}: {text}");
        assert!(!text.contains("alert("), "{path}: {text}");
        if path.ends_with(".html") {
            assert!(script_tags_are_the_themes(&text), "{path}: {text}");
        } else {
            assert!(!text.contains("script"), "{path}: {text}");
        }
        if path.ends_with(".svg") {
            // Rewritten as ASCII: read the same under any charset a server labels it with.
            assert!(bytes.is_ascii(), "{path} is not ASCII");
        }
    }

    // Document types and impostors are not published at all, and each is named in a
    // warning that says what to do.
    let warnings = run.warnings().join("\n");
    for (name, _) in ACTIVE_DOCUMENTS {
        assert!(
            !fx.has_output(&format!("integrations/hostile/latest/{name}")),
            "{name} was published"
        );
        assert!(
            warnings.contains(name),
            "no warning names {name}:\n{warnings}"
        );
    }
    assert!(warnings.contains("integration hostile"), "{warnings}");
    assert!(
        warnings.contains("its content is not a PNG image"),
        "{warnings}"
    );
    assert!(
        warnings.contains("link to it in the repository instead"),
        "{warnings}"
    );

    // SVGs are published without their active parts, with a warning saying what went; the
    // ones that cannot be read safely (entities) are refused.
    for (name, removed) in [
        ("prefixed.svg", "scripts"),
        ("xhtml.svg", "scripts"),
        ("foreign.svg", "foreignObject"),
        ("handlers.svg", "event handlers"),
        ("animated.svg", "animations"),
        ("styled.svg", "styles"),
        ("utf16-bom.svg", "scripts"),
        ("utf16-declared.svg", "scripts"),
        ("stylesheet.svg", "processing instructions"),
    ] {
        let published = fx.output(&format!("integrations/hostile/latest/{name}"));
        assert!(
            published.contains("<circle r=\"4\"/>"),
            "{name}: {published}"
        );
        assert!(
            run.warnings()
                .iter()
                .any(|w| w.contains(&format!("{name} is an SVG with")) && w.contains(removed)),
            "no warning says {removed} went from {name}:\n{warnings}"
        );
    }
    assert!(!fx.has_output("integrations/hostile/latest/entities.svg"));
    assert!(warnings.contains("entities.svg"), "{warnings}");

    // Raw HTML images of publishable files still show.
    let page = fx.output("integrations/hostile/latest/index.html");
    assert!(
        page.contains("<img src=\"prefixed.svg\" width=\"20\" height=\"20\" loading=\"lazy\" decoding=\"async\">"),
        "{page}"
    );
    assert_eq!(
        fx.output_bytes("integrations/hostile/latest/real.png"),
        TINY_PNG
    );

    // The well-behaved integrations are published as they are.
    for (path, expected) in [
        (
            "integrations/nice/latest/logo.svg",
            svg(r##"<defs><linearGradient id="g"/></defs><use href="#g"/>"##).into_bytes(),
        ),
        ("integrations/nice/latest/shot.png", TINY_PNG.to_vec()),
        (
            "integrations/nice/latest/LICENSE",
            b"MIT License\n\nif a<b then c\n".to_vec(),
        ),
        (
            "integrations/nice/latest/sample.json",
            b"{\"channel\": \"town-square\"}\n".to_vec(),
        ),
        (
            "integrations/trusted/latest/diagram.svg",
            svg("").into_bytes(),
        ),
    ] {
        assert_eq!(fx.output_bytes(path), expected, "{path}");
    }
    for page in [
        "integrations/nice/latest/setup.html",
        "integrations/trusted/latest/setup.html",
    ] {
        assert!(fx.has_output(page), "{page} missing");
    }
    assert!(
        !warnings.contains("integration nice") && !warnings.contains("integration trusted"),
        "{warnings}"
    );
}

#[test]
fn every_page_carries_a_content_security_policy_allowing_only_portico_scripts() {
    let fx = hostile_portal();
    fx.build_ok(&[]);
    let pages: Vec<(String, String)> = files_under(&fx.path("public"))
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect();
    assert!(pages.len() > 5);
    for (path, page) in &pages {
        let head = &page[..page.find("</head>").unwrap_or(page.len())];
        let policy_at = head
            .find("<meta http-equiv=\"Content-Security-Policy\" content=\"")
            .unwrap_or_else(|| panic!("{path} has no policy: {head}"));
        // First in the head: a policy in a meta element governs only what follows it.
        assert!(
            !head[..policy_at].contains("<script") && !head[..policy_at].contains("<link"),
            "{path}: {head}"
        );
        let policy = &head[policy_at..];
        let policy = &policy[..policy.find("\">").unwrap()];
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'sha256-",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-src 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe-eval"), "{path}: {policy}");
        assert!(
            !policy.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {policy}"
        );
    }

    // With embeds on, frames from the video players only.
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &site.replace("[site]\n", "[site]\nallow_embeds = true\n"),
    );
    fx.build_ok(&[]);
    let page = fx.output("integrations/trusted/latest/index.html");
    assert!(
        page.contains("frame-src https://www.youtube-nocookie.com https://player.vimeo.com;"),
        "{page}"
    );
}
