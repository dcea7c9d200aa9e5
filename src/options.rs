//! What the command line asks of a run ([`BuildOptions`], [`RemoteOptions`]), and what
//! follows from it: `site.toml` with the overrides applied, how remote repositories are
//! fetched. Reads `site.toml`; nothing else.

use std::path::PathBuf;

use crate::config::{self, SiteConfig};
use crate::source::{self, FetchSettings};

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The folder holding `site.toml`.
    pub root: PathBuf,
    /// Output folder; default `[build] output_dir`.
    pub out: Option<PathBuf>,
    /// Fail on any warning.
    pub strict: bool,
    /// Build the other integrations when one cannot be read (and still fail).
    pub keep_going: bool,
    /// Overrides `[site] base_url`.
    pub base_url: Option<String>,
    /// How remote repositories are fetched.
    pub remote: RemoteOptions,
    /// Print errors only.
    pub quiet: bool,
}

/// How remote repositories are fetched (`build`, `check`, `list`, `serve`).
#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    /// Overrides `[build] cache_dir` (mirrors of remote repositories).
    pub cache_dir: Option<PathBuf>,
    /// Build from the cached mirrors alone.
    pub offline: bool,
    /// How many repositories to fetch at once (default [`source::DEFAULT_FETCH_JOBS`]).
    pub fetch_jobs: Option<usize>,
}

impl BuildOptions {
    /// Loads `site.toml` with the command line's overrides applied.
    pub(crate) fn load_config(&self) -> anyhow::Result<SiteConfig> {
        let mut config = config::load(&self.root)?;
        if let Some(base_url) = &self.base_url {
            config.site.base_url = config::BaseUrl::parse(base_url)
                .map_err(|message| anyhow::anyhow!("--base-url: {message}"))?;
        }
        if let Some(out) = &self.out {
            config.build.output_dir = out.clone();
        }
        if let Some(cache_dir) = &self.remote.cache_dir {
            config.build.cache_dir = cache_dir.clone();
        }
        Ok(config)
    }

    /// How remote repositories are fetched for these self.
    pub(crate) fn fetch_settings(&self, config: &SiteConfig) -> FetchSettings {
        FetchSettings {
            cache_dir: config.build.cache_dir.clone(),
            offline: self.remote.offline,
            jobs: self.remote.fetch_jobs.unwrap_or(source::DEFAULT_FETCH_JOBS),
            progress: !self.quiet,
        }
    }
}
