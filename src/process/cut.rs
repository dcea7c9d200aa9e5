//! `portico version cut ID VERSION [--at REF] [--dry-run] [--repo PATH]`: creates the
//! archive branch of one version in a local repository.
//!
//! The branch is named by the integration's first `version_branches` pattern (`4.2-docs`,
//! `orbit-docs-4.2`) and made at REF, else at the version's release (its newest release
//! tag, else the last commit of the default branch whose manifest names its newest
//! release: see `releases`), else at the default branch's tip, saying which and why. It
//! refuses an unknown integration (suggesting the closest id), a VERSION that is not a
//! version label, a REF that does not exist, a branch that exists (local or
//! remote-tracking) or another branch archiving the same version, and a repository known
//! only by URL (saying what to run instead). It writes one branch ref, never pushes, and
//! prints the `git push` command that publishes the branch.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use git2::{Oid, Repository};

use super::cut_command;
use super::releases::{self, History, MAX_HISTORY, Marker, short};
use crate::catalog::format_date;
use crate::config::{self, IntegrationConfig, RepoLocation, SiteConfig, redact_url};
use crate::escape::shell_word;
use crate::source::inspect::{self, Branches};
use crate::version::VersionLabel;

/// What `portico version cut` was asked.
#[derive(Debug, Clone)]
pub struct CutRequest {
    /// The folder holding `site.toml`.
    pub root: PathBuf,
    pub id: String,
    pub version: String,
    /// Where to cut instead of the release.
    pub at: Option<String>,
    /// Say what would be created; create nothing.
    pub dry_run: bool,
    /// A local clone to cut in instead of the integration's `repo`.
    pub repo: Option<PathBuf>,
}

/// Creates the archive branch (unless a dry run) and returns what to tell the user, one
/// line each: what was (or would be) created, and how to publish it.
pub fn cut(request: &CutRequest) -> anyhow::Result<String> {
    let config = config::load(&request.root)?;
    let integration = find_integration(&config, &request.id)?;
    let label = archive_label(&request.version)?;
    let path = repository_path(request, integration)?;
    let repo = inspect::open(&path).map_err(|message| match &request.repo {
        Some(_) => anyhow!("--repo: {message}"),
        None => anyhow!("integration {}: {message}", integration.id),
    })?;
    let branches = inspect::branches(&repo, &path, integration)
        .map_err(|message| anyhow!("integration {}: {message}", integration.id))?;
    let pattern = integration.version_branches.first().ok_or_else(|| {
        anyhow!(
            "integration {} has no version_branches pattern to name the branch with; add one (for example \"{{version}}-docs\") in site.toml",
            integration.id
        )
    })?;
    let branch = pattern.name_for(&label);
    if !git2::Branch::name_is_valid(&branch).unwrap_or(false) {
        bail!(
            "{branch:?} is not a valid branch name; fix the version_branches pattern of integration {} in site.toml",
            integration.id
        );
    }
    refuse_existing(&repo, &path, &branches, &branch, &label)?;
    let current = inspect::current(&repo, integration, branches.tip)
        .map_err(|message| anyhow!("integration {}: {message}", integration.id))?;
    let target = choose_target(&repo, integration, &branches, &label, request.at.as_deref())?;
    if target.unreleased && label.to_major_minor() != current.label.to_major_minor() {
        bail!(
            "{} {label} was never released: no release tag of {label} and no manifest version {label} on {} (releases: {}); an archive keeps the docs of a released version, so nothing was created. Check the version, or pass --at REF to archive that commit anyway",
            integration.id,
            branches.default_branch,
            target.releases
        );
    }
    if !request.dry_run {
        let commit = repo.find_commit(target.commit)?;
        repo.branch(&branch, &commit, false).map_err(|err| {
            anyhow!(
                "cannot create branch {branch} in {}: {}",
                path.display(),
                err.message()
            )
        })?;
    }
    let mut text = report(request, &path, &repo, &branch, &target);
    if label.to_major_minor() == current.label.to_major_minor() {
        text.push_str(&format!(
            "note: {label} is the current version (the default branch {}): until the default branch documents the next version, the portal keeps publishing it as {label} and warns that {branch} is shadowed by it\n",
            branches.default_branch
        ));
    }
    Ok(text)
}

