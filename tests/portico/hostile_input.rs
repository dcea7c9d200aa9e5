//! Hostile input that costs work: pathological nesting in community pages (issue 9, item
//! 5). No timing is asserted; the inputs are large enough (100,000 nested `<div>`s, 50,000
//! nested `>`, 100,000 `[` in front matter) that a return of the quadratic sanitizing (34 s
//! for one such page) or YAML scanning (about 20 s) would make this suite visibly slow. What is asserted: the build succeeds, the page is published
//! with its text, its HTML is balanced and no deeper than the limit, and a warning names
//! the file and line.

use crate::fixture::Fixture;

/// Elements without end tags.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The hostile pages, as (path, markdown, line of the deep markup).
fn hostile_pages() -> Vec<(&'static str, String, u32)> {
    vec![
        (
            "README.md",
            format!(
                "# Hostile\n\n[quotes](docs/quotes.md) [lists](docs/lists.md) [bold](docs/bold.md) [lines](docs/lines.md) [front](docs/front.md)\n\n{}deep divs{}\n\nThe end of the divs.\n",
                "<div>".repeat(100_000),
                "</div>".repeat(100_000)
            ),
            5,
        ),
        (
            "docs/quotes.md",
            format!(
                "# Quotes\n\n{} deep quotes\n\nThe end of the quotes.\n",
                ">".repeat(50_000)
            ),
            3,
        ),
        (
            "docs/lists.md",
            format!(
                "# Lists\n\n{}deep lists\n\nThe end of the lists.\n",
                "- ".repeat(20_000)
            ),
            3,
        ),
        (
            "docs/bold.md",
            // Formatting elements left open are reopened by the parser at every block.
            format!(
                "# Bold\n\n{}deep bold\n\nThe end of the bold.\n",
                (0..20_000)
                    .map(|i| format!("<p><b id=\"b{i}\"></p>"))
                    .collect::<String>()
            ),
            3,
        ),
        (
            "docs/lines.md",
            format!(
                "# Lines\n\nintro\n\n{}deep lines\n{}\nThe end of the lines.\n",
                "<div>\n".repeat(50_000),
                "</div>\n".repeat(50_000)
            ),
            5,
        ),
    ]
}

fn hostile_portal(managed_by: &str) -> Fixture {
    let fx = Fixture::new();
    let pages = hostile_pages();
    let mut files: Vec<(&str, &str)> = pages
        .iter()
        .map(|(path, text, _)| (*path, text.as_str()))
        .collect();
    let front = bracket_bomb();
    files.push(("docs/front.md", &front));
    files.push((
        "plugin.yaml",
        "id: hostile\nname: Hostile\nversion: 1.0.0\n",
    ));
    fx.repo("hostile", "main").commit("main", &files);
    fx.site(&format!(
        "[[integrations]]\nid = \"hostile\"\nrepo = \"repos/hostile\"\nmanaged_by = \"{managed_by}\"\ndeployments = [\"cloud\"]\n"
    ));
    fx
}

/// The `<article>` of an output page.
fn article(fx: &Fixture, page: &str) -> String {
    let html = fx.output(page);
    let start = html.find("<article").expect("an article");
    let end = html.rfind("</article>").expect("the article's end") + "</article>".len();
    html[start..end].to_string()
}

/// Checks that every start tag is closed in order; returns the deepest nesting.
fn balanced_depth(html: &str) -> usize {
    let mut open: Vec<String> = Vec::new();
    let mut deepest = 0;
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').expect("a tag is closed by >");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(name) => (true, name),
            None => (false, tag),
        };
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if closing {
            assert_eq!(
                open.pop().as_deref(),
                Some(name.as_str()),
                "</{name}> closes the wrong element"
            );
        } else if !VOID.contains(&name.as_str()) && !tag.ends_with('/') {
            open.push(name);
            deepest = deepest.max(open.len());
        }
    }
    assert!(
        open.is_empty(),
        "left open: {:?}",
        &open[..open.len().min(5)]
    );
    deepest
}

/// Front matter whose brackets would make the YAML scanner quadratic.
fn bracket_bomb() -> String {
    format!(
        "---\ntitle: {}\n---\n# Front\n\nThe front page.\n",
        "[".repeat(100_000)
    )
}

#[test]
fn deeply_nested_community_pages_are_flattened_published_and_named_in_warnings() {
    let fx = hostile_portal("community");
    let run = fx.build_ok(&[]);
    let warnings = run.warnings();
    assert!(
        warnings.iter().any(
            |w| w.contains("docs/front.md:1: front matter is not valid YAML")
                && w.contains("100000 `[`/`{` brackets")
        ),
        "no front matter warning in {warnings:#?}"
    );
    assert!(article(&fx, "integrations/hostile/1.0/docs/front.html").contains("The front page."));
    for (path, _, line) in hostile_pages() {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("{path}:{line}"))
                    && w.contains("nests deeper than 512")),
            "no nesting warning for {path}:{line} in {warnings:#?}"
        );
    }
    for (page, text) in [
        ("integrations/hostile/1.0/index.html", "divs"),
        ("integrations/hostile/1.0/docs/quotes.html", "quotes"),
        ("integrations/hostile/1.0/docs/lists.html", "lists"),
        ("integrations/hostile/1.0/docs/bold.html", "bold"),
        ("integrations/hostile/1.0/docs/lines.html", "lines"),
    ] {
        let article = article(&fx, page);
        assert!(
            article.contains(&format!("deep {text}")),
            "{page} lost its text"
        );
        assert!(
            article.contains(&format!("The end of the {text}.")),
            "{page} lost what follows the nesting"
        );
        let depth = balanced_depth(&article);
        assert!(depth <= 2 * 512 + 16, "{page} nests {depth} deep");
    }
}

#[test]
fn deeply_nested_mattermost_pages_are_published_as_written() {
    // Trusted pages are not sanitized, so nothing re-parses them: kept, and no warning.
    let fx = hostile_portal("mattermost");
    let run = fx.build_ok(&[]);
    assert!(
        !run.stderr.contains("nests deeper"),
        "trusted pages are not flattened: {}",
        run.stderr
    );
    let article = article(&fx, "integrations/hostile/1.0/index.html");
    assert!(article.contains("deep divs") && article.contains("The end of the divs."));
    assert_eq!(balanced_depth(&article), 100_000 + 1);
}
