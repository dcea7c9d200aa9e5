//! Remote repositories: a bare mirror per repository in the cache folder, fetched before
//! the build reads it.
//!
//! A mirror holds only what a build reads: the default branch, the archive branches
//! (anything shaped like `*-docs*` or matching a pattern), and release tags (for version
//! labels), with full history because the current version's label is the newest release
//! tag *reachable* from the tip (a shallow history would hide it).
//!
//! A marker file says a mirror is complete: written after the first verified fetch, and
//! kept while later fetches run, because an interrupted fetch cannot break a mirror:
//! libgit2 stores a pack completely before it moves any ref, each moved ref points at
//! complete objects, and refs that lead to no commit (a tag of a tree) are ignored by
//! readers. A mirror without the marker, or whose objects turn out damaged, is fetched
//! again from nothing (a damaged complete mirror is replaced only once the new one is
//! complete); a mirror is never discarded for a network, credential or configuration
//! failure, so `--offline` keeps working after a failed online build.
//!
//! A lock file beside each mirror lets Portico processes share a cache: a fetch holds it
//! exclusively, and the build then holds it shared until it has read the mirror (see
//! [`MirrorLocks`]). Refs are pruned only when they are gone upstream, so portals with
//! different version patterns can share a mirror.
//!
//! Network failures (connection refused or reset, timeouts, HTTP 5xx) are retried with
//! backoff; failures that would fail again (not found, refused credentials) are not.
//! Credentials come from the SSH agent or key files, git's credential helper, or a token in
//! the environment variable `[build] token_env` names, sent over https only and only to
//! `[build] token_hosts`. URLs are shown redacted (see [`redact_url`]).

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{
    AutotagOption, Cred, CredentialType, Direction, ErrorClass, ErrorCode, FetchOptions,
    RemoteCallbacks, Repository,
};
use rayon::prelude::*;

use super::content_hash;
use crate::config::{IntegrationConfig, RepoLocation, SiteConfig, redact_url};
use crate::version::{self, VersionPattern};

/// Written into a mirror once it is complete; holds a hash of the URL it mirrors (never the
/// URL itself, which the cache would carry into CI caches other workflows can read).
const COMPLETE_MARKER: &str = "portico-mirror-complete";
/// How many times a fetch is tried when the network fails.
const ATTEMPTS: usize = 3;
/// The waits between attempts (each stretched by up to a quarter, so that parallel
/// fetches that failed together do not retry in lockstep).
const BACKOFF: [Duration; ATTEMPTS - 1] = [Duration::from_secs(1), Duration::from_secs(4)];
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
    let mut mirrors = Mirrors::new();
    let mut to_fetch: Vec<(usize, &IntegrationConfig, &str)> = Vec::new();
    for (index, integration) in config.integrations.iter().enumerate() {
        let RepoLocation::Remote(url) = &integration.repo else {
            continue;
        };
        match previous.and_then(|previous| unchanged_mirror(config, integration, previous)) {
            Some(dir) => {
                mirrors.insert(index, Ok(dir));
            }
            None => to_fetch.push((index, integration, url.as_str())),
        }
    }
    if to_fetch.is_empty() {
        return (mirrors, MirrorLocks(Vec::new()));
    }
    let progress = settings.progress && std::io::stderr().is_terminal();
    let credentials = CredentialSources::from_config(config);
    let fetch = |(index, integration, url): &(usize, &IntegrationConfig, &str)| {
        let dir = mirror_dir(&settings.cache_dir, &integration.id, url);
        let result = if settings.offline {
            offline_mirror(&dir, url, &settings.cache_dir)
        } else {
            update_mirror(&dir, url, integration, &credentials, settings.progress)
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
    type Fetched = (usize, Result<(PathBuf, Option<MirrorLock>), String>);
    let fetched: Vec<Fetched> = match rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(|| to_fetch.par_iter().map(fetch).collect()),
        Err(_) => to_fetch.iter().map(fetch).collect(),
    };
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
    (mirrors, MirrorLocks(locks))
}