/// VERSION as an archive's label: `major.minor` or `major.minor.patch`, numbers without
/// leading zeros (a leading `v` is dropped), so that one version has one spelling.
fn archive_label(version: &str) -> anyhow::Result<VersionLabel> {
    let digits = version.strip_prefix('v').unwrap_or(version);
    let parts: Vec<&str> = digits.split('.').collect();
    let well_formed = (2..=3).contains(&parts.len())
        && parts.iter().all(|part| {
            !part.is_empty()
                && part.bytes().all(|byte| byte.is_ascii_digit())
                && (part.len() == 1 || !part.starts_with('0'))
        });
    match VersionLabel::parse(digits).filter(|_| well_formed) {
        Some(label) => Ok(label),
        None => bail!(
            "{version:?} is not a version to archive: give major.minor, such as 4.2 (a minor version, archived as one branch), or major.minor.patch such as 4.2.1; numbers without leading zeros, a leading v is dropped (v4.2 is 4.2)"
        ),
    }
}

/// The integration `id`, or an error naming the closest configured id.
fn find_integration<'c>(config: &'c SiteConfig, id: &str) -> anyhow::Result<&'c IntegrationConfig> {
    if let Some(found) = config.integrations.iter().find(|i| i.id == id) {
        return Ok(found);
    }
    let file = config.root.join(config::CONFIG_FILE);
    let closest = config
        .integrations
        .iter()
        .min_by_key(|i| strsim::levenshtein(&i.id, id));
    match closest {
        None => bail!(
            "{} lists no integrations; add an [[integrations]] entry first",
            file.display()
        ),
        Some(closest) => {
            let ids: Vec<&str> = config.integrations.iter().map(|i| i.id.as_str()).collect();
            bail!(
                "no integration {id:?} in {}; did you mean {:?}? (integrations: {})",
                file.display(),
                closest.id,
                ids.join(", ")
            )
        }
    }
}

/// The local repository to cut in: `--repo`, else the integration's `repo` path. A
/// repository known by URL needs a local clone, and the error says how to make one.
fn repository_path(
    request: &CutRequest,
    integration: &IntegrationConfig,
) -> anyhow::Result<PathBuf> {
    if let Some(path) = &request.repo {
        check_clone(path, integration)?;
        return Ok(path.clone());
    }
    match &integration.repo {
        RepoLocation::Local(path) => Ok(path.clone()),
        RepoLocation::Remote(url) => {
            let mut words = vec![
                request.id.as_str(),
                request.version.as_str(),
                "--repo",
                &integration.id,
            ];
            if let Some(at) = &request.at {
                words.extend(["--at", at]);
            }
            if request.dry_run {
                words.push("--dry-run");
            }
            let url = redact_url(url);
            bail!(
                "integration {}'s repository is a URL ({url}) and version cut works on a local clone (it never pushes); run: git clone {} {} && {}",
                integration.id,
                shell_word(&url),
                integration.id,
                cut_command(&request.root, &words)
            )
        }
    }
}

