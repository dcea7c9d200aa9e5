//! The validated configuration as the rest of the build sees it: [`SiteConfig`] and the
//! types it is made of, with their defaults.
//!
//! Built only by `validate` from the file as written (`schema`); every later stage reads
//! these and nothing else of `site.toml`. Holds no parsing and no checks.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use super::urls::{BaseUrl, redact_url};
use crate::version::VersionPattern;

/// Default `[build] max_page_size`: far above any real page, far below what hurts.
pub const DEFAULT_MAX_PAGE_SIZE: u64 = 10_000_000;
/// Default `[build] max_asset_size`: room for screenshots, PDFs and short videos.
pub const DEFAULT_MAX_ASSET_SIZE: u64 = 100_000_000;
/// Default `[build] max_versions`: decades of monthly releases, far from what hurts.
pub const DEFAULT_MAX_VERSIONS: usize = 200;

/// The whole validated configuration of one portal.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The folder holding `site.toml`; relative paths in it are resolved against this.
    pub root: PathBuf,
    pub site: SiteSettings,
    pub build: BuildSettings,
    pub search: SearchSettings,
    pub integrations: Vec<IntegrationConfig>,
}

/// `[search]`: the portal's full-text search.
#[derive(Debug, Clone)]
pub struct SearchSettings {
    /// Whether the build writes the search index (and pages show the search box).
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub title: String,
    pub base_url: BaseUrl,
    pub description: String,
    pub theme: String,
    /// Whether GitBook `{% embed %}` blocks of video sites become players (iframes to a
    /// third party) instead of link cards.
    pub allow_embeds: bool,
}

#[derive(Debug, Clone)]
pub struct BuildSettings {
    pub output_dir: PathBuf,
    pub cache_dir: PathBuf,
    pub version_branches: Vec<VersionPattern>,
    /// Name of the environment variable holding a token for https remotes (the token
    /// itself never appears in `site.toml`).
    pub token_env: Option<String>,
    /// The only hosts the token is sent to (over https): a community repository hosted
    /// elsewhere, or a redirect, must not receive it.
    pub token_hosts: Vec<String>,
    /// How much one integration's repository may make the portal publish.
    pub limits: RepositoryLimits,
}

/// How much one integration's repository may make the portal publish, so that no
/// repository can make a build take unbounded time, memory or disk: per-file sizes
/// (`[build] max_page_size`, `max_asset_size`: a larger file is a warning and is left out,
/// read no further than its size) and archived versions (`max_versions`: every page of a
/// version lists every version, so output grows with their square).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepositoryLimits {
    /// Markdown pages (and the other text Portico reads: SUMMARY.md, includes, manifests).
    pub page: u64,
    /// Every other file: images, downloads.
    pub asset: u64,
    /// Archived versions of one integration (the newest are kept; the current version is
    /// always published besides).
    pub versions: usize,
}

impl Default for RepositoryLimits {
    fn default() -> Self {
        RepositoryLimits {
            page: DEFAULT_MAX_PAGE_SIZE,
            asset: DEFAULT_MAX_ASSET_SIZE,
            versions: DEFAULT_MAX_VERSIONS,
        }
    }
}

impl RepositoryLimits {
    /// The larger of the two: no file above it is ever read.
    pub(crate) fn largest(&self) -> u64 {
        self.page.max(self.asset)
    }
}

#[derive(Debug, Clone)]
pub struct IntegrationConfig {
    pub id: String,
    pub name: Option<String>,
    pub repo: RepoLocation,
    pub managed_by: ManagedBy,
    pub deployments: Vec<Deployment>,
    pub description: Option<String>,
    pub docs_dir: Option<String>,
    pub branch: Option<String>,
    pub version_branches: Vec<VersionPattern>,
    pub version_tags: Vec<VersionPattern>,
    pub web_url: Option<String>,
    pub legacy_urls: Vec<String>,
    /// The version readers land on (`default_version`), when not the newest; checked
    /// against the versions once they are read (`catalog`), so it keeps where it is written.
    pub default_version: Option<Located<String>>,
    /// Where the current documentation lives when not in this portal (`docs_url`): an
    /// absolute http(s) URL.
    pub docs_url: Option<String>,
}

/// A value of `site.toml` that can only be checked once more is known (the versions of a
/// repository), with the line and column it is written at, for the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub line: u32,
    pub column: u32,
}

/// Where an integration's repository lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoLocation {
    /// A repository on disk, bare or not (resolved against the portal root).
    Local(PathBuf),
    /// A URL (`https://`, `ssh://`, `git@host:path`, `file://`).
    Remote(String),
}

impl fmt::Display for RepoLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RepoLocation::Local(path) => write!(f, "{}", path.display()),
            RepoLocation::Remote(url) => f.write_str(&redact_url(url)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ManagedBy {
    Mattermost,
    Community,
}

impl ManagedBy {
    /// Mattermost-managed docs are written by staff and trusted; community docs are sanitized.
    pub fn is_trusted(self) -> bool {
        self == ManagedBy::Mattermost
    }

    /// `Mattermost-managed` / `Community-managed`.
    pub fn label(self) -> &'static str {
        match self {
            ManagedBy::Mattermost => "Mattermost-managed",
            ManagedBy::Community => "Community-managed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
pub enum Deployment {
    #[serde(rename = "cloud")]
    Cloud,
    #[serde(rename = "self-managed")]
    SelfManaged,
}

impl Deployment {
    /// The value as written in `site.toml`: `cloud`, `self-managed`.
    pub fn id(self) -> &'static str {
        match self {
            Deployment::Cloud => "cloud",
            Deployment::SelfManaged => "self-managed",
        }
    }

    /// `Cloud`, `Self-managed`.
    pub fn label(self) -> &'static str {
        match self {
            Deployment::Cloud => "Cloud",
            Deployment::SelfManaged => "Self-managed",
        }
    }
}
