//! What `check --repo` adds to the checks of `build`: warnings about what a
//! community-managed portal would strip from the docs, and about the contribution
//! template's required sections the docs lack.
//!
//! Input: the checked site (one integration, its current version read from the working
//! tree) and the template. Output: warnings, located at the page and line (or file) they
//! concern. Pure: renders pages again as community-managed docs, reads nothing.

use crate::catalog::PORTAL_ADDRESS_MISSING;
use crate::catalog::{Catalog, Integration, Version};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::{self, Resolution, sanitize};
use crate::render::{self, RenderedPages};
use crate::scaffold::Template;

/// What community sanitizing removes, in words, for the warnings.
const STRIPPED: &str = "a community-managed portal would strip it (scripts, event handlers, javascript: URLs, iframes, forms and styles are removed from community-managed docs); remove it, or say it in markdown";

/// Every page and file of the checked version that community sanitizing would change.
/// Files are only looked at when the integration is trusted: for a community-managed one,
/// the build itself already warns about them.
pub(crate) fn community_sanitizing(config: &SiteConfig, catalog: &Catalog) -> Vec<Diagnostic> {
    let Some((integration, version)) = checked_version(catalog) else {
        return Vec::new();
    };
    let here = location(integration, version);
    let mut found = Vec::new();
    for &page in &version.docs.pages {
        let path = &catalog.pages[page].source.path;
        for (line, what) in render::community_removals(config, catalog, page) {
            found.push(Diagnostic::warning(
                here.clone().with_file(path).with_line(line),
                format!("{what}: {STRIPPED}"),
            ));
        }
    }
    if integration.managed_by.is_trusted() {
        found.extend(version.docs.assets.iter().filter_map(|asset| {
            let path = &asset.source.path;
            let message = match sanitize::publishable_file(path, &asset.source.bytes) {
                Ok(sanitize::Publishable::AsIs) => return None,
                Ok(sanitize::Publishable::Rewritten { removed, .. }) if removed.is_empty() => {
                    return None;
                }
                Ok(sanitize::Publishable::Rewritten { removed, .. }) => format!(
                    "this SVG has {}: a community-managed portal would remove them before publishing it; remove them from the file",
                    removed.join(", ")
                ),
                Err(reason) => {
                    format!("a community-managed portal would not publish this file: {reason}")
                }
            };
            Some(Diagnostic::warning(here.clone().with_file(path), message))
        }));
    }
    found
}

/// Whether `diagnostic` is about a link into the rest of the portal (another
/// integration's docs, the portal's own pages), which a check of one repository does not
/// read, so cannot tell broken: the link check's warnings about the checked version's
/// links whose target is a portal address that is not there.
pub(crate) fn is_about_unread_portal_page(
    diagnostic: &Diagnostic,
    catalog: &Catalog,
    rendered: &RenderedPages,
) -> bool {
    let Some((_, version)) = checked_version(catalog) else {
        return false;
    };
    let location = &diagnostic.location;
    version.docs.pages.iter().any(|&page| {
        Some(catalog.pages[page].source.path.as_str()) == location.file.as_deref()
            && rendered.linked[page].links.iter().any(|link| {
                matches!(&link.resolution, Resolution::Broken { reason }
                    if reason.starts_with(PORTAL_ADDRESS_MISSING)
                        && Some(link.line) == location.line
                        && diagnostic.message.contains(reason.as_str()))
            })
    })
}

/// One warning per section of the contribution template that no page title or heading of
/// the checked version names, located at its landing page.
pub(crate) fn missing_sections(
    catalog: &Catalog,
    titles: impl Fn(usize) -> Vec<String>,
    template: &Template,
) -> Vec<Diagnostic> {
    let Some((integration, version)) = checked_version(catalog) else {
        return Vec::new();
    };
    let headings: Vec<String> = version
        .docs
        .pages
        .iter()
        .flat_map(|&page| {
            let mut names = titles(page);
            names.extend(markdown::heading_texts(&catalog.pages[page].source.text()));
            names
        })
        .collect();
    let landing = &catalog.pages[version.landing].source.path;
    template
        .missing_sections(headings.iter().map(String::as_str))
        .into_iter()
        .map(|section| {
            let example = section
                .headings
                .iter()
                .map(|words| words.trim())
                .find(|words| !words.is_empty())
                .map(capitalized)
                .unwrap_or_default();
            let hint = match section.hint.trim() {
                "" => String::new(),
                hint => format!(": {hint}"),
            };
            Diagnostic::warning(
                location(integration, version).with_file(landing),
                format!(
                    "the docs have no {} section (a heading such as \"{example}…\"){hint} — see the contribution template",
                    section.name
                ),
            )
        })
        .collect()
}

/// The integration checked and its one version (the working tree), once read.
fn checked_version(catalog: &Catalog) -> Option<(&Integration, &Version)> {
    let integration = catalog.integrations.first()?;
    Some((integration, integration.versions.first()?))
}

/// Where the pipeline locates what it finds in this version: `jira`, `3.2 (branch main)`.
fn location(integration: &Integration, version: &Version) -> Location {
    Location::integration(&integration.id).with_version(version.describe())
}

fn capitalized(words: &str) -> String {
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_of_headings_are_capitalized() {
        assert_eq!(capitalized("install"), "Install");
        assert_eq!(capitalized("before you begin"), "Before you begin");
        assert_eq!(capitalized(""), "");
    }
}
