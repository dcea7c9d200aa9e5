//! Remote repositories: a bare mirror per repository in the cache folder, fetched before
//! the build reads it.
//!
//! A mirror holds only what a build reads: the default branch, the archive branches
//! (anything shaped like `*-docs*` or matching a pattern), and release tags (for version
//! labels), with full history because the current version's label is the newest release
//! tag *reachable* from the tip (a shallow history would hide it). A marker file written
//! after a successful, verified fetch says a mirror is complete; a mirror without it, or
//! one whose refs do not read, is discarded and fetched again. Credentials come from the
//! SSH agent, git's credential helper, or a token in the environment variable `token_env`
//! names; never from `site.toml`, and URLs are shown without user information.

use std::collections::{BTreeSet, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{
    AutotagOption, Cred, CredentialType, Direction, ErrorClass, FetchOptions, RemoteCallbacks,
    Repository,
};
use rayon::prelude::*;

use super::content_hash;
use crate::config::{IntegrationConfig, RepoLocation, SiteConfig, redact_url};
use crate::version::{self, VersionPattern};

/// Written into a mirror once it is complete.
const COMPLETE_MARKER: &str = "portico-mirror-complete";
/// Network failures are retried this many times, waiting longer each time.
const ATTEMPTS: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(400);

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

/// Brings every remote integration's mirror up to date (or, offline, checks it is there).
pub fn fetch_remotes(config: &SiteConfig, settings: &FetchSettings) -> Mirrors {
    let remotes: Vec<(usize, &IntegrationConfig, &str)> = config
        .integrations
        .iter()
        .enumerate()
        .filter_map(|(index, integration)| match &integration.repo {
            RepoLocation::Remote(url) => Some((index, integration, url.as_str())),
            RepoLocation::Local(_) => None,
        })
        .collect();
    if remotes.is_empty() {
        return Mirrors::new();
    }
    let progress = settings.progress && std::io::stderr().is_terminal();
    let fetch = |(index, integration, url): &(usize, &IntegrationConfig, &str)| {
        let dir = mirror_dir(&settings.cache_dir, &integration.id, url);
        let result = if settings.offline {
            usable(&dir, url).then_some(dir.clone()).ok_or_else(|| {
                format!(
                    "no usable mirror of {} in {} (--offline); build once without --offline",
                    redact_url(url),
                    settings.cache_dir.display()
                )
            })
        } else {
            update_mirror(&dir, url, integration, config).map(|()| dir.clone())
        };
        if progress {
            let outcome = if result.is_ok() { "ready" } else { "failed" };
            eprintln!("  {} {outcome}", redact_url(url));
        }
        (*index, result)
    };
    if progress && !settings.offline {
        eprintln!(
            "fetching {} repositories into {}",
            remotes.len(),
            settings.cache_dir.display()
        );
    }
    match rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(|| remotes.par_iter().map(fetch).collect()),
        Err(_) => remotes.iter().map(fetch).collect(),
    }
}

/// `<cache>/<id>-<hash of url>.git`: one mirror per repository URL.
fn mirror_dir(cache_dir: &Path, id: &str, url: &str) -> PathBuf {
    cache_dir.join(format!("{id}-{}.git", &content_hash(url.as_bytes())[..12]))
}

/// A complete mirror of `url` whose refs all read.
fn usable(dir: &Path, url: &str) -> bool {
    std::fs::read_to_string(dir.join(COMPLETE_MARKER)).is_ok_and(|marker| marker.trim() == url)
        && readable(dir)
}

/// Every branch and tag of the mirror leads to a commit with a tree.
fn readable(dir: &Path) -> bool {
    let Ok(repo) = Repository::open_bare(dir) else {
        return false;
    };
    let Ok(references) = repo.references() else {
        return false;
    };
    let mut any = false;
    for reference in references {
        let Ok(reference) = reference else {
            return false;
        };
        match reference
            .peel_to_commit()
            .and_then(|commit| commit.tree().map(|_| ()))
        {
            Ok(()) => any = true,
            Err(_) => return false,
        }
    }
    any && repo.head().and_then(|head| head.peel_to_commit()).is_ok()
}

