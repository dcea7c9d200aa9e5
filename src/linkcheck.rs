//! The portal-wide link check: every internal link, anchor and image, checked once.
//!
//! Input: the catalog and every page's [`Rendered`] (which recorded each link with its line
//! and what it resolved to). Output: one warning per problem, naming integration, version,
//! file, line and the link as written. Runs after rendering because an anchor can only be
//! checked once the target page's headings are known.

use crate::catalog::{Catalog, Owner};
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::links;
use crate::markdown::{LinkKind, LinkTarget, Parsed, Resolution};
use crate::render::RenderedPages;

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

/// Problems pages have in themselves (invalid front matter, unbalanced GitBook blocks, HTML
/// nested too deeply), each at its page and line in every version that has the page.
pub(crate) fn page_problems(catalog: &Catalog, rendered: &RenderedPages) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (page, parsed) in rendered.parsed.iter().enumerate() {
        for (line, message) in &parsed.problems {
            diagnostics.push(Diagnostic::warning(
                page_location(catalog, page).with_line(*line),
                message.clone(),
            ));
        }
        diagnostics.extend(deployments_outside_integration(catalog, page, parsed));
    }
    diagnostics
}

/// Markings naming a deployment the page's integration is not available on (its
/// `deployments` in `site.toml`): checked here, where the integration is known, so that a
/// page's rendering stays a function of its text.
fn deployments_outside_integration(
    catalog: &Catalog,
    page: usize,
    parsed: &crate::markdown::Parsed,
) -> Vec<Diagnostic> {
    let Owner::Version { integration, .. } = catalog.pages[page].owner else {
        return Vec::new();
    };
    let integration = &catalog.integrations[integration];
    let marks = &parsed.deployments;
    let page_marks = marks
        .page
        .iter()
        .map(|deployment| (marks.page_line, *deployment));
    page_marks
        .chain(marks.sections.iter().copied())
        .filter(|(_, deployment)| !integration.deployments.contains(deployment))
        .map(|(line, deployment)| {
            Diagnostic::warning(
                page_location(catalog, page).with_line(line),
                format!(
                    "deployment {:?} is marked, but integration {} is not available on it (site.toml deployments: {}); remove the marking or add {:?} to its deployments",
                    deployment.id(),
                    integration.id,
                    crate::markdown::deployments::attribute_value(&integration.deployments)
                        .unwrap_or_else(|| "none".to_string()),
                    deployment.id()
                ),
            )
        })
        .collect()
}

pub fn check(catalog: &Catalog, rendered: &RenderedPages) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (page, linked) in rendered.linked.iter().enumerate() {
        for link in &linked.links {
            let problem = match &link.resolution {
                Resolution::Broken { reason } => {
                    let hint = suggestion(catalog, page, &link.written)
                        .map(|close| format!(" (did you mean {close}?)"))
                        .unwrap_or_default();
                    Some(match link.kind {
                        LinkKind::Image => {
                            format!("missing image {:?}: {reason}{hint}", link.written)
                        }
                        LinkKind::Link => format!("broken link {:?}: {reason}{hint}", link.written),
                    })
                }
                Resolution::Rewritten {
                    target:
                        LinkTarget::Page {
                            output_path,
                            fragment: Some(fragment),
                        },
                    ..
                } => catalog
                    .page_at_output(output_path)
                    .and_then(|target| {
                        missing_anchor(&rendered.parsed[target], fragment)
                            .map(|hint| (target, hint))
                    })
                    .map(|(target, hint)| {
                        let on = if target == page {
                            "this page".to_string()
                        } else {
                            catalog.pages[target].source.path.clone()
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

/// The page or file of the same doc set closest to what a broken link names, written
/// relative to the linking page: a renamed folder, a typo, a moved file.
fn suggestion(catalog: &Catalog, page: usize, written: &str) -> Option<String> {
    let source = &catalog.pages[page].source.path;
    let wanted = links::resolve_in_repo(source, written)?.path;
    let set = catalog.doc_set(catalog.pages[page].owner);
    let known = set
        .pages
        .iter()
        .map(|&p| catalog.pages[p].source.path.as_str())
        .chain(set.assets.iter().map(|a| a.source.path.as_str()));
    let comparable = |path: &str| {
        let lower = path.to_lowercase();
        lower
            .strip_suffix(".md")
            .map(str::to_string)
            .unwrap_or(lower)
    };
    let wanted_key = comparable(&wanted);
    let wanted_name = wanted_key
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let limit = (wanted_key.chars().count() / 4).max(2);
    let mut best: Option<(usize, &str)> = None;
    let mut same_name: Vec<&str> = Vec::new();
    for path in known {
        let key = comparable(path);
        if key.rsplit('/').next() == Some(wanted_name.as_str()) {
            same_name.push(path);
        }
        let distance = strsim::levenshtein(&wanted_key, &key);
        if distance <= limit && best.is_none_or(|(d, p)| (distance, path) < (d, p)) {
            best = Some((distance, path));
        }
    }
    let close = best
        .map(|(_, path)| path)
        .or_else(|| (same_name.len() == 1).then(|| same_name[0]))?;
    Some(crate::paths::relative_path(source, close))
}

/// `None` when the page defines the anchor; else a hint (possibly empty) for the warning.
/// Browsers match fragments exactly, so `#Intro` does not reach `id="intro"`.
fn missing_anchor(page: &Parsed, fragment: &str) -> Option<String> {
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
