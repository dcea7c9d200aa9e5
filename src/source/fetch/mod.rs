//! Remote repositories: a bare mirror per repository in the cache folder, fetched before
//! the build reads it.
//!
//! A mirror holds only what a build reads: the default branch, the archive branches
//! (anything shaped like `*-docs*` or matching a pattern), and release tags (for version
//! labels), with full history because the current version's label is the newest release
//! tag *reachable* from the tip (a shallow history would hide it).
//!
//! This module fetches the mirrors in parallel and hands the build their folders. The
//! parts: `mirrors` (the mirror on disk, its completion marker, updating it), `wanted`
//! (which refs are fetched), `locks` (sharing the cache between processes), `retries`
//! (what a failure means, backoff) and `credentials` (what is offered to whom). URLs are
//! shown redacted (see [`redact_url`]).

mod credentials;
mod locks;
mod mirrors;
mod retries;
mod wanted;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use rayon::prelude::*;

use crate::config::{IntegrationConfig, RepoLocation, SiteConfig, redact_url};
use credentials::CredentialSources;
use locks::MirrorLock;
pub use locks::MirrorLocks;
use retries::RetryPolicy;

/// Fetches at once, unless `--fetch-jobs` says otherwise.
pub const DEFAULT_FETCH_JOBS: usize = 4;
/// A server that accepts a connection and then says nothing fails after this long (libgit2
/// waits forever by default, which would hang CI until the job's own limit).
pub const DEFAULT_NETWORK_TIMEOUT: Duration = Duration::from_secs(60);

/// How remote repositories are brought in.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub cache_dir: PathBuf,
    /// Use the cache only; never touch the network.
    pub offline: bool,
    /// At most this many fetches at once.
    pub jobs: usize,
    /// Report progress (only on a terminal, and not with `--quiet`).
    pub progress: bool,
}

/// Each remote integration's mirror (by index in `SiteConfig::integrations`), or why there
/// is none to read.
pub type Mirrors = HashMap<usize, Result<PathBuf, String>>;

/// Sets libgit2's connect and read timeouts for every later fetch.
///
/// # Safety
///
/// libgit2 keeps these in unsynchronized globals: call this at program start, before any
/// other thread exists (the `portico` binary does so first thing in `main`).
pub unsafe fn set_network_timeout(timeout: Duration) {
    let millis = i32::try_from(timeout.as_millis())
        .unwrap_or(i32::MAX)
        .max(1);
    // SAFETY: the caller guarantees no other thread is running, as these functions require.
    unsafe {
        let _ = git2::opts::set_server_connect_timeout_in_milliseconds(millis);
        let _ = git2::opts::set_server_timeout_in_milliseconds(millis);
    }
}

/// Brings every remote integration's mirror up to date (or, offline, checks it is there).
///
/// `previous` is the configuration and mirrors of an earlier build in the same process
/// (`serve` after a `site.toml` edit): integrations whose fetch settings did not change keep
/// their mirror without another trip to the network.
pub fn fetch_remotes(
    config: &SiteConfig,
    settings: &FetchSettings,
    previous: Option<(&SiteConfig, &Mirrors)>,
) -> (Mirrors, MirrorLocks) {
    let (mut mirrors, to_fetch) = kept_and_to_fetch(config, previous);
    if to_fetch.is_empty() {
        return (mirrors, MirrorLocks::none());
    }
    let fetched = fetch_all(config, settings, &to_fetch, &RetryPolicy::NETWORK);
    let mut locks = Vec::new();
    for (index, result) in fetched {
        mirrors.insert(
            index,
            result.map(|(dir, lock)| {
                locks.extend(lock);
                dir
            }),
        );
    }
    (mirrors, MirrorLocks::new(locks))
}

/// A remote integration to fetch: its index, its configuration and its URL.
type ToFetch<'c> = (usize, &'c IntegrationConfig, &'c str);
/// A fetched integration's mirror folder and the lock held on it, or why it failed.
type Fetched = (usize, Result<(PathBuf, Option<MirrorLock>), String>);

/// The mirrors an earlier build left that are still right, and the remotes to fetch.
fn kept_and_to_fetch<'c>(
    config: &'c SiteConfig,
    previous: Option<(&SiteConfig, &Mirrors)>,
) -> (Mirrors, Vec<ToFetch<'c>>) {
    let mut kept = Mirrors::new();
    let mut to_fetch = Vec::new();
    for (index, integration) in config.integrations.iter().enumerate() {
        let RepoLocation::Remote(url) = &integration.repo else {
            continue;
        };
        match previous.and_then(|previous| unchanged_mirror(config, integration, previous)) {
            Some(dir) => {
                kept.insert(index, Ok(dir));
            }
            None => to_fetch.push((index, integration, url.as_str())),
        }
    }
    (kept, to_fetch)
}

/// Fetches (or, offline, checks) every mirror in `to_fetch`, `settings.jobs` at once,
/// saying how each went on a terminal.
fn fetch_all(
    config: &SiteConfig,
    settings: &FetchSettings,
    to_fetch: &[ToFetch],
    retries: &RetryPolicy,
) -> Vec<Fetched> {
    let progress = settings.progress && std::io::stderr().is_terminal();
    let credentials = CredentialSources::from_config(config);
    let fetch = |(index, integration, url): &ToFetch| {
        let dir = mirrors::mirror_dir(&settings.cache_dir, &integration.id, url);
        let result = if settings.offline {
            mirrors::offline_mirror(&dir, url, &settings.cache_dir)
        } else {
            mirrors::update_mirror(
                &dir,
                url,
                integration,
                &credentials,
                retries,
                settings.progress,
            )
        };
        if progress {
            let outcome = if result.is_ok() { "ready" } else { "failed" };
            eprintln!("  {} {outcome}", redact_url(url));
        }
        (*index, result.map(|lock| (dir, lock)))
    };
    if progress && !settings.offline {
        eprintln!(
            "fetching {} repositories into {}",
            to_fetch.len(),
            settings.cache_dir.display()
        );
    }
    match rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(|| to_fetch.par_iter().map(fetch).collect()),
        Err(_) => to_fetch.iter().map(fetch).collect(),
    }
}

/// The earlier build's mirror of `integration`, if everything that decides what is fetched
/// is the same now.
fn unchanged_mirror(
    config: &SiteConfig,
    integration: &IntegrationConfig,
    (previous_config, previous_mirrors): (&SiteConfig, &Mirrors),
) -> Option<PathBuf> {
    let fetch_settings = |config: &SiteConfig, integration: &IntegrationConfig| {
        (
            integration.repo.clone(),
            integration.branch.clone(),
            integration.version_branches.clone(),
            integration.version_tags.clone(),
            config.build.cache_dir.clone(),
            config.build.token_env.clone(),
            config.build.token_hosts.clone(),
        )
    };
    let wanted = fetch_settings(config, integration);
    let index = previous_config
        .integrations
        .iter()
        .position(|old| old.id == integration.id)?;
    if fetch_settings(previous_config, &previous_config.integrations[index]) != wanted {
        return None;
    }
    previous_mirrors.get(&index)?.as_ref().ok().cloned()
}
