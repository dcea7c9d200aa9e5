//! An integration's releases, found in git alone, for `version cut` and `audit`.
//!
//! A release is a version label with the commit and date it was released at: a release tag
//! (the integration's `version_tags`, else `v{version}` / `{version}`), or the first commit of
//! the default branch's first-parent history whose plugin manifest (`plugin.json`,
//! `plugin.yaml`) names that `version`. Its docs are those of its last commit: the tag's, or
//! the last commit before the manifest named another version (the tip for the current one). That history is walked once, newest first and
//! bounded by [`MAX_HISTORY`] commits; each commit keeps the git ids of the docs path and of
//! the manifest, so that changes are found by comparing ids, never by diffing files.
//! Manifests are parsed once per distinct blob. Reads git; writes nothing.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Tree};

use crate::catalog::format_date;
use crate::config::IntegrationConfig;
use crate::source::{MANIFEST_FILES, parse_manifest};
use crate::version::{self, VersionLabel};

/// At most this many commits of the default branch are read (decades of daily commits).
pub(crate) const MAX_HISTORY: usize = 20_000;
/// A manifest larger than this is not parsed (real ones are a few kilobytes).
const MAX_MANIFEST_SIZE: usize = 1_000_000;

/// What marks a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Marker {
    Tag(String),
    /// The manifest file whose `version` first said so.
    Manifest(&'static str),
}

/// One release: its full label (`4.2.3`), what marks it, and where and when it was made.
#[derive(Debug, Clone)]
pub(crate) struct Release {
    pub(crate) label: VersionLabel,
    pub(crate) marker: Marker,
    pub(crate) commit: Oid,
    /// Committer time of the commit, seconds since the epoch.
    pub(crate) time: i64,
    /// The last commit that is this release, whose docs an archive keeps: the tag's commit,
    /// or the last one before the manifest named another version.
    pub(crate) last_commit: Oid,
}

impl Release {
    /// `v2.4.0`, or `plugin.json 2.4.0 at 1a2b3c4d5e`: where a reader finds it.
    pub(crate) fn describe(&self) -> String {
        match &self.marker {
            Marker::Tag(tag) => tag.clone(),
            // The archive point and the changes since are counted from its last commit.
            Marker::Manifest(file) if self.last_commit != self.commit => format!(
                "{file} {} from {} to {}",
                self.label,
                short(self.commit),
                short(self.last_commit)
            ),
            Marker::Manifest(file) => {
                format!("{file} {} at {}", self.label, short(self.commit))
            }
        }
    }

    /// The day it was released, `YYYY-MM-DD` (UTC).
    pub(crate) fn date(&self) -> String {
        format_date(self.time)
    }

    pub(crate) fn is_tag(&self) -> bool {
        matches!(self.marker, Marker::Tag(_))
    }
}

/// The ten-character abbreviation of a commit id used in messages.
pub(crate) fn short(commit: Oid) -> String {
    commit.to_string()[..10].to_string()
}

/// Every release tag of the repository, one per label (oldest first).
pub(crate) fn release_tags(repo: &Repository, integration: &IntegrationConfig) -> Vec<Release> {
    let patterns = version::release_tag_patterns(&integration.version_tags);
    let mut tags: Vec<Release> = crate::source::release_tags(repo, &patterns)
        .into_iter()
        .map(|tag| Release {
            label: tag.label,
            marker: Marker::Tag(tag.name),
            commit: tag.commit,
            time: tag.time,
            last_commit: tag.commit,
        })
        .collect();
    sort_unique(&mut tags);
    tags
}

/// The releases of both kinds, one per label (a tag wins over a manifest), oldest first.
pub(crate) fn merge(tags: Vec<Release>, manifests: Vec<Release>) -> Vec<Release> {
    let mut releases = tags;
    releases.extend(manifests);
    sort_unique(&mut releases);
    releases
}