fn update_mirror(
    dir: &Path,
    url: &str,
    integration: &IntegrationConfig,
    config: &SiteConfig,
) -> Result<(), String> {
    let shown = redact_url(url);
    // A mirror that was never completed, or has been damaged, starts again from nothing.
    if dir.exists() && !usable(dir, url) {
        std::fs::remove_dir_all(dir)
            .map_err(|err| format!("cannot discard the damaged mirror {}: {err}", dir.display()))?;
    }
    let first = fetch_into(dir, url, integration, config);
    let result = match first {
        Err(Failure::Other(_)) if dir.exists() => {
            // Maybe the mirror's objects are damaged: once more, from nothing.
            let _ = std::fs::remove_dir_all(dir);
            fetch_into(dir, url, integration, config)
        }
        other => other,
    };
    result.map_err(|failure| match failure {
        Failure::Network(message) => {
            format!("cannot fetch {shown} after {ATTEMPTS} attempts: {message}")
        }
        Failure::Other(message) => format!("cannot fetch {shown}: {message}"),
    })
}

enum Failure {
    /// Worth retrying: the network, TLS, HTTP.
    Network(String),
    Other(String),
}

fn fetch_into(
    dir: &Path,
    url: &str,
    integration: &IntegrationConfig,
    config: &SiteConfig,
) -> Result<(), Failure> {
    let other = |message: String| Failure::Other(message);
    std::fs::create_dir_all(dir)
        .map_err(|err| other(format!("cannot create {}: {err}", dir.display())))?;
    let _ = std::fs::remove_file(dir.join(COMPLETE_MARKER));
    let repo = Repository::init_bare(dir).map_err(|err| other(clean(&err, url)))?;
    let token_env = config.build.token_env.as_deref();

    let mut attempt = 0;
    let (default_branch, wanted) = loop {
        attempt += 1;
        match list_wanted(&repo, url, integration, token_env) {
            Ok(found) => break found,
            Err(err) if is_transient(&err) && attempt < ATTEMPTS => {
                std::thread::sleep(FIRST_BACKOFF * 2u32.pow(attempt - 1));
            }
            Err(err) if is_transient(&err) => return Err(Failure::Network(clean(&err, url))),
            Err(err) => return Err(other(clean(&err, url))),
        }
    };
    let refspecs: Vec<String> = wanted
        .iter()
        .map(|name| format!("+{name}:{name}"))
        .collect();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut remote = repo
            .remote_anonymous(url)
            .map_err(|err| other(clean(&err, url)))?;
        let mut options = FetchOptions::new();
        options.remote_callbacks(callbacks(token_env));
        options.download_tags(AutotagOption::None);
        match remote.fetch(&refspecs, Some(&mut options), None) {
            Ok(()) => break,
            Err(err) if is_transient(&err) && attempt < ATTEMPTS => {
                std::thread::sleep(FIRST_BACKOFF * 2u32.pow(attempt - 1));
            }
            Err(err) if is_transient(&err) => return Err(Failure::Network(clean(&err, url))),
            Err(err) => return Err(other(clean(&err, url))),
        }
    }
    // Branches and tags gone upstream are gone here too.
    let stale: Vec<String> = repo
        .references()
        .map_err(|err| other(clean(&err, url)))?
        .flatten()
        .filter_map(|reference| reference.name().ok().map(str::to_string))
        .filter(|name| !wanted.contains(name))
        .collect();
    for name in stale {
        if let Ok(mut reference) = repo.find_reference(&name) {
            let _ = reference.delete();
        }
    }
    repo.set_head(&format!("refs/heads/{default_branch}"))
        .map_err(|err| other(clean(&err, url)))?;
    if !readable(dir) {
        return Err(other("the fetched mirror does not read back".to_string()));
    }
    std::fs::write(dir.join(COMPLETE_MARKER), format!("{url}\n"))
        .map_err(|err| other(format!("cannot mark the mirror complete: {err}")))
}