/// Refuses a `--repo` that is not the integration's repository: the same folder as a
/// local `repo`, or a clone with a remote whose URL is the integration's.
fn check_clone(path: &Path, integration: &IntegrationConfig) -> anyhow::Result<()> {
    match &integration.repo {
        RepoLocation::Local(configured) => {
            let same = match (configured.canonicalize(), path.canonicalize()) {
                (Ok(configured), Ok(given)) => configured == given,
                _ => false,
            };
            if !same {
                bail!(
                    "--repo {}: integration {} reads the local repository {}, not this one; drop --repo to cut there",
                    path.display(),
                    integration.id,
                    configured.display()
                );
            }
        }
        RepoLocation::Remote(url) => {
            let wanted = repository_address(url);
            let remotes = remote_urls(path);
            if !remotes
                .iter()
                .any(|(_, remote)| repository_address(remote) == wanted)
            {
                let listed: Vec<String> = remotes
                    .iter()
                    .map(|(name, remote)| format!("{name} = {}", redact_url(remote)))
                    .collect();
                bail!(
                    "--repo {}: not a clone of integration {}'s repository {} (its remotes: {}); clone that repository, or add it as a remote of this one",
                    path.display(),
                    integration.id,
                    redact_url(url),
                    if listed.is_empty() {
                        "none".to_string()
                    } else {
                        listed.join(", ")
                    }
                );
            }
        }
    }
    Ok(())
}

/// The remotes of the repository at `path`: (name, URL).
fn remote_urls(path: &Path) -> Vec<(String, String)> {
    let Ok(repo) = inspect::open(path) else {
        return Vec::new();
    };
    let Ok(names) = repo.remotes() else {
        return Vec::new();
    };
    names
        .iter()
        .flatten()
        .flatten()
        .filter_map(|name| {
            let remote = repo.find_remote(name).ok()?;
            Some((name.to_string(), remote.url().ok()?.to_string()))
        })
        .collect()
}

/// A repository URL reduced to what names the repository, so that the forms git accepts
/// for one repository compare equal: `https://github.com/o/r.git`, `git@github.com:o/r`,
/// `ssh://git@github.com/o/r/` all give `github.com/o/r` (lowercase host).
fn repository_address(url: &str) -> String {
    let url = url.trim();
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    // scp-like `user@host:path` (no scheme) separates host and path with a colon.
    let normalized = if url.contains("://") {
        without_scheme.to_string()
    } else {
        without_scheme.replacen(':', "/", 1)
    };
    let after_user = normalized
        .split_once('@')
        .filter(|(user, _)| !user.contains('/'))
        .map_or(normalized.as_str(), |(_, rest)| rest);
    let trimmed = after_user.trim_end_matches('/');
    let trimmed = trimmed.strip_suffix(".git").unwrap_or(trimmed);
    match trimmed.split_once('/') {
        Some((host, rest)) => {
            let host = host
                .rsplit_once(':')
                .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
                .map_or(host, |(host, _)| host);
            format!("{}/{rest}", host.to_lowercase())
        }
        None => trimmed.to_lowercase(),
    }
}

/// Refuses when `branch` exists, locally or remote-tracking, or another branch already
/// archives `label` (the build would publish only one of them).
fn refuse_existing(
    repo: &Repository,
    path: &Path,
    branches: &Branches,
    branch: &str,
    label: &VersionLabel,
) -> anyhow::Result<()> {
    let exists = |name: &str| {
        anyhow!(
            "branch {name} already exists in {}, so nothing was created; an archive branch is kept as it is (fix old docs by a pull request to it)",
            path.display()
        )
    };
    if repo.find_reference(&format!("refs/heads/{branch}")).is_ok() {
        return Err(exists(branch));
    }
    // Every remote-tracking ref counts, also of a remote no longer configured.
    let tracking = repo.references_glob("refs/remotes/*").into_iter().flatten();
    for reference in tracking.flatten() {
        let Some((remote, tracked)) = reference
            .name()
            .ok()
            .and_then(|name| name.strip_prefix("refs/remotes/"))
            .and_then(|rest| rest.split_once('/'))
        else {
            continue;
        };
        if tracked == branch {
            return Err(anyhow!(
                "{}; if it was deleted on {remote}, run git -C {} fetch --prune {remote} first",
                exists(&format!("{remote}/{branch} (remote-tracking)")),
                shell_word(&path.to_string_lossy())
            ));
        }
    }
    // `2.1.0-docs` beside `2.1-docs` would archive one minor version twice.
    if let Some((archived, origin)) = branches
        .archives
        .iter()
        .find(|(archived, _)| archived.to_major_minor() == label.to_major_minor())
    {
        bail!(
            "version {label} is already archived by branch {} (version {archived}) in {}, so nothing was created: one archive per minor version",
            origin.ref_name(),
            path.display()
        );
    }
    Ok(())
}

