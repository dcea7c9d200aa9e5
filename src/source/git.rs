//! Reading one integration's repository: its refs, then each version's docs from git trees.
//!
//! Refs → versions: the default branch is the current version; branches matching a
//! `version_branches` pattern (local wins over remote-tracking) and, when configured, the
//! newest tag per `major.minor` matching `version_tags` are archived versions. Each version's
//! docs are read straight from its commit's tree (no checkout), in parallel, one repository
//! handle per task, each blob read once per integration.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use git2::{ObjectType, Oid, Repository, RepositoryOpenFlags, Tree};
use rayon::prelude::*;
use serde::Deserialize;

use super::manifest::{self, MANIFEST_FILES, Manifest};
use super::{
    DocsLayout, DocsSnapshot, Origin, RepoSnapshot, SourceError, SourceFile, VersionSnapshot,
};
use crate::config::{IntegrationConfig, RepoLocation};
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown;
use crate::markdown::gitbook;
use crate::markdown::links::{self, RepoTarget};
use crate::version::{self, VersionLabel, VersionPattern};

/// How many symlinks may be followed in a row before giving up (loops).
const MAX_SYMLINK_HOPS: usize = 8;
const GITBOOK_CONFIG: &str = ".gitbook.yaml";
const SUMMARY_FILE: &str = "SUMMARY.md";

type Outcome = (Result<RepoSnapshot, SourceError>, Vec<Diagnostic>);

/// Reads every version of one integration. Fatal problems (no repository, no default
/// branch) are the `Err`; problems with single versions or files are diagnostics.
pub(super) fn read_integration(index: usize, integration: &IntegrationConfig) -> Outcome {
    let mut diagnostics = Vec::new();
    let fail = |message: String| SourceError {
        integration: integration.id.clone(),
        message,
    };
    let path = match &integration.repo {
        RepoLocation::Local(path) => path.clone(),
        RepoLocation::Remote(url) => {
            return (
                Err(fail(format!(
                    "repository {url} is a URL, and this build reads local repositories only: clone it and set `repo` to the clone's path"
                ))),
                diagnostics,
            );
        }
    };
    let result = read_refs(&path, integration, &mut diagnostics)
        .map_err(fail)
        .and_then(|plan| {
            read_versions(&path, integration, plan, &mut diagnostics).map_err(|message| {
                SourceError {
                    integration: integration.id.clone(),
                    message,
                }
            })
        })
        .map(
            |(default_branch, versions, skipped_branches)| RepoSnapshot {
                integration: index,
                default_branch,
                versions,
                skipped_branches,
            },
        );
    (result, diagnostics)
}

/// A version to read: which commit, and what it will be called.
struct PlannedVersion {
    /// `None` for the current version, whose label depends on its manifest.
    label: Option<VersionLabel>,
    origin: Origin,
    commit: Oid,
}

struct ReadPlan {
    default_branch: String,
    versions: Vec<PlannedVersion>,
    skipped_branches: Vec<String>,
}

fn open(path: &Path) -> Result<Repository, String> {
    // NO_SEARCH: a folder that is not a repository must be an error, not silently the
    // enclosing repository (the portal's own, for example).
    Repository::open_ext(
        path,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&str>(),
    )
    .map_err(|err| {
        format!(
            "cannot open the git repository at {}: {}; check `repo` in site.toml",
            path.display(),
            err.message()
        )
    })
}