/// Shared locks on the mirrors a build is about to read: keep this alive until the
/// sources are read, so that another Portico process sharing the cache does not prune or
/// replace a mirror under the reader.
pub struct MirrorLocks(#[allow(dead_code)] Vec<MirrorLock>);

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

/// `<cache>/<id>-<hash of url>.git`: one mirror per repository URL.
fn mirror_dir(cache_dir: &Path, id: &str, url: &str) -> PathBuf {
    cache_dir.join(format!("{id}-{}.git", &content_hash(url.as_bytes())[..12]))
}

/// What the marker of a complete mirror of `url` contains.
fn marker_text(url: &str) -> String {
    format!("{}\n", content_hash(url.as_bytes()))
}

/// A complete mirror of `url` whose refs all read.
fn usable(dir: &Path, url: &str) -> bool {
    std::fs::read_to_string(dir.join(COMPLETE_MARKER))
        .is_ok_and(|marker| marker == marker_text(url))
        && readable(dir)
}

/// HEAD and every branch of the mirror lead to a commit with a tree. (Tags are not
/// checked: one that leads to no commit, such as a tag of a tree, is ignored by readers.)
fn readable(dir: &Path) -> bool {
    let Ok(repo) = Repository::open_bare(dir) else {
        return false;
    };
    let Ok(references) = repo.references_glob("refs/heads/*") else {
        return false;
    };
    let leads_to_a_tree = |reference: &git2::Reference| {
        reference
            .peel_to_commit()
            .and_then(|commit| commit.tree())
            .is_ok()
    };
    for reference in references {
        match reference {
            Ok(reference) if leads_to_a_tree(&reference) => {}
            _ => return false,
        }
    }
    repo.head().is_ok_and(|head| leads_to_a_tree(&head))
}

/// Holds the lock of one mirror until dropped (the OS releases it if the process dies).
struct MirrorLock(File);

/// The lock file of the mirror in `dir`. It sits beside the mirror, so discarding or
/// replacing the mirror does not touch it.
fn lock_path(dir: &Path) -> PathBuf {
    dir.with_extension("lock")
}

/// Takes the exclusive lock of the mirror in `dir`, for fetching into it; says so when it
/// has to wait for another process.
fn lock_exclusive(dir: &Path, say: bool) -> Result<MirrorLock, String> {
    let path = lock_path(dir);
    let cannot = |err: std::io::Error| format!("cannot lock {}: {err}", path.display());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(cannot)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            if say {
                eprintln!(
                    "waiting for another Portico process to release {}",
                    dir.display()
                );
            }
            file.lock().map_err(cannot)?;
        }
        Err(std::fs::TryLockError::Error(err)) => return Err(cannot(err)),
    }
    Ok(MirrorLock(file))
}

/// Turns a fetch's exclusive lock into the shared lock the build holds while reading.
fn share(lock: MirrorLock) -> Option<MirrorLock> {
    // Unlock first: converting a held lock in place is platform-dependent.
    lock.0.unlock().ok()?;
    lock.0.lock_shared().ok()?;
    Some(lock)
}

/// The shared lock of the mirror in `dir`, for reading it, if one can be had: a cache
/// that is read-only to this user (or a file system without locks) is read without one.
fn lock_shared(dir: &Path) -> Option<MirrorLock> {
    let file = File::open(lock_path(dir)).ok()?;
    file.lock_shared().ok()?;
    Some(MirrorLock(file))
}

fn offline_mirror(dir: &Path, url: &str, cache_dir: &Path) -> Result<Option<MirrorLock>, String> {
    let lock = lock_shared(dir);
    if usable(dir, url) {
        Ok(lock)
    } else {
        Err(format!(
            "no usable mirror of {} in {} (--offline): build once without --offline to fetch it",
            redact_url(url),
            cache_dir.display()
        ))
    }
}

/// Fetches into the mirror in `dir`; returns the mirror's lock, now shared, for the read.
fn update_mirror(
    dir: &Path,
    url: &str,
    integration: &IntegrationConfig,
    credentials: &CredentialSources,
    say: bool,
) -> Result<Option<MirrorLock>, String> {
    let shown = redact_url(url);
    let lock = lock_exclusive(dir, say)?;
    // Holding the lock, any lock file git left inside the mirror is stale (a fetch was
    // killed while moving refs): without this, every later fetch would fail on it.
    remove_stale_git_locks(dir);
    // A mirror that was never completed, or has been damaged, starts again from nothing.
    let was_complete = usable(dir, url);
    if dir.exists() && !was_complete {
        discard(dir)?;
    }
    let result = match fetch_into(dir, url, integration, credentials) {
        // The objects may be damaged beyond what `readable` sees: fetch from nothing beside
        // the mirror, and replace it only once the new one is complete.
        Err(Failure::Damaged(_)) if was_complete => {
            let fresh = dir.with_extension("refetch");
            let _ = std::fs::remove_dir_all(&fresh);
            let refetched = fetch_into(&fresh, url, integration, credentials);
            if refetched.is_ok() {
                discard(dir)?;
                std::fs::rename(&fresh, dir).map_err(|err| {
                    format!(
                        "cannot move the refetched mirror into {}: {err}",
                        dir.display()
                    )
                })?;
            } else {
                let _ = std::fs::remove_dir_all(&fresh);
            }
            refetched
        }
        other => other,
    };
    result.map(|()| share(lock)).map_err(|failure| match failure {
        Failure::Network(message) => format!(
            "cannot fetch {shown} (tried {ATTEMPTS} times): {message}; check the URL and the network, or build from the cache with --offline"
        ),
        Failure::Damaged(message) | Failure::Refused(message) => {
            format!("cannot fetch {shown}: {message}")
        }
    })
}

