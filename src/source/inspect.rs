//! One repository read through the build's own rules, for the commands that inspect or
//! change a repository instead of building from it (`version cut`, `audit`): opening it,
//! its default branch and archive branches (`refs`), the current version's label and where
//! its docs are (`docs`). Reads refs and the tip's tree; reads no pages and reports no
//! problems (the build does that).

use std::path::Path;

use git2::{Oid, Repository};

use super::Origin;
use super::docs::docs_path;
use super::refs::{label_at, read_refs};
use super::repo::read_manifest;
use super::tree::{BlobCache, Files, TreeReader};
use crate::config::{IntegrationConfig, RepositoryLimits};
use crate::diagnostics::Location;
use crate::version::VersionLabel;

pub(crate) use super::repo::open;

/// The branches a build would read, as it would read them.
pub(crate) struct Branches {
    pub(crate) default_branch: String,
    pub(crate) tip: Oid,
    /// One archive branch per label: the local branch, else a remote-tracking one.
    pub(crate) archives: Vec<(VersionLabel, Origin)>,
}

/// The default branch with its tip, and every archive branch (none left out for
/// `max_versions`: the policy covers them all).
pub(crate) fn branches(
    repo: &Repository,
    path: &Path,
    integration: &IntegrationConfig,
) -> Result<Branches, String> {
    let plan = read_refs(repo, path, integration, usize::MAX / 2, &mut Vec::new())?;
    let mut versions = plan.versions.into_iter();
    let tip = versions
        .next()
        .map(|current| current.commit)
        .ok_or_else(|| format!("{} has no default branch", path.display()))?;
    let archives = versions
        .filter(|version| matches!(version.origin, Origin::Branch { .. }))
        .filter_map(|version| Some((version.label?, version.origin)))
        .collect();
    Ok(Branches {
        default_branch: plan.default_branch,
        tip,
        archives,
    })
}

/// What the build makes of the default branch's tip.
pub(crate) struct Current {
    /// The current version's label (manifest, else the newest release tag behind the tip,
    /// else `latest`).
    pub(crate) label: VersionLabel,
    /// The path whose git id changes exactly when the docs change: the docs folder, or the
    /// landing page of docs kept at the repository root; `None` without docs.
    pub(crate) docs_path: Option<String>,
    /// The manifest's `version` at the tip, when it has one (the label's source then).
    pub(crate) manifest_version: Option<String>,
}

/// The current version at `tip`, as the build labels it and finds its docs.
pub(crate) fn current(
    repo: &Repository,
    integration: &IntegrationConfig,
    tip: Oid,
) -> Result<Current, String> {
    let tree = repo
        .find_commit(tip)
        .and_then(|commit| commit.tree())
        .map_err(|err| format!("cannot read commit {tip}: {}", err.message()))?;
    let blobs = BlobCache::default();
    let here = Location::integration(&integration.id);
    let limits = RepositoryLimits::default();
    let reader = TreeReader::new(repo, Files::Commit(tree), &blobs, limits, here.clone());
    let manifest = read_manifest(&reader, &here, &mut Vec::new());
    let version = manifest.and_then(|manifest| manifest.version);
    Ok(Current {
        label: label_at(repo, integration, version.as_deref(), tip),
        docs_path: docs_path(&reader, integration),
        manifest_version: version,
    })
}
