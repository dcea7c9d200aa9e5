//! The mirrors on disk: one bare repository per repository URL in the cache folder, its
//! completion marker, and bringing it up to date.
//!
//! A marker file says a mirror is complete: written after the first verified fetch, and
//! kept while later fetches run, because an interrupted fetch cannot break a mirror:
//! libgit2 stores a pack completely before it moves any ref, each moved ref points at
//! complete objects, and refs that lead to no commit (a tag of a tree) are ignored by
//! readers. A mirror without the marker, or whose objects turn out damaged, is fetched
//! again from nothing (a damaged complete mirror is replaced only once the new one is
//! complete); a mirror is never discarded for a network, credential or configuration
//! failure, so `--offline` keeps working after a failed online build. Refs are pruned only
//! when they are gone upstream, so portals with different version patterns can share a
//! mirror.

use std::path::{Path, PathBuf};

use git2::{AutotagOption, FetchOptions, Repository};

use super::credentials::CredentialSources;
use super::locks::{MirrorLock, lock_exclusive, lock_shared, share};
use super::retries::{Failure, RetryPolicy};
use super::wanted::list_wanted;
use crate::config::{IntegrationConfig, redact_url};

/// Written into a mirror once it is complete; holds a hash of the URL it mirrors (never the
/// URL itself, which the cache would carry into CI caches other workflows can read).
const COMPLETE_MARKER: &str = "portico-mirror-complete";

/// `<cache>/<id>-<hash of url>.git`: one mirror per repository URL.
pub(super) fn mirror_dir(cache_dir: &Path, id: &str, url: &str) -> PathBuf {
    cache_dir.join(format!("{id}-{}.git", &url_fingerprint(url)[..12]))
}

/// What the marker of a complete mirror of `url` contains.
fn marker_text(url: &str) -> String {
    format!("{}\n", url_fingerprint(url))
}

/// A stable hash of a repository URL (FNV-1a, 64 bit, hex), naming its mirror. It is what
/// earlier versions of Portico named mirrors with, so that a cache kept between CI runs
/// (and `--offline`) keeps working across an upgrade; it is never a content id.
fn url_fingerprint(url: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in url.as_bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
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

pub(super) fn offline_mirror(
    dir: &Path,
    url: &str,
    cache_dir: &Path,
) -> Result<Option<MirrorLock>, String> {
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
pub(super) fn update_mirror(
    dir: &Path,
    url: &str,
    integration: &IntegrationConfig,
    credentials: &CredentialSources,
    retries: &RetryPolicy,
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
    let result = match fetch_into(dir, url, integration, credentials, retries) {
        // The objects may be damaged beyond what `readable` sees: fetch from nothing beside
        // the mirror, and replace it only once the new one is complete.
        Err(Failure::Damaged(_)) if was_complete => {
            let fresh = dir.with_extension("refetch");
            let _ = std::fs::remove_dir_all(&fresh);
            let refetched = fetch_into(&fresh, url, integration, credentials, retries);
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
            "cannot fetch {shown} (tried {} times): {message}; check the URL and the network, or build from the cache with --offline",
            retries.attempts()
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

/// Fetches the refs a build reads into the mirror in `dir`, prunes those gone upstream,
/// and marks the mirror complete once it reads back.
fn fetch_into(
    dir: &Path,
    url: &str,
    integration: &IntegrationConfig,
    credentials: &CredentialSources,
    retries: &RetryPolicy,
) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|err| Failure::Refused(format!("cannot create {}: {err}", dir.display())))?;
    let repo = Repository::open_bare(dir)
        .or_else(|_| Repository::init_bare(dir))
        .map_err(|err| Failure::local(&err, url))?;

    let (default_branch, advertised, wanted) =
        retries.run(url, || list_wanted(&repo, url, integration, credentials))?;
    let refspecs: Vec<String> = wanted
        .iter()
        .map(|name| format!("+{name}:{name}"))
        .collect();
    retries.run(url, || {
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
    fn mirror_names_stay_those_earlier_versions_gave() {
        // A cache kept between CI runs must still be found after an upgrade.
        assert_eq!(url_fingerprint(""), "cbf29ce484222325");
        assert_eq!(url_fingerprint("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn a_folder_without_the_marker_is_not_a_usable_mirror() {
        let dir = tempfile::tempdir().unwrap();
        Repository::init_bare(dir.path()).unwrap();
        assert!(!usable(dir.path(), "file:///x"));
    }
}
