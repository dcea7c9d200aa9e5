//! pagefind, measured on a Portico-built site (issue 10, point 6): feeds every documentation page
//! of the site to pagefind's Rust indexing API (`pagefind::api::PagefindIndex`), the way Portico
//! would if it adopted the crate (pages handed over from memory, one `add_html_file` each), with
//! two filters per page, `integration` and `version` (plus `current` = "yes" on the pages of
//! each integration's current version, so the home page's scope, every integration's current
//! version, is one filter as it is in Portico's index), and writes pagefind's bundle into the site
//! (`<site>/pagefind/`). Prints one line of figures for bench/search.sh.
//!
//!     pagefind-eval SITE_DIR
//!
//! Which pages: every `*.html` except the pages of a current version under its label
//! (`integrations/<id>/<current label>/…` is a byte copy of `integrations/<id>/latest/…`);
//! a page under `latest/` gets the current label as its `version` filter, so the filters match
//! Portico's `data-integration` / `data-version` attributes. The site itself is never changed:
//! the markers pagefind reads (`data-pagefind-body` on the article, the two filters as empty
//! hidden elements) are added to the in-memory copy handed to pagefind, as a theme would print
//! them. Pages without a Markdown article (home, indexes, version lists) are left out, as
//! pagefind does with pages lacking `data-pagefind-body` once some page has it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

const ARTICLE_OPENING: &str = "<article class=\"markdown\"";

#[tokio::main]
async fn main() -> Result<()> {
    let site = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: pagefind-eval SITE_DIR")?,
    );
    let current_labels = current_version_labels(&site)?;
    let mut pages = Vec::new();
    collect_html_files(&site, &mut pages)?;
    pages.sort();

    let options = PagefindServiceConfig::builder()
        .force_language("en".to_string())
        .keep_index_url(true)
        .build();
    let mut index = PagefindIndex::new(Some(options))?;
    let started = Instant::now();
    let mut indexed = 0usize;
    for path in &pages {
        let relative = path
            .strip_prefix(&site)?
            .to_string_lossy()
            .replace('\\', "/");
        let Some(scope) = page_scope(&relative, &current_labels) else {
            continue;
        };
        let html = std::fs::read_to_string(path)?;
        let Some(marked) = with_pagefind_markers(&html, &scope) else {
            continue;
        };
        index.add_html_file(Some(relative), None, marked).await?;
        indexed += 1;
    }
    let added = started.elapsed();
    let bundle = site.join("pagefind");
    index
        .write_files(Some(bundle.to_string_lossy().into_owned()))
        .await?;
    let total = started.elapsed();
    println!(
        "pagefind-eval: {indexed} pages indexed; add_html_file {:.2}s, build+write {:.2}s, total {:.2}s; bundle {}",
        added.as_secs_f64(),
        (total - added).as_secs_f64(),
        total.as_secs_f64(),
        bundle.display()
    );
    Ok(())
}

/// The current version label of each integration, from the site's integrations.json.
fn current_version_labels(site: &Path) -> Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(site.join("integrations.json"))?;
    let catalog: serde_json::Value = serde_json::from_str(&text)?;
    let mut labels = HashMap::new();
    for integration in catalog["integrations"].as_array().into_iter().flatten() {
        if let (Some(id), Some(label)) = (
            integration["id"].as_str(),
            integration["current_version"].as_str(),
        ) {
            labels.insert(id.to_owned(), label.to_owned());
        }
    }
    Ok(labels)
}

fn collect_html_files(folder: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_html_files(&path, found)?;
        } else if path
            .extension()
            .is_some_and(|extension| extension == "html")
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Where a documentation page belongs: the values of its pagefind filters.
struct PageScope {
    integration: String,
    version: String,
    current: bool,
}

/// The scope of a documentation page, None for any other page and for the duplicate of a
/// current version under its own label.
fn page_scope(relative: &str, current_labels: &HashMap<String, String>) -> Option<PageScope> {
    let mut parts = relative.split('/');
    if parts.next()? != "integrations" {
        return None;
    }
    let integration = parts.next()?;
    let folder = parts.next()?;
    parts.next()?; // a page inside the version folder, not integrations/<id>/versions.html
    let current = current_labels.get(integration)?;
    let (version, is_current) = match folder {
        "latest" => (current.clone(), true),
        label if label == current => return None,
        label => (label.to_owned(), false),
    };
    Some(PageScope {
        integration: integration.to_owned(),
        version,
        current: is_current,
    })
}

/// The page with pagefind's markers in its Markdown article, None when it has none.
fn with_pagefind_markers(html: &str, scope: &PageScope) -> Option<String> {
    let at = html.find(ARTICLE_OPENING)? + ARTICLE_OPENING.len();
    let close = at + html[at..].find('>')? + 1;
    let mut filters = format!(
        "<span hidden data-pagefind-filter=\"integration:{}\"></span>\
         <span hidden data-pagefind-filter=\"version:{}\"></span>",
        scope.integration, scope.version
    );
    if scope.current {
        filters.push_str("<span hidden data-pagefind-filter=\"current:yes\"></span>");
    }
    Some(format!(
        "{} data-pagefind-body{}{filters}{}",
        &html[..at],
        &html[at..close],
        &html[close..]
    ))
}