/// The remote's default branch, and the refs a build reads: that branch, the configured
/// one, archive-shaped branches and release tags.
fn list_wanted(
    repo: &Repository,
    url: &str,
    integration: &IntegrationConfig,
    token_env: Option<&str>,
) -> Result<(String, BTreeSet<String>), git2::Error> {
    let mut remote = repo.remote_anonymous(url)?;
    let connection = remote.connect_auth(Direction::Fetch, Some(callbacks(token_env)), None)?;
    let heads = connection.list()?;
    let head_branch = heads
        .iter()
        .find(|head| head.name() == "HEAD")
        .and_then(|head| head.symref_target())
        .and_then(|target| target.strip_prefix("refs/heads/"))
        .map(str::to_string);
    let default_branch = integration
        .branch
        .clone()
        .or(head_branch)
        .or_else(|| {
            ["main", "master"]
                .into_iter()
                .find(|name| {
                    heads
                        .iter()
                        .any(|h| h.name() == format!("refs/heads/{name}"))
                })
                .map(str::to_string)
        })
        .ok_or_else(|| {
            git2::Error::from_str("the remote names no default branch; set `branch` in site.toml")
        })?;
    let mut tag_patterns = integration.version_tags.clone();
    for default in ["v{version}", "{version}"] {
        tag_patterns.push(VersionPattern::parse(default).expect("built-in pattern is valid"));
    }
    let mut wanted = BTreeSet::new();
    for head in heads {
        let name = head.name();
        if let Some(branch) = name.strip_prefix("refs/heads/") {
            if branch == default_branch
                || version::looks_like_docs_branch(branch)
                || version::match_any(&integration.version_branches, branch).is_some()
            {
                wanted.insert(name.to_string());
            }
        } else if let Some(tag) = name.strip_prefix("refs/tags/")
            && !tag.ends_with("^{}")
            && version::match_any(&tag_patterns, tag).is_some()
        {
            wanted.insert(name.to_string());
        }
    }
    if !wanted.contains(&format!("refs/heads/{default_branch}")) {
        return Err(git2::Error::from_str(&format!(
            "the remote has no branch {default_branch:?}; fix `branch` in site.toml"
        )));
    }
    Ok((default_branch, wanted))
}

/// Credentials from the usual places, tried a few times at most (libgit2 asks again after
/// each refusal).
fn callbacks(token_env: Option<&str>) -> RemoteCallbacks<'static> {
    let token = token_env
        .and_then(|name| std::env::var(name).ok())
        .filter(|t| !t.is_empty());
    let mut asked = 0;
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |url, username, allowed| {
        asked += 1;
        if asked > 3 {
            return Err(git2::Error::from_str(
                "authentication failed (no credentials were accepted)",
            ));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            return Cred::ssh_key_from_agent(username.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if let Some(token) = &token {
                return Cred::userpass_plaintext("x-access-token", token);
            }
            if let Ok(config) = git2::Config::open_default()
                && let Ok(cred) = Cred::credential_helper(&config, url, username)
            {
                return Ok(cred);
            }
        }
        Cred::default()
    });
    callbacks
}

fn is_transient(err: &git2::Error) -> bool {
    err.code() != git2::ErrorCode::Auth
        && matches!(
            err.class(),
            ErrorClass::Net | ErrorClass::Ssl | ErrorClass::Http | ErrorClass::Os
        )
}

/// A libgit2 message without the URL's user information.
fn clean(err: &git2::Error, url: &str) -> String {
    err.message().replace(url, &redact_url(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_are_named_by_integration_and_url() {
        let a = mirror_dir(Path::new("/c"), "jira", "https://github.com/o/jira");
        let b = mirror_dir(Path::new("/c"), "jira", "https://github.com/o/jira-fork");
        assert_ne!(a, b);
        assert!(
            a.to_string_lossy().starts_with("/c/jira-") && a.to_string_lossy().ends_with(".git")
        );
    }

    #[test]
    fn a_folder_without_the_marker_is_not_a_usable_mirror() {
        let dir = tempfile::tempdir().unwrap();
        Repository::init_bare(dir.path()).unwrap();
        assert!(!usable(dir.path(), "file:///x"));
    }
}