/// Oldest label first; of one label, a tag before a manifest and then the older commit.
fn sort_unique(releases: &mut Vec<Release>) {
    releases.sort_by(|a, b| {
        a.label
            .cmp(&b.label)
            .then_with(|| b.is_tag().cmp(&a.is_tag()))
            .then_with(|| a.time.cmp(&b.time))
            .then_with(|| a.describe().cmp(&b.describe()))
    });
    releases.dedup_by(|later, kept| later.label == kept.label);
}

/// Where the docs of `version` are archived from: its newest release tag (`4.2.10` after
/// `4.2.9`), else its newest manifest release.
pub(crate) fn archive_point<'r>(
    releases: &'r [Release],
    version: &VersionLabel,
) -> Option<&'r Release> {
    let newest = |tagged: bool| {
        releases
            .iter()
            .filter(|release| release.is_tag() == tagged && version.covers(&release.label))
            .max_by(|a, b| a.label.cmp(&b.label))
    };
    newest(true).or_else(|| newest(false))
}

/// The git ids a commit holds at the paths the policy watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Watched {
    /// The docs folder's tree (or landing page's blob); `None` when absent.
    pub(crate) docs: Option<Oid>,
    /// The manifest's blob and its file name.
    pub(crate) manifest: Option<(Oid, &'static str)>,
}

/// One commit of the default branch's first-parent history.
#[derive(Debug, Clone)]
pub(crate) struct HistoryCommit {
    pub(crate) id: Oid,
    pub(crate) time: i64,
    pub(crate) watched: Watched,
}

/// What a manifest blob says that the policy needs.
#[derive(Debug, Clone, Default)]
struct ManifestFacts {
    version: Option<String>,
    settings_schema: Option<serde_json::Value>,
}

/// The default branch's first-parent history, newest first, with each manifest read once.
pub(crate) struct History<'r> {
    repo: &'r Repository,
    docs_path: Option<String>,
    pub(crate) commits: Vec<HistoryCommit>,
    /// Whether the walk reached the first commit (else it stopped at [`MAX_HISTORY`]).
    pub(crate) complete: bool,
    position: HashMap<Oid, usize>,
    manifests: HashMap<Oid, ManifestFacts>,
}

impl<'r> History<'r> {
    /// Walks the first parents from `tip`, at most `limit` commits, noting the id of
    /// `docs_path` and of the manifest in each.
    pub(crate) fn walk(
        repo: &'r Repository,
        tip: Oid,
        docs_path: Option<&str>,
        limit: usize,
    ) -> Result<Self, String> {
        let failed = |err: git2::Error| format!("cannot walk the history: {}", err.message());
        let mut walk = repo.revwalk().map_err(failed)?;
        walk.push(tip).map_err(failed)?;
        walk.simplify_first_parent().map_err(failed)?;
        let mut history = History {
            repo,
            docs_path: docs_path.map(str::to_string),
            commits: Vec::new(),
            complete: true,
            position: HashMap::new(),
            manifests: HashMap::new(),
        };
        for id in walk {
            if history.commits.len() == limit {
                history.complete = false;
                break;
            }
            let commit = id.and_then(|id| repo.find_commit(id)).map_err(failed)?;
            let tree = commit.tree().map_err(failed)?;
            let watched = history.watched_in(&tree);
            history.position.insert(commit.id(), history.commits.len());
            history.commits.push(HistoryCommit {
                id: commit.id(),
                time: commit.committer().when().seconds(),
                watched,
            });
        }
        Ok(history)
    }

    /// The ids at the watched paths of `tree` (reading a manifest not seen before).
    fn watched_in(&mut self, tree: &Tree) -> Watched {
        let docs = docs_identity(self.docs_path.as_deref(), tree);
        let manifest = MANIFEST_FILES.iter().find_map(|&name| {
            let entry = tree.get_name(name)?;
            (entry.kind() == Some(ObjectType::Blob)).then(|| (entry.id(), name))
        });
        if let Some((blob, name)) = manifest
            && !self.manifests.contains_key(&blob)
        {
            let facts = read_manifest(self.repo, blob, name);
            self.manifests.insert(blob, facts);
        }
        Watched { docs, manifest }
    }

