//! The 404 page, served at any depth, and the map of which pages exist in which versions
//! that it carries to offer a missing page in another version.

use std::collections::BTreeMap;

use serde::Serialize;

use super::views::SiteView;
use super::{Inputs, OutputFile, render};
use crate::catalog::{Catalog, Integration};
use crate::escape::json_for_the_web;

/// Which pages exist in which versions, for the 404 page to offer the page in another
/// version: `{"base": "/docs/", "integrations": {"jira": {"versions": [...], "pages": {...}}}}`.
fn page_map(inputs: &Inputs) -> String {
    #[derive(Serialize)]
    struct IntegrationPages<'a> {
        name: &'a str,
        /// Labels, newest first; the first is the current version (also at `latest/`).
        versions: Vec<&'a str>,
        /// Page (relative to a version folder) → indexes in `versions` that have it, under
        /// that name or another (renamed).
        pages: BTreeMap<&'a str, Vec<usize>>,
        /// Page → (index in `versions`, its name there) where that name differs.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        moved: BTreeMap<&'a str, Vec<(usize, &'a str)>>,
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
            let found = pages_in_versions(catalog, integration);
            let mut pages: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            let mut moved: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
            for (name, versions) in found {
                for (index, there) in versions {
                    pages.entry(name).or_default().push(index);
                    if there != name {
                        moved.entry(name).or_default().push((index, there));
                    }
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
                moved,
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

/// Every page name of any version (relative to a version folder) → the versions that have
/// that page, each with the page's name there: the page of that name itself where there is
/// one, else the page it became or was before (renames followed).
fn pages_in_versions<'c>(
    catalog: &'c Catalog,
    integration: &'c Integration,
) -> BTreeMap<&'c str, BTreeMap<usize, &'c str>> {
    let mut found: BTreeMap<&str, BTreeMap<usize, &str>> = BTreeMap::new();
    for (index, version) in integration.versions.iter().enumerate() {
        for &page in &version.docs.pages {
            let name = catalog.pages[page].rel_path.as_str();
            found.entry(name).or_default().insert(index, name);
        }
    }
    for version in &integration.versions {
        for &page in &version.docs.pages {
            let name = catalog.pages[page].rel_path.as_str();
            let versions = found.entry(name).or_default();
            for &(index, same) in integration.same_pages.pages_of(page) {
                versions
                    .entry(index)
                    .or_insert(catalog.pages[same].rel_path.as_str());
            }
        }
    }
    found
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