/// Deletes `*.lock` files git leaves in a repository when it is killed mid-update (beside
/// `HEAD`, `config`, `packed-refs` and under `refs/`; `objects/` holds none).
fn remove_stale_git_locks(dir: &Path) {
    let stale = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|entry| entry.file_name() != "objects")
        .flatten()
        .filter(|entry| {
            entry.file_type().is_file() && entry.path().extension().is_some_and(|ext| ext == "lock")
        });
    for entry in stale {
        let _ = std::fs::remove_file(entry.path());
    }
}

fn discard(dir: &Path) -> Result<(), String> {
    std::fs::remove_dir_all(dir)
        .map_err(|err| format!("cannot discard the damaged mirror {}: {err}", dir.display()))
}

/// Why a fetch failed, which decides what happens next.
enum Failure {
    /// The network, after every attempt: the mirror is kept for `--offline`.
    Network(String),
    /// The mirror's objects or refs do not read: it is discarded and fetched again.
    Damaged(String),
    /// Trying again would not help (not found, credentials refused, no such branch).
    Refused(String),
}

impl Failure {
    fn of(err: &git2::Error, url: &str) -> Failure {
        let mut message = clean(err, url);
        if err.code() == ErrorCode::Certificate {
            message.push_str(
                "; if you trust this server, add its SSH host key to ~/.ssh/known_hosts (`ssh-keyscan HOST >> ~/.ssh/known_hosts`) or its TLS certificate authority to the system's certificates",
            );
        }
        let lowercase = message.to_ascii_lowercase();
        if says_not_there(&lowercase) {
            message.push_str("; check the URL (and, for a private repository, that credentials are available: build.token_env)");
        }
        if err.class() == ErrorClass::Ssh && lowercase.contains("key") {
            message
                .push_str("; load the key into ssh-agent (`ssh-add`), which Portico tries first");
        }
        if matches!(
            err.class(),
            ErrorClass::Odb | ErrorClass::Zlib | ErrorClass::Indexer | ErrorClass::Object
        ) || err.code() == ErrorCode::Locked
        {
            Failure::Damaged(message)
        } else if is_transient(err, url) {
            Failure::Network(message)
        } else {
            Failure::Refused(message)
        }
    }

    /// A failure of the mirror on disk rather than of the remote (never retried).
    fn local(err: &git2::Error, url: &str) -> Failure {
        Failure::Damaged(format!("the mirror on disk: {}", clean(err, url)))
    }
}

fn fetch_into(
    dir: &Path,
    url: &str,
    integration: &IntegrationConfig,
    credentials: &CredentialSources,
) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|err| Failure::Refused(format!("cannot create {}: {err}", dir.display())))?;
    let repo = Repository::open_bare(dir)
        .or_else(|_| Repository::init_bare(dir))
        .map_err(|err| Failure::local(&err, url))?;

    let (default_branch, advertised, wanted) =
        with_retries(url, || list_wanted(&repo, url, integration, credentials))?;
    let refspecs: Vec<String> = wanted
        .iter()
        .map(|name| format!("+{name}:{name}"))
        .collect();
    with_retries(url, || {
        let mut remote = repo.remote_anonymous(url)?;
        let mut options = FetchOptions::new();
        options.remote_callbacks(credentials.callbacks());
        options.download_tags(AutotagOption::None);
        remote.fetch(&refspecs, Some(&mut options), None)
    })?;

    // Branches and tags gone upstream are gone here too. Refs that still exist upstream
    // stay even if this configuration does not want them: another portal sharing the
    // cache may.
    let gone: Vec<String> = repo
        .references()
        .map_err(|err| Failure::local(&err, url))?
        .flatten()
        .filter_map(|reference| reference.name().ok().map(str::to_string))
        .filter(|name| !advertised.contains(name))
        .collect();
    for name in gone {
        if let Ok(mut reference) = repo.find_reference(&name) {
            let _ = reference.delete();
        }
    }
    repo.set_head(&format!("refs/heads/{default_branch}"))
        .map_err(|err| Failure::local(&err, url))?;
    if !readable(dir) {
        return Err(Failure::Damaged(
            "the fetched mirror does not read back".to_string(),
        ));
    }
    std::fs::write(dir.join(COMPLETE_MARKER), marker_text(url))
        .map_err(|err| Failure::Refused(format!("cannot mark the mirror complete: {err}")))
}

