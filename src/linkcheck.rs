//! The portal-wide link check: every internal link, anchor and image, checked once.
//!
//! Input: the catalog and every page's [`Rendered`] (which recorded each link with its line
//! and what it resolved to). Output: one warning per problem, naming integration, version,
//! file, line and the link as written. Runs after rendering because an anchor can only be
//! checked once the target page's headings are known.

use crate::catalog::{Catalog, Owner};
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::{LinkKind, LinkTarget, Rendered, Resolution};

/// Where a page's problems are reported: integration, version, file.
pub fn page_location(catalog: &Catalog, page: usize) -> Location {
    let page_ref = &catalog.pages[page];
    match page_ref.owner {
        Owner::Portal => Location::file(format!(
            "{}/{}",
            crate::source::CONTENT_DIR,
            page_ref.source.path
        )),
        Owner::Version {
            integration,
            version,
        } => {
            let integration = &catalog.integrations[integration];
            Location::integration(&integration.id)
                .with_version(integration.versions[version].describe())
                .with_file(&page_ref.source.path)
        }
    }
}

pub fn check(catalog: &Catalog, rendered: &[Rendered]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (page, output) in rendered.iter().enumerate() {
        for link in &output.links {
            let problem = match &link.resolution {
                Resolution::Broken { reason } => Some(match link.kind {
                    LinkKind::Image => format!("missing image {:?}: {reason}", link.written),
                    LinkKind::Link => format!("broken link {:?}: {reason}", link.written),
                }),
                Resolution::Rewritten {
                    target:
                        LinkTarget::Page {
                            page: target,
                            fragment: Some(fragment),
                        },
                    ..
                } => missing_anchor(&rendered[*target], fragment).map(|hint| {
                    let on = if *target == page {
                        "this page".to_string()
                    } else {
                        catalog.pages[*target].source.path.clone()
                    };
                    format!(
                        "broken link {:?}: {on} has no heading or anchor #{fragment}{hint}",
                        link.written
                    )
                }),
                _ => None,
            };
            if let Some(message) = problem {
                diagnostics.push(Diagnostic::warning(
                    page_location(catalog, page).with_line(link.line),
                    message,
                ));
            }
        }
    }
    diagnostics
}

/// `None` when the page defines the anchor; else a hint (possibly empty) for the warning.
/// Browsers match fragments exactly, so `#Intro` does not reach `id="intro"`.
fn missing_anchor(page: &Rendered, fragment: &str) -> Option<String> {
    if fragment.is_empty() || page.anchors.iter().any(|anchor| anchor == fragment) {
        return None;
    }
    let same_but_case = page
        .anchors
        .iter()
        .find(|anchor| anchor.eq_ignore_ascii_case(fragment));
    Some(match same_but_case {
        Some(anchor) => format!(" (anchors are case-sensitive: did you mean #{anchor}?)"),
        None => String::new(),
    })
}
