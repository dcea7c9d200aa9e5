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

use super::releases::{self, History, MAX_HISTORY, Marker, short};
use super::{cut_command, shell_word};
use crate::catalog::format_date;
use crate::config::{self, IntegrationConfig, RepoLocation, SiteConfig, redact_url};
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
    let label = VersionLabel::parse(&request.version).ok_or_else(|| {
        anyhow!(
            "{:?} is not a version label: a label is numbers separated by dots, such as 4.2 (a minor version, archived as one branch) or 4.2.1; a leading v is dropped (v4.2 is 4.2)",
            request.version
        )
    })?;
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
    let target = choose_target(&repo, integration, &branches, &label, request.at.as_deref())?;
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
    Ok(report(request, &path, &repo, &branch, &target))
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
            return Err(exists(&format!("{remote}/{branch} (remote-tracking)")));
        }
    }
    if let Some((_, origin)) = branches
        .archives
        .iter()
        .find(|(archived, _)| archived == label)
    {
        bail!(
            "version {label} is already archived by branch {} in {}, so nothing was created",
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
                    "REF {at:?} does not exist in {}: give a branch, tag or commit of that repository",
                    repo.workdir().unwrap_or(repo.path()).display()
                )
            })?;
        return Ok(Target {
            commit: commit.id(),
            time: commit.committer().when().seconds(),
            name: at.to_string(),
            why: "as asked by --at".to_string(),
        });
    }
    let default_branch = &branches.default_branch;
    let mut release =
        releases::archive_point(&releases::release_tags(repo, integration), label).cloned();
    if release.is_none() {
        // Only without a tag is the history walked for manifest versions.
        let history = History::walk(repo, branches.tip, None, MAX_HISTORY)
            .map_err(|message| anyhow!("integration {}: {message}", integration.id))?;
        release = releases::archive_point(&history.manifest_releases(), label).cloned();
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
        });
    }
    let tip = repo.find_commit(branches.tip)?;
    Ok(Target {
        commit: branches.tip,
        time: tip.committer().when().seconds(),
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
    fn a_portal_without_integrations_says_so() {
        let err = find_integration(&config(&[]), "jira")
            .unwrap_err()
            .to_string();
        assert!(err.contains("lists no integrations"), "{err}");
    }
}