    /// The ids at the watched paths of any commit (a tag off the first-parent line too).
    pub(crate) fn watched_at(&mut self, commit: Oid) -> Watched {
        if let Some(&index) = self.position.get(&commit) {
            return self.commits[index].watched;
        }
        match self.repo.find_commit(commit).and_then(|c| c.tree()) {
            Ok(tree) => self.watched_in(&tree),
            Err(_) => Watched::default(),
        }
    }

    /// The manifest's `settings_schema` in `watched`, if it has one.
    pub(crate) fn settings_schema(&self, watched: &Watched) -> Option<&serde_json::Value> {
        let (blob, _) = watched.manifest?;
        self.manifests.get(&blob)?.settings_schema.as_ref()
    }

    /// Each manifest `version` from the first commit that named it to the last one before
    /// the manifest named another (pre-releases such as `1.0.0-rc1` are not releases; a
    /// version named again later, by a revert, stays the first one), oldest first.
    pub(crate) fn manifest_releases(&self) -> Vec<Release> {
        let mut seen = HashSet::new();
        let mut releases: Vec<Release> = Vec::new();
        let mut previous: Option<VersionLabel> = None;
        for commit in self.commits.iter().rev() {
            let named = commit.watched.manifest.and_then(|(blob, file)| {
                let version = self.manifests.get(&blob)?.version.as_deref()?;
                Some((VersionLabel::parse(version)?, file))
            });
            match &named {
                Some((label, _)) if previous.as_ref() == Some(label) => {
                    if let Some(last) = releases.last_mut().filter(|last| last.label == *label) {
                        last.last_commit = commit.id;
                    }
                }
                Some((label, file)) if seen.insert(label.clone()) => releases.push(Release {
                    label: label.clone(),
                    marker: Marker::Manifest(file),
                    commit: commit.id,
                    time: commit.time,
                    last_commit: commit.id,
                }),
                _ => {}
            }
            previous = named.map(|(label, _)| label);
        }
        releases
    }

    /// The commits that changed the docs (against their first parent), newest first. The
    /// oldest commit read counts when it has docs and its parent was not read.
    pub(crate) fn docs_changes(&self) -> impl Iterator<Item = &HistoryCommit> {
        self.commits
            .iter()
            .enumerate()
            .filter_map(|(index, commit)| {
                let changed = match self.commits.get(index + 1) {
                    Some(parent) => parent.watched.docs != commit.watched.docs,
                    None => commit.watched.docs.is_some(),
                };
                changed.then_some(commit)
            })
    }

    /// How many commits of the default branch changed the docs after `release` (its last
    /// commit): those newer than it on the first-parent line, or committed after the
    /// release when it is not on that line (a tag of a release branch).
    pub(crate) fn docs_changes_since(&self, release: &Release) -> usize {
        let position = self.position.get(&release.last_commit).copied();
        self.docs_changes()
            .filter(|commit| match position {
                Some(index) => self.position[&commit.id] < index,
                None => commit.time > release.time,
            })
            .count()
    }
}

/// Root landing pages, as the build finds them when docs live at the repository root.
const ROOT_LANDING_PAGES: &[&str] = &["README.md", "readme.md", "Readme.md", "index.md"];
/// Where README-era docs keep the pages their landing page links to.
const LINKED_PAGES_DIR: &str = "docs";