fn read_refs(
    path: &Path,
    integration: &IntegrationConfig,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<ReadPlan, String> {
    let repo = open(path)?;
    let (default_branch, tip) = default_branch(&repo, integration.branch.as_deref())?;

    // label → (origin, commit); the first found per label wins after the preference sort.
    let mut branches: Vec<(VersionLabel, Origin, Oid)> = Vec::new();
    let mut skipped = BTreeSet::new();
    let mut tags: Vec<(VersionLabel, String, Oid)> = Vec::new();
    let references = repo.references().map_err(|err| {
        format!(
            "cannot list the branches of {}: {}",
            path.display(),
            err.message()
        )
    })?;
    for reference in references.flatten() {
        let Ok(name) = reference.name() else { continue };
        let (branch, remote) = if let Some(local) = name.strip_prefix("refs/heads/") {
            (local.to_string(), None)
        } else if let Some(rest) = name.strip_prefix("refs/remotes/") {
            let Some((remote, branch)) = rest.split_once('/') else {
                continue;
            };
            if branch == "HEAD" {
                continue;
            }
            (branch.to_string(), Some(remote.to_string()))
        } else if let Some(tag) = name.strip_prefix("refs/tags/") {
            if let Some(label) = version::match_any(&integration.version_tags, tag)
                && let Ok(commit) = reference.peel_to_commit()
            {
                tags.push((label, tag.to_string(), commit.id()));
            }
            continue;
        } else {
            continue;
        };
        if branch == default_branch {
            continue;
        }
        let Some(label) = version::match_any(&integration.version_branches, &branch) else {
            if version::looks_like_docs_branch(&branch) && skipped.insert(branch.clone()) {
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
                format!("branch {name} does not point at a commit; skipped"),
            ));
            continue;
        };
        branches.push((label, Origin::Branch { branch, remote }, commit.id()));
    }

    // Local branches win over remote-tracking ones; among remotes, `origin` first.
    branches.sort_by(|(la, oa, _), (lb, ob, _)| {
        la.cmp(lb)
            .then_with(|| origin_preference(oa).cmp(&origin_preference(ob)))
            .then_with(|| oa.short_name().cmp(ob.short_name()))
    });
    let mut versions: Vec<PlannedVersion> = vec![PlannedVersion {
        label: None,
        origin: Origin::DefaultBranch {
            branch: default_branch.clone(),
        },
        commit: tip,
    }];
    // label → the branch name kept for it (without its remote).
    let mut by_label: HashMap<VersionLabel, String> = HashMap::new();
    for (label, origin, commit) in branches {
        let branch = origin.short_name().to_string();
        if let Some(kept) = by_label.get(&label) {
            // The same branch seen again as remote-tracking is expected; two names are not.
            if *kept != branch {
                diagnostics.push(Diagnostic::warning(
                    Location::integration(&integration.id),
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

    // Tags: per major.minor the highest patch wins; a branch with the same label wins.
    tags.sort_by(|(a, ..), (b, ..)| b.cmp(a));
    let mut tag_labels = BTreeSet::new();
    for (full, tag, commit) in tags {
        let label = full.to_major_minor();
        if by_label.contains_key(&label) || !tag_labels.insert(label.clone()) {
            continue;
        }
        versions.push(PlannedVersion {
            label: Some(label),
            origin: Origin::Tag { tag },
            commit,
        });
    }

    Ok(ReadPlan {
        default_branch,
        versions,
        skipped_branches: skipped.into_iter().collect(),
    })
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

type VersionsRead = (String, Vec<VersionSnapshot>, Vec<String>);

fn read_versions(
    path: &Path,
    integration: &IntegrationConfig,
    plan: ReadPlan,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<VersionsRead, String> {
    let blobs = BlobCache::default();
    let results: Vec<(Option<VersionSnapshot>, Vec<Diagnostic>)> = plan
        .versions
        .par_iter()
        .map(|planned| {
            let mut found = Vec::new();
            let snapshot = match open(path) {
                Ok(repo) => read_version(&repo, integration, planned, &blobs, &mut found),
                Err(message) => {
                    found.push(Diagnostic::error(
                        Location::integration(&integration.id)
                            .with_version(planned.origin.describe()),
                        message,
                    ));
                    None
                }
            };
            (snapshot, found)
        })
        .collect();

    let mut versions = Vec::new();
    for (snapshot, found) in results {
        diagnostics.extend(found);
        versions.extend(snapshot);
    }
    match versions.first() {
        Some(first) if first.origin.is_current() => {}
        _ => {
            return Err(format!(
                "the default branch {} has no docs (no README.md, docs/ folder or .gitbook.yaml root); add them or set `docs_dir`",
                plan.default_branch
            ));
        }
    }
    let repo = open(path)?;
    let current_label = current_label(&repo, integration, &versions[0]);
    versions[0].label = current_label;
    Ok((plan.default_branch, versions, plan.skipped_branches))
}

/// The current version's label: the manifest's `major.minor`, else the newest release tag
/// at or behind the tip, else `latest`.
fn current_label(
    repo: &Repository,
    integration: &IntegrationConfig,
    current: &VersionSnapshot,
) -> VersionLabel {
    if let Some(label) = current
        .manifest
        .as_ref()
        .and_then(|m| m.version.as_deref())
        .and_then(VersionLabel::major_minor_of)
    {
        return label;
    }
    let Ok(tip) = Oid::from_str(&current.commit) else {
        return VersionLabel::latest();
    };
    let mut patterns = integration.version_tags.clone();
    for default in ["v{version}", "{version}"] {
        patterns.push(VersionPattern::parse(default).expect("built-in pattern is valid"));
    }
    let mut tags: Vec<(VersionLabel, Oid)> = Vec::new();
    if let Ok(references) = repo.references_glob("refs/tags/*") {
        for reference in references.flatten() {
            let Some(name) = reference
                .name()
                .ok()
                .and_then(|n| n.strip_prefix("refs/tags/"))
            else {
                continue;
            };
            if let Some(label) = version::match_any(&patterns, name)
                && let Ok(commit) = reference.peel_to_commit()
            {
                tags.push((label, commit.id()));
            }
        }
    }
    tags.sort_by(|a, b| b.0.cmp(&a.0));
    tags.into_iter()
        .find(|(_, commit)| {
            *commit == tip || repo.graph_descendant_of(tip, *commit).unwrap_or(false)
        })
        .map(|(label, _)| label.to_major_minor())
        .unwrap_or_else(VersionLabel::latest)
}

/// Blob contents shared by the versions of one integration: archived branches mostly hold
/// the same files, and each is read from the object database once.
#[derive(Default)]
struct BlobCache {
    blobs: Mutex<HashMap<Oid, Arc<[u8]>>>,
    /// What each markdown file links to and includes, parsed once per (path, blob).
    references: Mutex<HashMap<(String, String), Arc<PageReferences>>>,
}

impl BlobCache {
    fn read(&self, repo: &Repository, oid: Oid) -> Option<Arc<[u8]>> {
        if let Some(bytes) = self.blobs.lock().ok()?.get(&oid) {
            return Some(bytes.clone());
        }
        let blob = repo.find_blob(oid).ok()?;
        let bytes: Arc<[u8]> = Arc::from(blob.content());
        if let Ok(mut blobs) = self.blobs.lock() {
            blobs.insert(oid, bytes.clone());
        }
        Some(bytes)
    }
}

/// What a markdown file refers to: link destinations as written, and the files its
/// `{% include %}` blocks pulled in (their links are part of `destinations`).
struct PageReferences {
    destinations: Vec<String>,
    included: Vec<SourceFile>,
}

/// `{% include %}` targets read from the tree, relative to the page being scanned.
struct TreeIncludes<'a, 'r> {
    reader: &'a TreeReader<'r>,
    page: &'a str,
    read: std::cell::RefCell<Vec<SourceFile>>,
}

impl gitbook::Includes for TreeIncludes<'_, '_> {
    fn include(&self, target: &str) -> Result<String, String> {
        let target = links::resolve_in_repo(self.page, target)
            .ok_or_else(|| "the path leaves the repository".to_string())?;
        let file = self
            .reader
            .read(&target.path)
            .ok_or_else(|| format!("{} does not exist on this branch", target.path))?;
        let text = file.text().into_owned();
        self.read.borrow_mut().push(file);
        Ok(text)
    }
}

/// `.gitbook.yaml`: where a GitBook space keeps its docs.
#[derive(Debug, Default, Deserialize)]
struct GitbookConfig {
    root: Option<String>,
    #[serde(default)]
    structure: GitbookStructure,
    /// Old page path → new page file, both inside the docs folder.
    #[serde(default)]
    redirects: BTreeMap<String, serde_yaml_ng::Value>,
}

#[derive(Debug, Default, Deserialize)]
struct GitbookStructure {
    readme: Option<String>,
    summary: Option<String>,
}

/// A commit's tree with path lookups that follow symlinks inside the repository.
struct TreeReader<'r> {
    repo: &'r Repository,
    tree: Tree<'r>,
    blobs: &'r BlobCache,
}

/// A blob found in the tree: its real path (after symlinks) and id.
struct FoundBlob {
    path: String,
    oid: Oid,
}

impl TreeReader<'_> {
    fn is_dir(&self, path: &str) -> bool {
        path.is_empty()
            || self
                .tree
                .get_path(Path::new(path))
                .is_ok_and(|entry| entry.kind() == Some(ObjectType::Tree))
    }

    /// The blob at `path`, following symlinks that stay inside the repository; a landing
    /// file name (`README.md`) also matches in any case (`readme.md`, `Readme.md`). The
    /// path found is where the file appears (a symlink keeps its own name), with its case
    /// as committed.
    fn find_blob(&self, path: &str) -> Option<FoundBlob> {
        let mut path = path.to_string();
        let mut shown: Option<String> = None;
        for _ in 0..MAX_SYMLINK_HOPS {
            let entry = match self.tree.get_path(Path::new(&path)) {
                Ok(entry) => entry,
                Err(_) => {
                    let (dir, name) = path.rsplit_once('/').unwrap_or(("", &path));
                    if !links::is_landing_name(name) {
                        return None;
                    }
                    let found = self.find_case_insensitive(dir, name)?;
                    path = found;
                    continue;
                }
            };
            if entry.kind() != Some(ObjectType::Blob) {
                return None;
            }
            let shown = shown.get_or_insert_with(|| path.clone()).clone();
            if entry.filemode() != 0o120000 {
                return Some(FoundBlob {
                    path: shown,
                    oid: entry.id(),
                });
            }
            // A symlink: its blob holds the target path, relative to the link's folder.
            let target = self.blobs.read(self.repo, entry.id())?;
            let target = std::str::from_utf8(&target).ok()?.trim().to_string();
            if target.starts_with('/') {
                return None;
            }
            path = links::join(links::parent_dir(&path), &target)?;
        }
        None
    }

    fn find_case_insensitive(&self, dir: &str, name: &str) -> Option<String> {
        let subtree;
        let tree = if dir.is_empty() {
            &self.tree
        } else {
            let entry = self.tree.get_path(Path::new(dir)).ok()?;
            subtree = self.repo.find_tree(entry.id()).ok()?;
            &subtree
        };
        let mut matches: Vec<String> = tree
            .iter()
            .filter_map(|entry| entry.name().ok().map(str::to_string))
            .filter(|entry_name| entry_name.eq_ignore_ascii_case(name))
            .collect();
        matches.sort();
        let found = matches.into_iter().next()?;
        Some(if dir.is_empty() {
            found
        } else {
            format!("{dir}/{found}")
        })
    }

    /// What `file` links to and includes (see `markdown::references`), cached per blob.
    fn references(&self, file: &SourceFile) -> Arc<PageReferences> {
        let key = (file.path.clone(), file.blob.clone());
        if let Some(found) = self
            .blobs
            .references
            .lock()
            .ok()
            .and_then(|cache| cache.get(&key).cloned())
        {
            return found;
        }
        let includes = TreeIncludes {
            reader: self,
            page: &file.path,
            read: Default::default(),
        };
        let destinations = markdown::references(&file.text(), &includes);
        let found = Arc::new(PageReferences {
            destinations,
            included: includes.read.into_inner(),
        });
        if let Ok(mut cache) = self.blobs.references.lock() {
            cache.insert(key, found.clone());
        }
        found
    }

    fn read(&self, path: &str) -> Option<SourceFile> {
        let found = self.find_blob(path)?;
        let bytes = self.blobs.read(self.repo, found.oid)?;
        Some(SourceFile {
            path: found.path,
            blob: found.oid.to_string(),
            bytes,
        })
    }

    /// Every blob path under `dir` (recursively), sorted.
    fn list_blobs(&self, dir: &str) -> Vec<String> {
        let subtree;
        let tree = if dir.is_empty() {
            &self.tree
        } else {
            match self
                .tree
                .get_path(Path::new(dir))
                .ok()
                .and_then(|entry| self.repo.find_tree(entry.id()).ok())
            {
                Some(found) => {
                    subtree = found;
                    &subtree
                }
                None => return Vec::new(),
            }
        };
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut paths = Vec::new();
        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && let Ok(name) = entry.name()
            {
                paths.push(format!("{prefix}{parent}{name}"));
            }
            git2::TreeWalkResult::Ok
        });
        paths.sort();
        paths
    }
}

fn read_version(
    repo: &Repository,
    integration: &IntegrationConfig,
    planned: &PlannedVersion,
    blobs: &BlobCache,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<VersionSnapshot> {
    let here = Location::integration(&integration.id).with_version(match &planned.label {
        Some(label) => format!("{label} ({})", planned.origin.describe()),
        None => planned.origin.describe(),
    });
    let commit = match repo.find_commit(planned.commit) {
        Ok(commit) => commit,
        Err(err) => {
            diagnostics.push(Diagnostic::error(
                here,
                format!("cannot read commit {}: {}", planned.commit, err.message()),
            ));
            return None;
        }
    };
    let tree = match commit.tree() {
        Ok(tree) => tree,
        Err(err) => {
            diagnostics.push(Diagnostic::error(
                here,
                format!("cannot read the tree: {}", err.message()),
            ));
            return None;
        }
    };
    let reader = TreeReader { repo, tree, blobs };

    let manifest = read_manifest(&reader, &here, diagnostics);
    let docs = read_docs(&reader, integration, &here, diagnostics)?;
    Some(VersionSnapshot {
        label: planned.label.clone().unwrap_or_else(VersionLabel::latest),
        origin: planned.origin.clone(),
        commit: planned.commit.to_string(),
        commit_time: commit.committer().when().seconds(),
        manifest,
        docs,
    })
}

fn read_manifest(
    reader: &TreeReader,
    here: &Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Manifest> {
    for name in MANIFEST_FILES {
        if let Some(file) = reader.read(name) {
            return match manifest::parse(name, &file.bytes) {
                Ok(manifest) => Some(manifest),
                Err(err) => {
                    diagnostics.push(Diagnostic::warning(
                        here.clone().with_file(name),
                        format!("cannot parse the plugin manifest ({err}); its name, description and version are ignored"),
                    ));
                    None
                }
            };
        }
    }
    None
}

/// Finds the docs folder, the pages and every file they reference.
fn read_docs(
    reader: &TreeReader,
    integration: &IntegrationConfig,
    here: &Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<DocsSnapshot> {
    let gitbook = read_gitbook_config(reader, here, diagnostics);
    let gitbook_redirects: Vec<(String, String)> = gitbook
        .iter()
        .flat_map(|config| config.redirects.iter())
        .filter_map(|(from, to)| {
            Some((from.trim_matches('/').to_string(), to.as_str()?.to_string()))
        })
        .filter(|(from, to)| !from.is_empty() && !to.is_empty())
        .collect();
    let (root, layout) = find_docs_root(reader, integration, gitbook.as_ref(), here, diagnostics);
    let in_root = |name: &str| {
        let name = name.trim_start_matches("./").trim_start_matches('/');
        if root.is_empty() {
            name.to_string()
        } else {
            format!("{root}/{name}")
        }
    };

    let structure = gitbook.as_ref().map(|g| &g.structure);
    let summary_path = structure
        .and_then(|s| s.summary.as_deref())
        .map(in_root)
        .unwrap_or_else(|| in_root(SUMMARY_FILE));
    let summary = reader.read(&summary_path);

    let landing = structure
        .and_then(|s| s.readme.as_deref())
        .map(in_root)
        .and_then(|path| reader.find_blob(&path))
        .or_else(|| {
            ["README.md", "index.md"]
                .iter()
                .find_map(|name| reader.find_blob(&in_root(name)))
        });
    let Some(landing) = landing else {
        diagnostics.push(Diagnostic::warning(
            here.clone(),
            format!(
                "no landing page (README.md or index.md) in {}; this version is left out: add one",
                if root.is_empty() {
                    "the repository root".to_string()
                } else {
                    format!("{root}/")
                }
            ),
        ));
        return None;
    };

    let mut pages: BTreeMap<String, SourceFile> = BTreeMap::new();
    let mut files: BTreeMap<String, SourceFile> = BTreeMap::new();
    let summary_real = summary.as_ref().map(|s| s.path.clone());
    // Old navigation files left beside SUMMARY.md (`SUMMARY2.md`) are pages only if linked.
    let mut stray_summaries: BTreeMap<String, SourceFile> = BTreeMap::new();
    match layout {
        DocsLayout::Folder => {
            for path in reader.list_blobs(&root) {
                let relative = path.strip_prefix(&format!("{root}/")).unwrap_or(&path);
                let hidden = relative.split('/').any(|part| part.starts_with('.'));
                if !links::is_markdown(&path) || hidden || Some(&path) == summary_real.as_ref() {
                    continue;
                }
                let Some(file) = reader.read(&path) else {
                    continue;
                };
                if is_stray_summary(relative) {
                    stray_summaries.insert(path, file);
                } else {
                    pages.insert(path, file);
                }
            }
        }
        DocsLayout::RepositoryRoot => {
            // The README and what it links to, transitively (plus SUMMARY.md's entries).
            let mut queue: VecDeque<RepoTarget> = VecDeque::from([RepoTarget {
                path: landing.path.clone(),
                folder: false,
                fragment: None,
            }]);
            if let Some(summary) = &summary {
                queue.extend(targets_of(reader, summary));
            }
            while let Some(candidate) = queue.pop_front() {
                let Some(found) = find_page(reader, &candidate) else {
                    continue;
                };
                if pages.contains_key(&found.path) {
                    continue;
                }
                let Some(file) = reader.read(&found.path) else {
                    continue;
                };
                queue.extend(targets_of(reader, &file));
                pages.insert(found.path.clone(), file);
            }
        }
    }
    if !pages.contains_key(&landing.path) {
        // A structure.readme outside the usual names is still the landing page.
        if let Some(file) = reader.read(&landing.path) {
            pages.insert(landing.path.clone(), file);
        }
    }

    if !stray_summaries.is_empty() {
        let linked: BTreeSet<String> = pages
            .values()
            .chain(summary.iter())
            .flat_map(|page| targets_of(reader, page))
            .map(|target| target.path)
            .collect();
        for (path, file) in stray_summaries {
            if linked.contains(&path) {
                pages.insert(path, file);
            }
        }
    }

    // Files the pages reference: images, downloads, and links to files outside the docs.
    let referenced: BTreeSet<(String, bool)> = pages
        .values()
        .chain(summary.iter())
        .flat_map(|page| targets_of(reader, page))
        .map(|target| (target.path, target.folder))
        .collect();
    let mut repo_paths = BTreeSet::new();
    for (target, folder) in referenced {
        let is_page = links::candidates(&target, folder)
            .iter()
            .any(|candidate| pages.contains_key(candidate));
        if is_page || folder && !reader.is_dir(&target) {
            continue;
        }
        if reader.is_dir(&target) {
            repo_paths.insert(target);
        } else if links::is_markdown(&target) {
            if reader.find_blob(&target).is_some() {
                repo_paths.insert(target);
            }
        } else if let Some(file) = reader.read(&target) {
            files.insert(target, file);
        }
    }

    // Files pulled in by `{% include %}` (often under the hidden `.gitbook/includes/`).
    let includes: BTreeMap<String, SourceFile> = pages
        .values()
        .flat_map(|page| reader.references(page).included.clone())
        .map(|file| (file.path.clone(), file))
        .collect();

    Some(DocsSnapshot {
        root,
        layout,
        landing: landing.path,
        summary,
        pages: pages.into_values().collect(),
        files,
        includes,
        repo_paths,
        redirects: gitbook_redirects,
    })
}

/// `SUMMARY2.md`, `summary-old.md` at the top of the docs folder: leftovers of GitBook syncs.
fn is_stray_summary(relative: &str) -> bool {
    !relative.contains('/') && relative.to_ascii_lowercase().starts_with("summary")
}

/// A markdown page a resolved link may mean (`setup` → `setup.md` or `setup/README.md`).
fn find_page(reader: &TreeReader, target: &RepoTarget) -> Option<FoundBlob> {
    links::candidates(&target.path, target.folder)
        .iter()
        .filter(|candidate| links::is_markdown(candidate))
        .find_map(|candidate| reader.find_blob(candidate))
}

/// Where the links of a markdown file point inside the repository.
fn targets_of(reader: &TreeReader, file: &SourceFile) -> Vec<RepoTarget> {
    reader
        .references(file)
        .destinations
        .iter()
        .filter_map(|dest| links::resolve_in_repo(&file.path, dest))
        .collect()
}

fn read_gitbook_config(
    reader: &TreeReader,
    here: &Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<GitbookConfig> {
    let file = reader.read(GITBOOK_CONFIG)?;
    match serde_yaml_ng::from_slice::<Option<GitbookConfig>>(&file.bytes) {
        Ok(config) => Some(config.unwrap_or_default()),
        Err(err) => {
            diagnostics.push(Diagnostic::warning(
                here.clone().with_file(GITBOOK_CONFIG),
                format!("cannot parse .gitbook.yaml ({err}); its root and structure are ignored"),
            ));
            None
        }
    }
}

/// SPEC.md's order: `docs_dir`, else `.gitbook.yaml` root when it exists on this branch
/// (and holds a landing page or SUMMARY.md), else `docs/` when it holds a README.md or
/// SUMMARY.md, else the repository root.
fn find_docs_root(
    reader: &TreeReader,
    integration: &IntegrationConfig,
    gitbook: Option<&GitbookConfig>,
    here: &Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> (String, DocsLayout) {
    if let Some(dir) = &integration.docs_dir {
        if reader.is_dir(dir) {
            return (dir.clone(), DocsLayout::Folder);
        }
        diagnostics.push(Diagnostic::warning(
            here.clone(),
            format!("docs_dir {dir:?} does not exist on this branch; looking for the docs as if it were not set"),
        ));
    }
    // A folder counts only when it holds docs: repositories that moved their docs into the
    // README often keep a stale `.gitbook.yaml` or a `docs/` folder of loose pages.
    let structure = gitbook.map(|g| &g.structure);
    let holds_docs = |dir: &str| {
        let readme = structure
            .and_then(|s| s.readme.as_deref())
            .unwrap_or("README.md");
        let summary = structure
            .and_then(|s| s.summary.as_deref())
            .unwrap_or(SUMMARY_FILE);
        [readme, summary, "README.md", "index.md", SUMMARY_FILE]
            .iter()
            .filter_map(|name| links::join(dir, name))
            .any(|path| reader.find_blob(&path).is_some())
    };
    if let Some(root) = gitbook.and_then(|g| g.root.as_deref()) {
        let root = links::join("", root).unwrap_or_default();
        if root.is_empty() {
            // `root: ./`: the repository itself is the GitBook space when it has the
            // space's SUMMARY.md; otherwise every README would make the whole repository
            // (vendored code included) the docs.
            let summary = structure
                .and_then(|s| s.summary.as_deref())
                .unwrap_or(SUMMARY_FILE);
            if reader.find_blob(summary.trim_start_matches("./")).is_some() {
                return (root, DocsLayout::Folder);
            }
        } else if reader.is_dir(&root) && holds_docs(&root) {
            return (root, DocsLayout::Folder);
        }
    }
    if reader.is_dir("docs") && holds_docs("docs") {
        return ("docs".to_string(), DocsLayout::Folder);
    }
    (String::new(), DocsLayout::RepositoryRoot)
}