/// Where the branch goes, and how to say why.
struct Target {
    commit: Oid,
    time: i64,
    /// No release of the version was found (the tip was chosen for want of one).
    unreleased: bool,
    /// The releases found, for the refusal of an unreleased version (`1.0, 2.0` or `none`).
    releases: String,
    /// `v4.2.3`, `master`, the REF as given.
    name: String,
    why: String,
}

/// `--at REF`, else the version's release, else the default branch's tip.
fn choose_target(
    repo: &Repository,
    integration: &IntegrationConfig,
    branches: &Branches,
    label: &VersionLabel,
    at: Option<&str>,
) -> anyhow::Result<Target> {
    if let Some(at) = at {
        let commit = repo
            .revparse_single(at)
            .and_then(|object| object.peel_to_commit())
            .map_err(|_| {
                anyhow!(
                    "REF {at:?} does not exist in {} or is not a commit: give a branch, tag or commit of that repository",
                    repo.workdir().unwrap_or(repo.path()).display()
                )
            })?;
        return Ok(Target {
            commit: commit.id(),
            time: commit.committer().when().seconds(),
            name: at.to_string(),
            why: "as asked by --at".to_string(),
            unreleased: false,
            releases: String::new(),
        });
    }
    let default_branch = &branches.default_branch;
    let tags = releases::release_tags(repo, integration);
    let mut release = releases::archive_point(&tags, label).cloned();
    let mut known = tags;
    if release.is_none() {
        // Only without a tag is the history walked for manifest versions.
        let history = History::walk(repo, branches.tip, None, MAX_HISTORY)
            .map_err(|message| anyhow!("integration {}: {message}", integration.id))?;
        let manifest_releases = history.manifest_releases();
        release = releases::archive_point(&manifest_releases, label).cloned();
        known = releases::merge(known, manifest_releases);
    }
    if let Some(release) = release {
        let last = repo.find_commit(release.last_commit)?;
        let (name, why) = match &release.marker {
            Marker::Tag(tag) => (tag.clone(), format!("the newest release tag of {label}")),
            Marker::Manifest(file) if release.last_commit == branches.tip => (
                default_branch.clone(),
                format!(
                    "no release tag of {label}; {file} on the tip of {default_branch} says {}",
                    release.label
                ),
            ),
            Marker::Manifest(file) => (
                format!("the last commit of {file} {}", release.label),
                format!(
                    "no release tag of {label}; the last commit of {default_branch} whose {file} says {} (the next one names another version)",
                    release.label
                ),
            ),
        };
        return Ok(Target {
            commit: last.id(),
            time: last.committer().when().seconds(),
            name,
            why,
            unreleased: false,
            releases: String::new(),
        });
    }
    let tip = repo.find_commit(branches.tip)?;
    let mut versions: Vec<VersionLabel> = known.iter().map(|r| r.label.to_major_minor()).collect();
    versions.dedup();
    let versions: Vec<String> = versions.iter().map(ToString::to_string).collect();
    Ok(Target {
        commit: branches.tip,
        time: tip.committer().when().seconds(),
        // With no release at all, the tip is what there is to archive.
        unreleased: !known.is_empty(),
        releases: versions.join(", "),
        name: default_branch.clone(),
        why: format!(
            "the tip of {default_branch}: no release tag of {label} and no manifest version of {label} on {default_branch}"
        ),
    })
}

