//! Which settings `check --repo` checks a repository with: the portal's own entry for it
//! when `--root` holds a `site.toml` with one, else a built-in configuration of one
//! integration.
//!
//! Input: the portal root and the repository's working tree. Output: a [`SiteConfig`]
//! with exactly one integration, whose `repo` is that working tree. Reads `site.toml` and
//! the repository's manifest file (`plugin.json`/`plugin.yaml`) from disk; nothing else.
//!
//! An entry of `site.toml` is the repository's when its `repo` is a local path to the
//! same folder, or a URL whose last segment (without `.git`) is the folder's name or the
//! plugin id (`https://github.com/mattermost/mattermost-plugin-jira` for a checkout in
//! `…/mattermost-plugin-jira`, as GitHub Actions makes it).

use std::path::{Path, PathBuf};

use crate::config::{self, CONFIG_FILE, RepoLocation, SiteConfig};
use crate::source::{Manifest, parse_manifest};

/// Where the settings of a check came from, for the line printed before it.
pub(crate) enum SettingsFrom {
    /// The integration of this id in the portal's `site.toml`.
    Portal { site_toml: PathBuf },
    /// No `site.toml` (or no entry for the repository in it): the built-in settings.
    BuiltIn {
        portal_without_entry: Option<PathBuf>,
    },
}

/// The configuration `check --repo` runs with, and where it came from.
pub(crate) fn choose(root: &Path, work_tree: &Path) -> anyhow::Result<(SiteConfig, SettingsFrom)> {
    let manifest = read_manifest(work_tree);
    let site_toml = root.join(CONFIG_FILE);
    let portal = match site_toml.is_file() {
        true => Some(config::load(root)?),
        false => None,
    };
    if let Some(mut portal) = portal {
        let plugin_id = manifest.as_ref().and_then(|m| m.id.as_deref());
        if let Some(mut integration) = portal
            .integrations
            .iter()
            .find(|integration| is_this_repository(&integration.repo, work_tree, plugin_id))
            .cloned()
        {
            integration.repo = RepoLocation::Local(work_tree.to_path_buf());
            portal.integrations = vec![integration];
            return Ok((only_checks(portal), SettingsFrom::Portal { site_toml }));
        }
        // The portal's site and build settings (limits, embeds, theme) still apply.
        let built_in = built_in(root, work_tree, manifest.as_ref())?;
        portal.integrations = built_in.integrations;
        return Ok((
            only_checks(portal),
            SettingsFrom::BuiltIn {
                portal_without_entry: Some(site_toml),
            },
        ));
    }
    let config = built_in(root, work_tree, manifest.as_ref())?;
    Ok((
        only_checks(config),
        SettingsFrom::BuiltIn {
            portal_without_entry: None,
        },
    ))
}

/// A check writes nothing: no search index (whose cache would be written). It reads the
/// working tree alone, so a `default_version` naming an archive has nothing to be checked
/// against (`build` checks it).
fn only_checks(mut config: SiteConfig) -> SiteConfig {
    config.search.enabled = false;
    for integration in &mut config.integrations {
        integration.default_version = None;
    }
    config
}

/// Whether a portal's `repo` setting names the repository whose working tree is `work_tree`.
fn is_this_repository(repo: &RepoLocation, work_tree: &Path, plugin_id: Option<&str>) -> bool {
    match repo {
        RepoLocation::Local(path) => {
            std::fs::canonicalize(path).is_ok_and(|path| path == work_tree)
        }
        RepoLocation::Remote(url) => {
            let last = url
                .trim_end_matches('/')
                .rsplit(['/', ':'])
                .next()
                .unwrap_or_default();
            let last = last.strip_suffix(".git").unwrap_or(last);
            let folder = work_tree.file_name().and_then(|name| name.to_str());
            !last.is_empty() && (Some(last) == folder || Some(last) == plugin_id)
        }
    }
}

/// The built-in configuration: one integration named by the plugin id (else the folder),
/// in the working tree, its docs folder found as `build` finds it, default version patterns.
fn built_in(
    root: &Path,
    work_tree: &Path,
    manifest: Option<&Manifest>,
) -> anyhow::Result<SiteConfig> {
    let folder = work_tree
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = valid_id(manifest.and_then(|m| m.id.as_deref()).unwrap_or(&folder));
    let repo = work_tree.to_str().ok_or_else(|| {
        anyhow::anyhow!(
            "the repository path {} is not UTF-8; move the clone to a plain path",
            work_tree.display()
        )
    })?;
    let mut integration = toml::Table::new();
    integration.insert("id".into(), id.into());
    integration.insert("repo".into(), repo.into());
    // Trusted, so the pages render as written; what a community-managed portal would
    // strip is reported separately (see `findings`).
    integration.insert("managed_by".into(), "mattermost".into());
    integration.insert(
        "deployments".into(),
        toml::Value::Array(vec!["cloud".into(), "self-managed".into()]),
    );
    let mut site = toml::Table::new();
    site.insert("title".into(), "Docs check".into());
    site.insert("base_url".into(), "https://portal.invalid/".into());
    let mut document = toml::Table::new();
    document.insert("site".into(), site.into());
    document.insert(
        "integrations".into(),
        toml::Value::Array(vec![integration.into()]),
    );
    let text = toml::to_string(&document)?;
    Ok(config::parse(
        &text,
        root,
        Path::new("<built-in settings of check --repo>"),
    )?)
}

/// The plugin manifest at the root of the working tree, if it has a readable one.
fn read_manifest(work_tree: &Path) -> Option<Manifest> {
    crate::source::MANIFEST_FILES.iter().find_map(|name| {
        let bytes = std::fs::read(work_tree.join(name)).ok()?;
        parse_manifest(name, &bytes).ok()
    })
}

/// `name` made a valid integration id: lowercase letters, digits, `.` and `-`, starting
/// with a letter or digit (`My_Plugin` → `my-plugin`).
fn valid_id(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'a'..='z' | '0'..='9' | '.' | '-' => c,
            _ => '-',
        };
        // No `..`, and no runs of separators.
        if !(matches!(c, '.' | '-') && id.ends_with(['.', '-'])) {
            id.push(c);
        }
    }
    let id = id.trim_matches(['.', '-']);
    match id.is_empty() {
        true => "plugin".to_string(),
        false => id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_valid_ids() {
        assert_eq!(valid_id("com.mattermost.jira"), "com.mattermost.jira");
        assert_eq!(valid_id("My_Plugin"), "my-plugin");
        assert_eq!(valid_id("..odd  name.."), "odd-name");
        assert_eq!(valid_id("a..b"), "a.b");
        assert_eq!(valid_id("___"), "plugin");
    }

    #[test]
    fn a_url_names_the_repository_by_its_last_segment() {
        let work_tree = Path::new("/work/mattermost-plugin-jira");
        let url = |url: &str| RepoLocation::Remote(url.to_string());
        assert!(is_this_repository(
            &url("https://github.com/mattermost/mattermost-plugin-jira.git"),
            work_tree,
            None
        ));
        assert!(is_this_repository(
            &url("git@github.com:mattermost/mattermost-plugin-jira"),
            work_tree,
            None
        ));
        assert!(is_this_repository(
            &url("https://example.com/x/jira/"),
            Path::new("/work/checkout"),
            Some("jira")
        ));
        assert!(!is_this_repository(
            &url("https://github.com/mattermost/mattermost-plugin-github"),
            work_tree,
            Some("jira")
        ));
    }
}
