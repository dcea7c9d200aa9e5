//! Composition: every output file of the site, in memory.
//!
//! Input: the catalog, each page's rendered body and title, the navigation, the theme.
//! Output: a sorted list of [`OutputFile`]s: every version's pages (the current version
//! also under `latest/`), copied files, the portal pages, the integrations index, the
//! per-integration redirects, a large version's list of all pages, `404.html`,
//! `sitemap.xml`, `integrations.json`, static files.
//! Templates only ever see the view structs defined here; only this module marks rendered
//! markdown as safe HTML. Writes nothing to disk (that is `publish`).
//!
//! This file owns the entry ([`compose`]), the output types and sinks, the template
//! rendering helper and the Content-Security-Policy; `views` holds the view structs shared by
//! every template, `pages` the doc and content pages, `portal` the integrations index,
//! version history and redirect pages, `not_found` the 404 page, `sitemap` the sitemap and
//! robots.txt, `integrations_json` the machine-readable list of integrations.

mod integrations_json;
mod not_found;
mod pages;
mod portal;
mod sitemap;
mod views;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::{Catalog, Owner, STATIC_DIR};
use crate::config::SiteConfig;
use crate::markdown::highlight;
use crate::nav::SiteNavigation;
use crate::render::RenderedPages;
use crate::sidebar::Sidebars;
use crate::theme::{Theme, describe_tera_error};

/// One file of the finished site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Site-relative, `/`-separated.
    pub path: String,
    pub bytes: Arc<[u8]>,
}

impl OutputFile {
    fn new(path: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// Everything composition reads.
pub struct Inputs<'a> {
    pub config: &'a SiteConfig,
    pub catalog: &'a Catalog,
    /// By page id.
    pub rendered: &'a RenderedPages,
    /// Display title of each page, by page id.
    pub titles: &'a [String],
    pub navigation: &'a SiteNavigation,
    pub theme: &'a Theme,
    /// The previous build's files, while serving: unchanged pages are not composed again.
    pub previous: Option<Previous<'a>>,
}

/// The previous build's output, and which pages it is still right for.
pub struct Previous<'a> {
    pub files: &'a HashMap<&'a str, Arc<[u8]>>,
    pub unchanged: &'a (dyn Fn(usize) -> bool + Sync),
}

/// Where composed files go: a build's staging folder (`publish::Staging`), memory while
/// serving ([`InMemory`]), nowhere for `check` ([`Discard`]). Paths are unique by
/// construction; should two ever meet, the first stored wins.
pub trait Sink: Sync {
    fn put(&self, file: OutputFile) -> anyhow::Result<()>;

    /// Stores a page made from what `key` names (see `pages::page_key`).
    fn put_page(&self, file: OutputFile, _key: u64) -> anyhow::Result<()> {
        self.put(file)
    }

    /// Keeps the file the output folder already has at `path` when the last build made it
    /// from what `key` names; false when the page must be made.
    fn keep(&self, _path: &str, _key: u64) -> bool {
        false
    }
}

/// Files kept in memory, for `serve` (and tests).
#[derive(Default)]
pub struct InMemory {
    files: std::sync::Mutex<std::collections::BTreeMap<String, Arc<[u8]>>>,
}

impl InMemory {
    /// Every file, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        self.files
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .into_iter()
            .map(|(path, bytes)| OutputFile { path, bytes })
            .collect()
    }
}

impl Sink for InMemory {
    fn put(&self, file: OutputFile) -> anyhow::Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.entry(file.path).or_insert(file.bytes);
        Ok(())
    }
}

