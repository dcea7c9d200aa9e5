//! The 404 page, served at any depth, and the map of which pages exist in which versions
//! that it carries to offer a missing page in another version.

use serde::Serialize;

use super::views::SiteView;
use super::{Inputs, OutputFile, render};
use crate::escape::json_for_the_web;

/// Which pages exist in which versions, for the 404 page to offer the page in another
/// version: `{"base": "/docs/", "integrations": {"jira": {"versions": [...], "pages": {...}}}}`.
fn page_map(inputs: &Inputs) -> String {
    use std::collections::BTreeMap;
    #[derive(Serialize)]
    struct IntegrationPages<'a> {
        name: &'a str,
        /// Labels, newest first; the first is the current version (also at `latest/`).
        versions: Vec<&'a str>,
        /// Page (relative to a version folder) → indexes in `versions` that have it.
        pages: BTreeMap<&'a str, Vec<usize>>,
    }
    #[derive(Serialize)]
    struct Map<'a> {
        base: &'a str,
        integrations: BTreeMap<&'a str, IntegrationPages<'a>>,
    }
    let catalog = inputs.catalog;
    let integrations = catalog
        .integrations
        .iter()
        .map(|integration| {
            let mut pages: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (index, version) in integration.versions.iter().enumerate() {
                for &page in &version.docs.pages {
                    pages
                        .entry(catalog.pages[page].rel_path.as_str())
                        .or_default()
                        .push(index);
                }
            }
            let entry = IntegrationPages {
                name: &integration.name,
                versions: integration
                    .versions
                    .iter()
                    .map(|v| v.label.as_str())
                    .collect(),
                pages,
            };
            (integration.id.as_str(), entry)
        })
        .collect();
    let map = Map {
        base: &inputs.config.site.base_url.path,
        integrations,
    };
    // Inlined in a script element: no `<` may end it early (`</script`) or make the
    // parser look for a second end tag (`<!--<script`).
    serde_json::to_string(&map)
        .map(json_for_the_web)
        .unwrap_or_else(|_| "{}".to_string())
}

pub(super) fn render_not_found(inputs: &Inputs) -> anyhow::Result<OutputFile> {
    #[derive(Serialize)]
    struct NotFoundContext<'a> {
        site: SiteView<'a>,
        page_map: String,
    }
    // Served at any depth: links use the base path, not relative ones.
    let context = NotFoundContext {
        site: SiteView::new(inputs.config, inputs.config.site.base_url.path.clone()),
        page_map: page_map(inputs),
    };
    Ok(OutputFile::new(
        "404.html",
        render(inputs, "404.html", &context, "404.html")?,
    ))
}
