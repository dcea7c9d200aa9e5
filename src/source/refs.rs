//! Which refs of a repository are versions, and what the current one is called.
//!
//! The default branch (configured, else HEAD; a detached CI checkout falls back to the
//! remote's HEAD) is the current version. Branches matching a `version_branches` pattern
//! are archived versions (local wins over remote-tracking), and with `version_tags` the
//! newest tag per `major.minor`. The current label comes from the manifest, else the newest
//! release tag at or behind the tip, else `latest`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use git2::{Oid, Repository};

use super::Origin;
use super::VersionSnapshot;
use crate::config::IntegrationConfig;
use crate::diagnostics::{Diagnostic, Location};
use crate::version::{self, VersionLabel, VersionPattern};

/// A version to read: which commit, and what it will be called.
pub(super) struct PlannedVersion {
    /// `None` for the current version, whose label depends on its manifest.
    pub(super) label: Option<VersionLabel>,
    pub(super) origin: Origin,
    pub(super) commit: Oid,
}

pub(super) struct ReadPlan {
    pub(super) default_branch: String,
    pub(super) versions: Vec<PlannedVersion>,
    pub(super) skipped_branches: Vec<String>,
}

/// Which refs of `repo` (opened from `path`) are versions, the current one first.
pub(super) fn read_refs(
    repo: &Repository,
    path: &Path,
    integration: &IntegrationConfig,
    max_versions: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<ReadPlan, String> {
    let (default_branch, tip) = default_branch(repo, integration.branch.as_deref())?;
    let found = find_version_refs(repo, path, integration, &default_branch, diagnostics)?;
    let mut versions: Vec<PlannedVersion> = vec![PlannedVersion {
        label: None,
        origin: Origin::DefaultBranch {
            branch: default_branch.clone(),
        },
        commit: tip,
    }];
    let by_label = add_branches(&mut versions, found.branches, &integration.id, diagnostics);
    add_tags(&mut versions, found.tags, &by_label);
    keep_newest_archives(&mut versions, max_versions, &integration.id, diagnostics);
    Ok(ReadPlan {
        default_branch,
        versions,
        skipped_branches: found.skipped.into_iter().collect(),
    })
}

/// The working tree alone, as the current version (`check --repo`): named after the branch
/// HEAD names, or `HEAD` when it is detached (a pull request's merge commit in CI), at
/// HEAD's commit. No archive is read.
pub(super) fn work_tree_plan(repo: &Repository, path: &Path) -> Result<ReadPlan, String> {
    if repo.workdir().is_none() {
        return Err(format!(
            "{} is a bare repository, which has no working tree to check; pass a clone with its files checked out",
            path.display()
        ));
    }
    let head = repo.head().map_err(|err| {
        format!(
            "HEAD of {} does not point at a commit ({}); commit something first",
            path.display(),
            err.message()
        )
    })?;
    let commit = head
        .peel_to_commit()
        .map_err(|err| format!("HEAD does not point at a commit: {}", err.message()))?;
    let branch = head
        .name()
        .ok()
        .and_then(|name| name.strip_prefix("refs/heads/"))
        .unwrap_or("HEAD")
        .to_string();
    Ok(ReadPlan {
        default_branch: branch.clone(),
        versions: vec![PlannedVersion {
            label: None,
            origin: Origin::DefaultBranch { branch },
            commit: commit.id(),
        }],
        skipped_branches: Vec::new(),
    })
}

/// The refs that name versions, before one is chosen per label.
#[derive(Default)]
struct VersionRefs {
    /// Archive branches, local or remote-tracking, with their label and commit.
    branches: Vec<(VersionLabel, Origin, Oid)>,
    /// Archive-shaped branches that match no pattern (each also a warning).
    skipped: BTreeSet<String>,
    /// Release tags matching `version_tags`, with their full label and commit.
    tags: Vec<(VersionLabel, String, Oid)>,
}

/// What a ref name is: a branch (local, or with its remote) or a tag.
enum RefName<'n> {
    Branch {
        branch: &'n str,
        remote: Option<&'n str>,
    },
    Tag(&'n str),
}

impl<'n> RefName<'n> {
    /// `refs/heads/x`, `refs/remotes/origin/x` (never a remote's `HEAD`), `refs/tags/x`.
    fn parse(name: &'n str) -> Option<Self> {
        if let Some(branch) = name.strip_prefix("refs/heads/") {
            return Some(RefName::Branch {
                branch,
                remote: None,
            });
        }
        if let Some(rest) = name.strip_prefix("refs/remotes/") {
            let (remote, branch) = rest.split_once('/')?;
            return (branch != "HEAD").then_some(RefName::Branch {
                branch,
                remote: Some(remote),
            });
        }
        name.strip_prefix("refs/tags/").map(RefName::Tag)
    }
}

/// Every branch and tag of `repo` that names a version (besides the default branch).
fn find_version_refs(
    repo: &Repository,
    path: &Path,
    integration: &IntegrationConfig,
    default_branch: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<VersionRefs, String> {
    let mut found = VersionRefs::default();
    let references = repo.references().map_err(|err| {
        format!(
            "cannot list the branches of {}: {}",
            path.display(),
            err.message()
        )
    })?;
    for reference in references.flatten() {
        let Some(name) = reference.name().ok().and_then(RefName::parse) else {
            continue;
        };
        let (branch, remote) = match name {
            RefName::Tag(tag) => {
                if let Some(label) = version::match_any(&integration.version_tags, tag)
                    && let Ok(commit) = reference.peel_to_commit()
                {
                    found.tags.push((label, tag.to_string(), commit.id()));
                }
                continue;
            }
            RefName::Branch { branch, .. } if branch == default_branch => continue,
            RefName::Branch { branch, remote } => (branch.to_string(), remote.map(str::to_string)),
        };
        let Some(label) = version::match_any(&integration.version_branches, &branch) else {
            if version::looks_like_docs_branch(&branch) && found.skipped.insert(branch.clone()) {
                diagnostics.push(Diagnostic::warning(
                    Location::integration(&integration.id),
                    format!(
                        "branch {branch} looks like a docs archive but matches no version_branches pattern, so it is not published; rename it (for example 2.1-docs) or add a pattern"
                    ),
                ));
            }
            continue;
        };
        let Ok(commit) = reference.peel_to_commit() else {
            diagnostics.push(Diagnostic::warning(
                Location::integration(&integration.id),
                format!(
                    "branch {} does not point at a commit; skipped",
                    reference.name().unwrap_or_default()
                ),
            ));
            continue;
        };
        found
            .branches
            .push((label, Origin::Branch { branch, remote }, commit.id()));
    }
    Ok(found)
}

/// Adds one archive per label: local branches win over remote-tracking ones, and among
/// remotes `origin` first. Returns label → the branch name kept for it (without remote).
fn add_branches(
    versions: &mut Vec<PlannedVersion>,
    mut branches: Vec<(VersionLabel, Origin, Oid)>,
    integration: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<VersionLabel, String> {
    branches.sort_by(|(la, oa, _), (lb, ob, _)| {
        la.cmp(lb)
            .then_with(|| origin_preference(oa).cmp(&origin_preference(ob)))
            .then_with(|| oa.short_name().cmp(ob.short_name()))
    });
    let mut by_label: HashMap<VersionLabel, String> = HashMap::new();
    for (label, origin, commit) in branches {
        let branch = origin.short_name().to_string();
        if let Some(kept) = by_label.get(&label) {
            // The same branch seen again as remote-tracking is expected; two names are not.
            if *kept != branch {
                diagnostics.push(Diagnostic::warning(
                    Location::integration(integration),
                    format!(
                        "branches {kept} and {branch} both name version {label}; using {kept}: delete or rename one"
                    ),
                ));
            }
            continue;
        }
        by_label.insert(label.clone(), branch);
        versions.push(PlannedVersion {
            label: Some(label),
            origin,
            commit,
        });
    }
    by_label
}

/// Adds the tagged versions: per `major.minor` the highest patch wins, and a branch with
/// the same label wins over any tag.
fn add_tags(
    versions: &mut Vec<PlannedVersion>,
    mut tags: Vec<(VersionLabel, String, Oid)>,
    branches: &HashMap<VersionLabel, String>,
) {
    tags.sort_by(|(a, ..), (b, ..)| b.cmp(a));
    let mut tag_labels = BTreeSet::new();
    for (full, tag, commit) in tags {
        let label = full.to_major_minor();
        if branches.contains_key(&label) || !tag_labels.insert(label.clone()) {
            continue;
        }
        versions.push(PlannedVersion {
            label: Some(label),
            origin: Origin::Tag { tag },
            commit,
        });
    }
}

/// Keeps the current version (first) and the newest `max` archives: every page lists every
/// version, so a repository with thousands of archive branches would make the output grow
/// with their square. The rest are named in a warning.
fn keep_newest_archives(
    versions: &mut Vec<PlannedVersion>,
    max: usize,
    integration: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if versions.len() <= max + 1 {
        return;
    }
    let mut archives = versions.split_off(1);
    archives.sort_by(|a, b| b.label.cmp(&a.label));
    let dropped = archives.split_off(max);
    versions.extend(archives);
    let names: Vec<&str> = dropped.iter().map(|v| v.origin.short_name()).collect();
    let shown = if names.len() > 5 {
        format!("{}, … ({} in all)", names[..5].join(", "), names.len())
    } else {
        names.join(", ")
    };
    diagnostics.push(Diagnostic::warning(
        Location::integration(integration),
        format!(
            "{} archived versions are more than [build] max_versions ({max}); the oldest are not published: {shown}; delete old archive branches or raise max_versions",
            max + dropped.len()
        ),
    ));
}

fn origin_preference(origin: &Origin) -> (u8, String) {
    match origin {
        Origin::Branch { remote: None, .. } => (0, String::new()),
        Origin::Branch {
            remote: Some(remote),
            ..
        } if remote == "origin" => (1, String::new()),
        Origin::Branch {
            remote: Some(remote),
            ..
        } => (2, remote.clone()),
        _ => (3, String::new()),
    }
}

/// The configured branch, else the branch HEAD names; a detached HEAD (as CI checkouts
/// have) falls back to the remote's HEAD, then to the detached commit itself.
fn default_branch(repo: &Repository, configured: Option<&str>) -> Result<(String, Oid), String> {
    if let Some(branch) = configured {
        for candidate in [
            format!("refs/heads/{branch}"),
            format!("refs/remotes/origin/{branch}"),
        ] {
            if let Ok(reference) = repo.find_reference(&candidate)
                && let Ok(commit) = reference.peel_to_commit()
            {
                return Ok((branch.to_string(), commit.id()));
            }
        }
        return Err(format!(
            "the configured branch {branch:?} does not exist (neither locally nor as origin/{branch}); fix `branch` in site.toml"
        ));
    }
    match repo.head() {
        Ok(head) => {
            let commit = head
                .peel_to_commit()
                .map_err(|err| format!("HEAD does not point at a commit: {}", err.message()))?;
            if let Some(branch) = head.name().ok().and_then(|n| n.strip_prefix("refs/heads/")) {
                return Ok((branch.to_string(), commit.id()));
            }
            if let Ok(remote_head) = repo.find_reference("refs/remotes/origin/HEAD")
                && let Ok(Some(target)) = remote_head.symbolic_target()
                && let Some(branch) = target.strip_prefix("refs/remotes/origin/")
                && let Ok(commit) = remote_head.peel_to_commit()
            {
                return Ok((branch.to_string(), commit.id()));
            }
            Ok(("HEAD".to_string(), commit.id()))
        }
        Err(err) => Err(format!(
            "the repository has no default branch (HEAD: {}); commit the docs or set `branch` in site.toml",
            err.message()
        )),
    }
}

/// The current version's label: the manifest's `major.minor`, else the newest release tag
/// at or behind the tip, else `latest`.
pub(super) fn current_label(
    repo: &Repository,
    integration: &IntegrationConfig,
    current: &VersionSnapshot,
) -> VersionLabel {
    let manifest_version = current.manifest.as_ref().and_then(|m| m.version.as_deref());
    match Oid::from_str(&current.commit) {
        Ok(tip) => label_at(repo, integration, manifest_version, tip),
        Err(_) => manifest_version
            .and_then(VersionLabel::major_minor_of)
            .unwrap_or_else(VersionLabel::latest),
    }
}

/// [`current_label`] of the commit `tip` whose manifest says `manifest_version`.
pub(super) fn label_at(
    repo: &Repository,
    integration: &IntegrationConfig,
    manifest_version: Option<&str>,
    tip: Oid,
) -> VersionLabel {
    if let Some(label) = manifest_version.and_then(VersionLabel::major_minor_of) {
        return label;
    }
    // The configured tag patterns and the usual release shapes (`v4.7.0`, `4.7.0`) alike.
    let mut patterns = integration.version_tags.clone();
    patterns.extend(version::release_tag_patterns(&[]));
    let mut tags: Vec<(VersionLabel, Oid)> = release_tags(repo, &patterns)
        .into_iter()
        .map(|tag| (tag.label, tag.commit))
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0));
    tags.into_iter()
        .find(|(_, commit)| {
            *commit == tip || repo.graph_descendant_of(tip, *commit).unwrap_or(false)
        })
        .map(|(label, _)| label.to_major_minor())
        .unwrap_or_else(VersionLabel::latest)
}

/// A tag that marks a release: its label by the first pattern it matches, its name, and the
/// commit it points at.
pub(crate) struct ReleaseTag {
    pub(crate) label: VersionLabel,
    pub(crate) name: String,
    pub(crate) commit: Oid,
    /// Committer time of the commit, seconds since the epoch.
    pub(crate) time: i64,
}

/// Every tag matching one of `patterns` (in the repository's order); a tag of a tree or a
/// blob marks no release and is left out.
pub(crate) fn release_tags(repo: &Repository, patterns: &[VersionPattern]) -> Vec<ReleaseTag> {
    let Ok(references) = repo.references_glob("refs/tags/*") else {
        return Vec::new();
    };
    references
        .flatten()
        .filter_map(|reference| {
            let name = reference
                .name()
                .ok()?
                .strip_prefix("refs/tags/")?
                .to_string();
            let label = version::match_any(patterns, &name)?;
            let commit = reference.peel_to_commit().ok()?;
            Some(ReleaseTag {
                label,
                name,
                commit: commit.id(),
                time: commit.committer().when().seconds(),
            })
        })
        .collect()
}