/// Runs `attempt` until it succeeds, fails for a reason retrying cannot fix, or has failed
/// [`ATTEMPTS`] times; waits [`BACKOFF`] between attempts.
fn with_retries<T>(
    url: &str,
    mut attempt: impl FnMut() -> Result<T, git2::Error>,
) -> Result<T, Failure> {
    let mut waits = BACKOFF.iter();
    loop {
        match attempt() {
            Ok(value) => return Ok(value),
            Err(err) => match (Failure::of(&err, url), waits.next()) {
                (Failure::Network(_), Some(wait)) => std::thread::sleep(with_jitter(*wait)),
                (failure, _) => return Err(failure),
            },
        }
    }
}

/// `wait` stretched by up to a quarter, from the clock's low bits (no randomness needed
/// beyond parallel fetches not waking together).
fn with_jitter(wait: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |now| now.subsec_nanos());
    wait + wait.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

/// The remote's default branch, every ref it advertises, and the refs a build reads: that
/// branch, the configured one, archive-shaped branches and release tags.
fn list_wanted(
    repo: &Repository,
    url: &str,
    integration: &IntegrationConfig,
    credentials: &CredentialSources,
) -> Result<(String, BTreeSet<String>, BTreeSet<String>), git2::Error> {
    let mut remote = repo.remote_anonymous(url)?;
    let connection = remote.connect_auth(Direction::Fetch, Some(credentials.callbacks()), None)?;
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
            configuration_error("the remote names no default branch; set `branch` in site.toml")
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
        return Err(configuration_error(&format!(
            "the remote has no branch {default_branch:?}; fix `branch` in site.toml"
        )));
    }
    let advertised = heads.iter().map(|head| head.name().to_string()).collect();
    Ok((default_branch, advertised, wanted))
}

/// A failure of `site.toml` against what the remote has: never retried.
fn configuration_error(message: &str) -> git2::Error {
    git2::Error::new(ErrorCode::NotFound, ErrorClass::Reference, message)
}

/// Where credentials may come from, and which of them may go where.
struct CredentialSources {
    /// `[build] token_env`, and the token in it if it is set.
    token_env: Option<String>,
    token: Option<String>,
    token_hosts: Vec<String>,
}

impl CredentialSources {
    fn from_config(config: &SiteConfig) -> Self {
        let token_env = config.build.token_env.clone();
        let token = token_env
            .as_deref()
            .and_then(|name| std::env::var(name).ok())
            .filter(|token| !token.trim().is_empty());
        CredentialSources {
            token_env,
            token,
            token_hosts: config.build.token_hosts.clone(),
        }
    }

    /// The token, if it may be sent to `url`: over https, to a host in `token_hosts`.
    fn token_for(&self, url: &str) -> Option<&str> {
        let url = url::Url::parse(url).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        (url.scheme() == "https" && self.token_hosts.contains(&host))
            .then_some(self.token.as_deref())
            .flatten()
    }