/// Files counted and dropped, for `check`.
#[derive(Default)]
pub struct Discard {
    paths: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Discard {
    pub fn len(&self) -> usize {
        self.paths.lock().map_or(0, |paths| paths.len())
    }
}

impl Sink for Discard {
    fn put(&self, file: OutputFile) -> anyhow::Result<()> {
        if let Ok(mut paths) = self.paths.lock() {
            paths.insert(file.path);
        }
        Ok(())
    }
}

/// Composes the whole site into `sink`, pages as they are made (memory does not grow with
/// the site). Fails only when a template fails to render or the sink cannot store a file.
pub fn compose(inputs: &Inputs, sink: &dyn Sink) -> anyhow::Result<()> {
    let catalog = inputs.catalog;
    let sidebars = Sidebars::new(
        catalog,
        inputs.navigation,
        inputs.rendered.page_deployments_attributes(),
    );
    (0..catalog.pages.len())
        .into_par_iter()
        .try_for_each(|page| -> anyhow::Result<()> {
            for file in pages::compose_page(inputs, &sidebars, page, sink)? {
                sink.put(file)?;
            }
            Ok(())
        })?;

    let mut files = Vec::new();
    let used = used_assets(inputs);
    for integration in 0..catalog.integrations.len() {
        files.extend(integration_files(inputs, &used, integration)?);
    }
    for asset in &catalog.portal.assets {
        files.push(OutputFile::new(
            asset.output_path.clone(),
            asset.source.bytes.clone(),
        ));
    }
    files.push(portal::render_index(inputs)?);
    files.push(not_found::render_not_found(inputs)?);
    files.push(OutputFile::new(
        "sitemap.xml",
        sitemap::sitemap(inputs).into_bytes(),
    ));
    files.push(OutputFile::new(
        "robots.txt",
        sitemap::robots(inputs).into_bytes(),
    ));
    files.push(OutputFile::new(
        "integrations.json",
        integrations_json::integrations_json(inputs)?,
    ));
    for (name, bytes) in &inputs.theme.static_files {
        files.push(OutputFile::new(
            format!("{STATIC_DIR}/{name}"),
            bytes.clone(),
        ));
    }
    files.push(OutputFile::new(
        format!("{STATIC_DIR}/syntax.css"),
        highlight::stylesheet().into_bytes(),
    ));
    // In a fixed order, so that the first of two files of one path is always the same.
    for file in files {
        sink.put(file)?;
    }
    Ok(())
}

/// An integration's files besides its pages: the files its pages use, its redirect to
/// `latest/`, its version history, and each version's redirects and list of all pages.
fn integration_files(
    inputs: &Inputs,
    used: &HashSet<(Owner, usize)>,
    integration_index: usize,
) -> anyhow::Result<Vec<OutputFile>> {
    let integration = &inputs.catalog.integrations[integration_index];
    let mut files = Vec::new();
    for (version_index, version) in integration.versions.iter().enumerate() {
        let owner = Owner::Version {
            integration: integration_index,
            version: version_index,
        };
        for (index, asset) in version.docs.assets.iter().enumerate() {
            if !used.contains(&(owner, index)) {
                continue;
            }
            files.push(OutputFile::new(
                asset.output_path.clone(),
                asset.source.bytes.clone(),
            ));
            if let Some(alias) = &asset.alias {
                files.push(OutputFile::new(alias.clone(), asset.source.bytes.clone()));
            }
        }
    }
    files.push(portal::render_redirect(inputs, integration)?);
    files.push(portal::render_versions_page(inputs, integration)?);
    for (version_index, version) in integration.versions.iter().enumerate() {
        files.extend(portal::version_redirects(inputs, version)?);
        files.extend(pages::contents_page(
            inputs,
            integration_index,
            version_index,
        )?);
    }
    Ok(files)
}

/// The assets some page links to, as (doc set, asset index): only those are published
/// (a link to LICENSE may go to the repository's web view instead of a copy).
fn used_assets(inputs: &Inputs) -> HashSet<(Owner, usize)> {
    let mut used = HashSet::new();
    for (page, linked) in inputs.rendered.linked.iter().enumerate() {
        let owner = inputs.catalog.pages[page].owner;
        for link in &linked.links {
            if let crate::markdown::Resolution::Rewritten {
                target: crate::markdown::LinkTarget::Asset(index),
                ..
            } = link.resolution
            {
                used.insert((owner, index));
            }
        }
    }
    used
}

// ---------------------------------------------------------------------------------------

/// Renders `template` into the page `output`, with the Content-Security-Policy first in
/// its `<head>`.
fn render(
    inputs: &Inputs,
    template: &str,
    context: &impl Serialize,
    output: &str,
) -> anyhow::Result<Vec<u8>> {
    let context = tera::Context::from_serialize(context)
        .map_err(|err| anyhow::anyhow!("cannot prepare the template data for {output}: {err}"))?;
    let html = inputs
        .theme
        .templates
        .render(template, &context)
        .map_err(|err| {
            anyhow::anyhow!(
                "template {template} failed while writing {output}: {}",
                describe_tera_error(&err)
            )
        })?;
    let policy = content_security_policy(
        &inputs.theme.inline_script_hashes,
        inputs.config.site.allow_embeds,
    );
    Ok(with_policy(html, &policy).into_bytes())
}

/// The Content-Security-Policy of every page: scripts only from the site itself and the
/// theme's own inline scripts (by hash), so that a script that got into a page anyway (or
/// a file a community repository published) does not run; no plugins; frames only from
/// the video players `[site] allow_embeds` turns on. Images may come from any https
/// address (README badges) or be inline `data:`; inline styles stay allowed because the
/// markdown renderer writes table column alignment as `style` attributes.
pub(crate) fn content_security_policy(
    inline_script_hashes: &[String],
    allow_embeds: bool,
) -> String {
    let mut scripts = String::from("'self'");
    for hash in inline_script_hashes {
        scripts.push(' ');
        scripts.push_str(hash);
    }
    let frames = if allow_embeds {
        crate::markdown::gitbook::VIDEO_PLAYER_ORIGINS.join(" ")
    } else {
        "'none'".to_string()
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; frame-src {frames}; object-src 'none'; base-uri 'self'; form-action 'self'"
    )
}

/// `html` with a `<meta http-equiv="Content-Security-Policy">` right after its `<head>`
/// tag: a policy given in a meta element governs only what comes after it, and putting it
/// here rather than in the templates keeps every theme's pages covered.
fn with_policy(html: String, policy: &str) -> String {
    let bytes = html.as_bytes();
    let head_tag = (0..bytes.len()).find(|&at| {
        bytes[at..].len() > 5
            && bytes[at..at + 5].eq_ignore_ascii_case(b"<head")
            && matches!(bytes[at + 5], b'>' | b' ' | b'\n' | b'\t' | b'\r')
    });
    // A theme without a <head>: after the doctype, where the parser opens the head.
    let doctype_end = || {
        bytes
            .get(..9)
            .filter(|start| start.eq_ignore_ascii_case(b"<!doctype"))
            .and_then(|_| html.find('>'))
            .map_or(0, |end| end + 1)
    };
    let head_end = head_tag
        .and_then(|at| html[at..].find('>').map(|end| at + end + 1))
        .unwrap_or_else(doctype_end);
    // The policy is Portico's own text, with neither quotes nor markup: written as is.
    let meta = format!("\n<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">");
    let mut out = String::with_capacity(html.len() + meta.len());
    out.push_str(&html[..head_end]);
    out.push_str(&meta);
    out.push_str(&html[head_end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::canonical_site_path;

    #[test]
    fn the_policy_allows_only_the_sites_scripts_and_the_hashed_inline_ones() {
        let policy = content_security_policy(&["'sha256-abc='".to_string()], false);
        assert!(
            policy.contains("script-src 'self' 'sha256-abc=';"),
            "{policy}"
        );
        assert!(policy.contains("object-src 'none'"), "{policy}");
        assert!(policy.contains("frame-src 'none'"), "{policy}");
        assert!(policy.contains("img-src 'self' https: data:"), "{policy}");
        assert!(!policy.contains("unsafe-eval"), "{policy}");
        let with_embeds = content_security_policy(&[], true);
        assert!(
            with_embeds
                .contains("frame-src https://www.youtube-nocookie.com https://player.vimeo.com;"),
            "{with_embeds}"
        );
    }

    #[test]
    fn the_policy_comes_first_in_the_head() {
        let page = with_policy(
            "<!DOCTYPE html>\n<html><HEAD lang=x><meta charset=\"utf-8\"><script>x</script></head><body><head></body></html>".to_string(),
            "default-src 'self'",
        );
        assert_eq!(
            page,
            "<!DOCTYPE html>\n<html><HEAD lang=x>\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\"><meta charset=\"utf-8\"><script>x</script></head><body><head></body></html>"
        );
        let headless = with_policy("<!doctype html><p>x".to_string(), "p");
        assert_eq!(
            headless,
            "<!doctype html>\n<meta http-equiv=\"Content-Security-Policy\" content=\"p\"><p>x"
        );
        let header_element = with_policy("<header>x".to_string(), "p");
        assert!(header_element.starts_with("\n<meta"), "{header_element}");
    }

    #[test]
    fn site_paths_drop_index_html() {
        assert_eq!(
            canonical_site_path("integrations/jira/latest/index.html"),
            "integrations/jira/latest/"
        );
        assert_eq!(canonical_site_path("index.html"), "");
        assert_eq!(canonical_site_path("a/setup.html"), "a/setup.html");
        assert_eq!(canonical_site_path("a/myindex.html"), "a/myindex.html");
    }
}