/// One id that changes exactly when the docs of `tree` change, for docs found at
/// `docs_path` at the tip. Older commits may have had another layout: where the tip's docs
/// folder is absent, the root landing page stands for the docs (README-era releases before a
/// `docs/` folder); when the tip's docs are the root landing page, the `docs/` folder its
/// pages usually live in counts too (a root README linking `docs/guide.md`).
fn docs_identity(docs_path: Option<&str>, tree: &Tree) -> Option<Oid> {
    let id_at = |path: &str| tree.get_path(Path::new(path)).ok().map(|entry| entry.id());
    let root_landing = || ROOT_LANDING_PAGES.iter().find_map(|page| id_at(page));
    let has_landing = |folder: &str| {
        ROOT_LANDING_PAGES
            .iter()
            .chain(&["SUMMARY.md"])
            .any(|page| id_at(&format!("{folder}/{page}")).is_some())
    };
    let mut ids: Vec<Oid> = Vec::new();
    let docs_at_root = docs_path.is_some_and(|path| !path.contains('/') && path.ends_with(".md"));
    match docs_path.and_then(id_at) {
        // The folder was the docs root then only if it had a landing page or a SUMMARY.md;
        // else the root README was (with the folder's pages it links to).
        Some(id) if !docs_at_root && !has_landing(docs_path.unwrap_or_default()) => {
            ids.extend(root_landing());
            ids.push(id);
        }
        Some(id) => ids.push(id),
        None => ids.extend(root_landing()),
    }
    if docs_at_root {
        ids.extend(id_at(LINKED_PAGES_DIR));
    }
    match ids.as_slice() {
        [] => None,
        [id] => Some(*id),
        several => {
            let joined: Vec<u8> = several
                .iter()
                .flat_map(|id| id.as_bytes().to_vec())
                .collect();
            Oid::hash_object(ObjectType::Blob, &joined).ok()
        }
    }
}

/// The `version` and `settings_schema` of a manifest blob; nothing when it cannot be read.
fn read_manifest(repo: &Repository, blob: Oid, name: &str) -> ManifestFacts {
    let small = repo
        .odb()
        .and_then(|odb| odb.read_header(blob))
        .is_ok_and(|(size, _)| size <= MAX_MANIFEST_SIZE);
    let Some(blob) = small.then(|| repo.find_blob(blob).ok()).flatten() else {
        return ManifestFacts::default();
    };
    let bytes = blob.content();
    let document: Option<serde_json::Value> = if name.ends_with(".json") {
        serde_json::from_slice(bytes).ok()
    } else {
        crate::yaml::from_slice(bytes).ok()
    };
    ManifestFacts {
        version: parse_manifest(name, bytes)
            .ok()
            .and_then(|manifest| manifest.version),
        settings_schema: document.and_then(|mut document| {
            document
                .get_mut("settings_schema")
                .map(serde_json::Value::take)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(label: &str, marker: Marker) -> Release {
        Release {
            label: VersionLabel::parse(label).unwrap(),
            marker,
            commit: Oid::ZERO_SHA1,
            time: 0,
            last_commit: Oid::ZERO_SHA1,
        }
    }

    fn tag(label: &str) -> Release {
        release(label, Marker::Tag(format!("v{label}")))
    }

    fn manifest(label: &str) -> Release {
        release(label, Marker::Manifest("plugin.json"))
    }

    #[test]
    fn the_archive_point_is_the_numerically_newest_tag_of_the_version() {
        let releases = merge(
            vec![tag("4.2.9"), tag("4.2.10"), tag("4.3.0"), tag("4.20.0")],
            vec![manifest("4.2.11")],
        );
        let point = archive_point(&releases, &VersionLabel::parse("4.2").unwrap()).unwrap();
        assert_eq!(point.describe(), "v4.2.10");
    }

    #[test]
    fn a_manifest_release_is_the_archive_point_only_without_a_tag() {
        let releases = merge(
            vec![tag("4.1.0")],
            vec![manifest("4.2.0"), manifest("4.1.0")],
        );
        let point = archive_point(&releases, &VersionLabel::parse("4.2").unwrap()).unwrap();
        assert!(!point.is_tag());
        assert!(archive_point(&releases, &VersionLabel::parse("5.0").unwrap()).is_none());
    }

    #[test]
    fn a_tag_and_a_manifest_of_one_label_are_one_release_marked_by_the_tag() {
        let releases = merge(vec![tag("2.4.0")], vec![manifest("2.4.0")]);
        assert_eq!(releases.len(), 1);
        assert!(releases[0].is_tag());
    }
}