    /// Callbacks that offer each source of credentials once, then fail with what to do
    /// (libgit2 asks again after each refusal, and would otherwise resend refused ones).
    fn callbacks(&self) -> RemoteCallbacks<'_> {
        let mut tried = Tried::default();
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(move |url, username, allowed| {
            let user = username.unwrap_or("git");
            if allowed.contains(CredentialType::USERNAME) {
                return Cred::username(user);
            }
            if allowed.contains(CredentialType::SSH_KEY) {
                if !tried.agent {
                    tried.agent = true;
                    if std::env::var_os("SSH_AUTH_SOCK").is_some() {
                        return Cred::ssh_key_from_agent(user);
                    }
                }
                while let Some(key) = ssh_key_files().into_iter().nth(tried.key_files) {
                    tried.key_files += 1;
                    let public = key.with_extension("pub");
                    let public = public.is_file().then_some(public.as_path());
                    if let Ok(cred) = Cred::ssh_key(user, public, &key, None) {
                        return Ok(cred);
                    }
                }
            }
            if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                if !tried.token
                    && let Some(token) = self.token_for(url)
                {
                    tried.token = true;
                    return Cred::userpass_plaintext("x-access-token", token);
                }
                if !tried.helper {
                    tried.helper = true;
                    if let Ok(config) = git2::Config::open_default()
                        && let Ok(cred) = Cred::credential_helper(&config, url, username)
                    {
                        return Ok(cred);
                    }
                }
            }
            Err(git2::Error::new(
                ErrorCode::Auth,
                ErrorClass::Callback,
                self.advice(url, allowed, &tried),
            ))
        });
        callbacks
    }

    /// What to do when no credentials were accepted.
    fn advice(&self, url: &str, allowed: CredentialType, tried: &Tried) -> String {
        if allowed.contains(CredentialType::SSH_KEY) {
            return "the server accepted no SSH key (from ssh-agent or ~/.ssh/id_*): load a key with read access into ssh-agent (`ssh-add`)".to_string();
        }
        let helper = "or configure a git credential helper";
        match (&self.token_env, &self.token) {
            (None, _) => format!(
                "the server asks for credentials: put a token with read access in an environment variable and name it with build.token_env, {helper}"
            ),
            (Some(name), None) => format!(
                "the server asks for credentials and ${name} (build.token_env) is not set: export a token with read access in it, {helper}"
            ),
            (Some(name), Some(_)) if tried.token => format!(
                "the server refused the token in ${name}: check that it has read access to this repository"
            ),
            (Some(name), Some(_)) if !url.starts_with("https://") => format!(
                "the server asks for credentials, and ${name} is only ever sent over https: use the repository's https:// URL, {helper}"
            ),
            (Some(name), Some(_)) => format!(
                "the server asks for credentials, and ${name} is only sent over https to {} (build.token_hosts): add {} there if the token is meant for it, {helper}",
                self.token_hosts.join(", "),
                url::Url::parse(url)
                    .ok()
                    .and_then(|url| url.host_str().map(str::to_string))
                    .unwrap_or_else(|| "this host".to_string())
            ),
        }
    }
}

/// Which credentials one connection has offered so far.
#[derive(Default)]
struct Tried {
    agent: bool,
    key_files: usize,
    token: bool,
    helper: bool,
}

/// The user's default SSH keys that need no passphrase, as `ssh` would try them. A
/// passphrase-protected key belongs in ssh-agent (tried first): offered from its file,
/// libssh2 would fail on it without asking for the next key.
fn ssh_key_files() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME") else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .into_iter()
        .map(|name| Path::new(&home).join(".ssh").join(name))
        .filter(|path| std::fs::read(path).is_ok_and(|key| !is_encrypted_key(&key)))
        .collect()
}

/// Whether a private key file is protected by a passphrase: PEM keys say so in a header;
/// OpenSSH keys name their cipher (`none` when unprotected) right after the magic.
fn is_encrypted_key(file: &[u8]) -> bool {
    let text = String::from_utf8_lossy(file);
    if !text.contains("BEGIN OPENSSH PRIVATE KEY") {
        return text.contains("ENCRYPTED");
    }
    let body: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    // "openssh-key-v1" and a NUL (15 bytes), a 4-byte length, then the cipher name.
    let header = decode_base64(body.get(..64).unwrap_or(&body));
    header.get(19..23) != Some(b"none".as_slice())
}

/// Standard base64, as far as the first character outside the alphabet (enough to read a
/// key's header).
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut bytes = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for sextet in text.bytes().map_while(value) {
        buffer = (buffer << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
        }
    }
    bytes
}