/// What was (or would be) created, and the command that publishes it.
fn report(
    request: &CutRequest,
    path: &Path,
    repo: &Repository,
    branch: &str,
    target: &Target,
) -> String {
    let place = format!(
        "branch {branch} at {} (commit {}, {}) in {}",
        target.name,
        short(target.commit),
        format_date(target.time),
        path.display()
    );
    let done = if request.dry_run {
        format!("dry run: would create {place}")
    } else {
        format!("created {place}")
    };
    let git = format!("git -C {}", shell_word(&path.to_string_lossy()));
    let remote = push_remote(repo);
    let mut next = if request.dry_run {
        "nothing was created; without --dry-run the branch is created".to_string()
    } else {
        "nothing was pushed".to_string()
    };
    if remote.is_none() {
        next.push_str(&format!(
            "; the repository has no remote: add one ({git} remote add origin URL)"
        ));
    }
    let remote = shell_word(remote.as_deref().unwrap_or("origin"));
    format!(
        "{} {}: {done}\n  chosen: {}\n{next}; publish the archive with:\n  {git} push {remote} {}\n",
        request.id,
        request.version,
        target.why,
        shell_word(branch)
    )
}

/// The remote to push to: `origin` if the repository has it, else its first remote.
fn push_remote(repo: &Repository) -> Option<String> {
    let remotes = repo.remotes().ok()?;
    let names: Vec<&str> = remotes.iter().flatten().flatten().collect();
    names
        .iter()
        .find(|name| **name == "origin")
        .or_else(|| names.first())
        .map(|name| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(ids: &[&str]) -> SiteConfig {
        let mut text = "[site]\ntitle = \"T\"\n".to_string();
        for id in ids {
            text.push_str(&format!(
                "\n[[integrations]]\nid = \"{id}\"\nrepo = \"repos/{id}\"\nmanaged_by = \"community\"\n"
            ));
        }
        config::parse(&text, Path::new("/portal"), Path::new("/portal/site.toml")).unwrap()
    }

    #[test]
    fn an_unknown_id_is_answered_with_the_closest_one() {
        let config = config(&["jira", "zoom", "github"]);
        let err = find_integration(&config, "gihtub").unwrap_err().to_string();
        assert!(err.contains("did you mean \"github\"?"), "{err}");
        assert!(err.contains("(integrations: jira, zoom, github)"), "{err}");
        assert_eq!(find_integration(&config, "zoom").unwrap().id, "zoom");
    }

    #[test]
    fn archive_labels_have_one_spelling() {
        for good in ["4.2", "v4.2", "4.2.1", "0.9", "10.0.12"] {
            assert!(archive_label(good).is_ok(), "{good}");
        }
        for bad in [
            "2", "01.2", "1.2.3.4", "2.1-docs", "latest", "v", "1..2", "1.02",
        ] {
            let err = archive_label(bad).unwrap_err().to_string();
            assert!(err.contains("major.minor"), "{bad}: {err}");
        }
        assert_eq!(archive_label("v4.2").unwrap().to_string(), "4.2");
    }

    #[test]
    fn clone_urls_of_one_repository_compare_equal() {
        let address = "github.com/o/r";
        for url in [
            "https://github.com/o/r.git",
            "https://GitHub.com/o/r/",
            "git@github.com:o/r.git",
            "ssh://git@github.com:22/o/r",
            "https://user:token@github.com/o/r",
        ] {
            assert_eq!(repository_address(url), address, "{url}");
        }
        assert_ne!(repository_address("https://github.com/o/other"), address);
        assert_eq!(
            repository_address("file:///srv/git/plugin.git"),
            repository_address("file:///srv/git/plugin")
        );
    }

    #[test]
    fn a_portal_without_integrations_says_so() {
        let err = find_integration(&config(&[]), "jira")
            .unwrap_err()
            .to_string();
        assert!(err.contains("lists no integrations"), "{err}");
    }
}
