//! Deployment-specific pages seen from their integration: which pages of a version are for
//! one deployment only (for the integrations index and `integrations.json`), and the hint
//! that an installation page of an integration available on both deployments describes one
//! of them without marking it. Reads the catalog and the renderings; writes nothing.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, Owner, Version};
use crate::config::Deployment;
use crate::diagnostics::Diagnostic;
use crate::linkcheck::page_location;
use crate::render::RenderedPages;

/// Words that say a page tells how to install on one kind of server.
const ONE_DEPLOYMENT_WORDS: [&str; 2] = ["system console", "upload"];

/// A version's pages for one deployment only, by deployment id (`cloud` → output paths
/// relative to the version's folder, such as `setup.html`), sorted; deployments with no
/// page left out (a page marked for both is for everyone).
pub(crate) fn deployment_pages(
    catalog: &Catalog,
    rendered: &RenderedPages,
    version: &Version,
) -> BTreeMap<&'static str, Vec<String>> {
    let mut pages: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for &page in &version.docs.pages {
        let output_path = &catalog.pages[page].output_path;
        let relative = output_path
            .strip_prefix(version.docs.dir.as_str())
            .unwrap_or(output_path);
        let [deployment] = rendered.page_deployments(page) else {
            continue;
        };
        {
            pages
                .entry(deployment.id())
                .or_default()
                .push(relative.to_string());
        }
    }
    for listed in pages.values_mut() {
        listed.sort();
    }
    pages
}

/// The integrations index card's lines for a version: `Cloud-only pages: 2`.
pub(crate) fn deployment_page_counts(
    catalog: &Catalog,
    rendered: &RenderedPages,
    version: &Version,
) -> Vec<String> {
    let pages = deployment_pages(catalog, rendered, version);
    [Deployment::Cloud, Deployment::SelfManaged]
        .into_iter()
        .filter_map(|deployment| {
            let count = pages.get(deployment.id())?.len();
            Some(format!("{}-only pages: {count}", deployment.label()))
        })
        .collect()
}

/// Hints (never warnings) for the current version's installation pages of integrations available on both
/// deployments that mention the System Console or an upload and mark nothing: the reader on
/// the other deployment is likely sent through steps that are not theirs.
pub(crate) fn unmarked_install_hints(
    catalog: &Catalog,
    rendered: &RenderedPages,
) -> Vec<Diagnostic> {
    let mut hints = Vec::new();
    for (page, parsed) in rendered.parsed.iter().enumerate() {
        // The current version only: that is where writers fix the docs (an archive's
        // pages are what that release said).
        let Owner::Version {
            integration,
            version: 0,
        } = catalog.pages[page].owner
        else {
            continue;
        };
        let available = &catalog.integrations[integration].deployments;
        let on_both = [Deployment::Cloud, Deployment::SelfManaged]
            .iter()
            .all(|deployment| available.contains(deployment));
        if !on_both || parsed.deployments.is_marked() {
            continue;
        }
        let title = parsed
            .front_matter
            .title
            .iter()
            .chain(parsed.title.iter())
            .chain(parsed.toc.iter().map(|entry| &entry.title));
        let about_installing = title
            .into_iter()
            .any(|heading| heading.trim().to_lowercase().starts_with("install"));
        if !about_installing {
            continue;
        }
        let text = rendered.html(catalog, page).to_lowercase();
        // A page naming Cloud as well speaks of both already (tabs, a sentence for each).
        if text.contains("cloud") {
            continue;
        }
        let Some(word) = ONE_DEPLOYMENT_WORDS
            .iter()
            .find(|word| text.contains(*word))
        else {
            continue;
        };
        hints.push(Diagnostic::hint(
            page_location(catalog, page),
            format!(
                "this installation page mentions {word:?} (one deployment's steps?) but marks nothing, and the integration is available on Cloud and self-managed; mark the steps with {{% deployment \"self-managed\" %}} … {{% enddeployment %}} (or front matter deployments: [self-managed]) so Cloud readers can hide them, or say what Cloud readers do"
            ),
        ));
    }
    hints
}