/// Whether trying again later may succeed: connection failures, resets, timeouts and server
/// errors, yes; a path that does not exist, a repository the server does not have, refused
/// credentials or any other 4xx answer, no.
fn is_transient(err: &git2::Error, url: &str) -> bool {
    if url.starts_with("file://") {
        return false;
    }
    match err.code() {
        ErrorCode::Timeout => return true,
        ErrorCode::Auth | ErrorCode::Certificate | ErrorCode::NotFound => return false,
        _ => {}
    }
    let message = err.message().to_ascii_lowercase();
    // Talking with a server is Net, Ssl and Http. Os errors are sockets (connecting, a
    // reset) or the local disk (full, read-only), which waiting does not fix; Ssh ones
    // are keys and host keys, same.
    let socket = [
        "connect",
        "connection",
        "reset",
        "broken pipe",
        "timed out",
        "unreachable",
    ];
    let talking = match err.class() {
        ErrorClass::Net | ErrorClass::Ssl | ErrorClass::Http => true,
        ErrorClass::Os => socket.iter().any(|sign| message.contains(sign)),
        _ => false,
    };
    if !talking {
        return false;
    }
    let retry_later = ["status code: 429", "status code: 408"];
    let refused = ["status code: 4", "access denied"];
    retry_later.iter().any(|m| message.contains(m))
        || !(says_not_there(&message) || refused.iter().any(|m| message.contains(m)))
}

/// Whether a (lowercased) libgit2 message says the repository is not where the URL points.
fn says_not_there(message: &str) -> bool {
    const SIGNS: [&str; 6] = [
        "status code: 404",
        "not found",
        "not exported",
        "does not appear to be a git repository",
        "could not find repository",
        "failed to resolve path",
    ];
    SIGNS.iter().any(|sign| message.contains(sign))
}

/// A libgit2 message without the URL's secrets.
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

    #[test]
    fn only_failures_that_may_pass_later_are_retried() {
        let net =
            |message: &str| git2::Error::new(ErrorCode::GenericError, ErrorClass::Net, message);
        let url = "https://github.com/o/r.git";
        assert!(is_transient(
            &net("failed to connect to github.com: Connection refused"),
            url
        ));
        assert!(is_transient(&net("unexpected http status code: 502"), url));
        assert!(is_transient(&net("unexpected http status code: 429"), url));
        assert!(!is_transient(&net("unexpected http status code: 404"), url));
        assert!(!is_transient(&net("repository not exported"), url));
        assert!(!is_transient(&net("anything"), "file:///srv/r.git"));
        let os = |message: &str| git2::Error::new(ErrorCode::GenericError, ErrorClass::Os, message);
        assert!(is_transient(
            &os("failed to connect to 127.0.0.1: Connection refused"),
            url
        ));
        assert!(!is_transient(
            &os("cannot extend packfile: No space left on device"),
            url
        ));
        assert!(!is_transient(
            &os("failed to lock file 'refs/heads/main.lock'"),
            url
        ));
        let auth = git2::Error::new(ErrorCode::Auth, ErrorClass::Callback, "refused");
        assert!(!is_transient(&auth, url));
        let timeout = git2::Error::new(ErrorCode::Timeout, ErrorClass::Net, "timed out");
        assert!(is_transient(&timeout, url));
    }

    #[test]
    fn passphrase_protected_keys_are_left_to_the_agent() {
        let open = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
        let locked = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABD\n-----END OPENSSH PRIVATE KEY-----\n";
        let pem_locked = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let pem_open =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
        assert!(!is_encrypted_key(open.as_bytes()));
        assert!(is_encrypted_key(locked.as_bytes()));
        assert!(is_encrypted_key(pem_locked.as_bytes()));
        assert!(!is_encrypted_key(pem_open.as_bytes()));
    }

    #[test]
    fn the_token_goes_to_the_configured_hosts_over_https_only() {
        let sources = CredentialSources {
            token_env: Some("TOKEN".to_string()),
            token: Some("secret".to_string()),
            token_hosts: vec!["github.com".to_string()],
        };
        assert_eq!(
            sources.token_for("https://github.com/o/r.git"),
            Some("secret")
        );
        assert_eq!(
            sources.token_for("https://GitHub.com/o/r.git"),
            Some("secret")
        );
        assert_eq!(sources.token_for("http://github.com/o/r.git"), None);
        assert_eq!(
            sources.token_for("https://github.com.evil.org/o/r.git"),
            None
        );
        assert_eq!(sources.token_for("https://gitlab.com/o/r.git"), None);
        let advice = sources.advice(
            "https://gitlab.com/o/r.git",
            CredentialType::USER_PASS_PLAINTEXT,
            &Tried::default(),
        );
        assert!(
            advice.contains("token_hosts") && advice.contains("gitlab.com"),
            "{advice}"
        );
        assert!(!advice.contains("secret"));
    }
}
