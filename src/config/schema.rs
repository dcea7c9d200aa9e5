//! The file as written: the serde structs `site.toml` is read into.
//!
//! Every table denies unknown fields (a typo must not silently change a published portal);
//! values that validation may need to point at keep their span. No defaults are applied
//! and nothing is checked here beyond the shape (that is `validate`).

use serde::Deserialize;
use toml::Spanned;

use super::settings::{Deployment, ManagedBy};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) site: RawSite,
    #[serde(default)]
    pub(super) build: RawBuild,
    #[serde(default)]
    pub(super) search: RawSearch,
    #[serde(default)]
    pub(super) integrations: Vec<RawIntegration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSearch {
    #[serde(default = "enabled_by_default")]
    pub(super) enabled: bool,
}

impl Default for RawSearch {
    fn default() -> Self {
        RawSearch { enabled: true }
    }
}

fn enabled_by_default() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSite {
    pub(super) title: String,
    pub(super) base_url: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) description: String,
    pub(super) theme: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) allow_embeds: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBuild {
    pub(super) output_dir: Option<String>,
    pub(super) cache_dir: Option<String>,
    pub(super) version_branches: Option<Vec<Spanned<String>>>,
    pub(super) token_env: Option<Spanned<String>>,
    pub(super) token_hosts: Option<Vec<Spanned<String>>>,
    pub(super) max_page_size: Option<Spanned<RawSize>>,
    pub(super) max_asset_size: Option<Spanned<RawSize>>,
    pub(super) max_versions: Option<Spanned<i64>>,
}

/// A size as written: bytes (`5000000`) or text with a unit (`"5 MB"`).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawSize {
    Bytes(i64),
    Fraction(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIntegration {
    pub(super) id: Spanned<String>,
    pub(super) name: Option<String>,
    pub(super) repo: Spanned<String>,
    pub(super) managed_by: ManagedBy,
    pub(super) deployments: Option<Spanned<Vec<Deployment>>>,
    pub(super) description: Option<String>,
    pub(super) docs_dir: Option<Spanned<String>>,
    pub(super) branch: Option<String>,
    pub(super) version_branches: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub(super) version_tags: Vec<Spanned<String>>,
    pub(super) web_url: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) legacy_urls: Vec<Spanned<String>>,
    pub(super) default_version: Option<Spanned<String>>,
    pub(super) docs_url: Option<Spanned<String>>,
}
