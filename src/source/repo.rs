//! Reading one integration's repository: its refs (`refs`), then each version's docs
//! (`docs`) from its tree (`tree`), in parallel, one repository handle per task.

use std::path::Path;

use git2::{Repository, RepositoryOpenFlags};
use rayon::prelude::*;

use super::docs::read_docs;
use super::manifest::{self, MANIFEST_FILES, Manifest};
use super::page_dates::{DateCache, PageDates, page_dates};
use super::refs::{PlannedVersion, ReadPlan, current_label, read_refs, work_tree_plan};
use super::renames::{self, TreeRenames};
use super::tree::{BlobCache, Files, TreeReader, WorkTree};
use super::{ReadOptions, RepoSnapshot, SourceError, VersionSnapshot};
use crate::config::{BuildSettings, IntegrationConfig, RepoLocation, RepositoryLimits};
use crate::diagnostics::{Diagnostic, Location};
use crate::version::VersionLabel;

type Outcome = (Result<RepoSnapshot, SourceError>, Vec<Diagnostic>);

/// Reads every version of one integration. Fatal problems (no repository, no default
/// branch) are the `Err`; problems with single versions or files are diagnostics.
/// `previous` (while serving) lends versions whose commit did not move.
pub(super) fn read_integration(
    index: usize,
    integration: &IntegrationConfig,
    options: ReadOptions,
    build: &BuildSettings,
    previous: Option<&RepoSnapshot>,
    mirror: Option<&Result<std::path::PathBuf, String>>,
) -> Outcome {
    let limits = build.limits;
    let mut diagnostics = Vec::new();
    let fail = |message: String| SourceError {
        integration: integration.id.clone(),
        message,
    };
    let path = match (&integration.repo, mirror) {
        (RepoLocation::Local(path), _) => path.clone(),
        (RepoLocation::Remote(_), Some(Ok(path))) => path.clone(),
        (RepoLocation::Remote(_), Some(Err(message))) => {
            return (Err(fail(message.clone())), diagnostics);
        }
        (RepoLocation::Remote(url), None) => {
            return (
                Err(fail(format!(
                    "repository {} was not fetched",
                    crate::config::redact_url(url)
                ))),
                diagnostics,
            );
        }
    };
    let result = open(&path)
        .and_then(|repo| match options.only_work_tree {
            true => work_tree_plan(&repo, &path),
            false => read_refs(&repo, &path, integration, limits.versions, &mut diagnostics),
        })
        .map_err(fail)
        .and_then(|plan| {
            read_versions(
                &path,
                integration,
                plan,
                options,
                build,
                previous,
                &mut diagnostics,
            )
            .map_err(|message| SourceError {
                integration: integration.id.clone(),
                message,
            })
        })
        .map(
            |(default_branch, versions, skipped_branches, renames)| RepoSnapshot {
                integration: index,
                default_branch,
                versions,
                skipped_branches,
                renames,
            },
        );
    (result, diagnostics)
}

/// A local repository's git folder and working tree (`None` when bare), for watching.
pub fn repository_folders(path: &Path) -> Option<(std::path::PathBuf, Option<std::path::PathBuf>)> {
    let repo = open(path).ok()?;
    Some((
        repo.path().to_path_buf(),
        repo.workdir().map(Path::to_path_buf),
    ))
}

/// The working tree of the git repository at `path`, canonical. The folder itself must be
/// the repository (a folder inside one is refused, as `repo` in `site.toml` is), and have
/// a working tree.
pub(crate) fn work_tree_of(path: &Path) -> anyhow::Result<std::path::PathBuf> {
    let repo = open_exactly(path).map_err(|err| {
        anyhow::anyhow!(
            "--repo {}: not a git repository ({}); pass the folder of a clone of the plugin repository (its root, where .git is)",
            path.display(),
            err.message()
        )
    })?;
    let Some(work_tree) = repo.workdir() else {
        anyhow::bail!(
            "--repo {}: a bare repository has no working tree to check; pass a clone with its files checked out",
            path.display()
        );
    };
    std::fs::canonicalize(work_tree)
        .map_err(|err| anyhow::anyhow!("--repo {}: {err}", work_tree.display()))
}

/// The repository at `path` itself. NO_SEARCH: a folder that is not a repository must be
/// an error, not silently the enclosing repository (the portal's own, for example).
fn open_exactly(path: &Path) -> Result<Repository, git2::Error> {
    Repository::open_ext(
        path,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&str>(),
    )
}

pub(crate) fn open(path: &Path) -> Result<Repository, String> {
    open_exactly(path).map_err(|err| {
        format!(
            "cannot open the git repository at {}: {}; check `repo` in site.toml",
            path.display(),
            err.message()
        )
    })
}

type VersionsRead = (String, Vec<VersionSnapshot>, Vec<String>, Vec<TreeRenames>);

/// Reads every planned version (in parallel), then names the current one.
fn read_versions(
    path: &Path,
    integration: &IntegrationConfig,
    plan: ReadPlan,
    options: ReadOptions,
    build: &BuildSettings,
    previous: Option<&RepoSnapshot>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<VersionsRead, String> {
    let blobs = BlobCache::default();
    let results: Vec<(Option<VersionSnapshot>, Vec<Diagnostic>)> = plan
        .versions
        .par_iter()
        .map(|planned| {
            let reused = previous.and_then(|previous| reusable(previous, planned, options));
            if let Some(known) = reused {
                return (Some(known.clone()), known.diagnostics.clone());
            }
            let read = VersionRead {
                path,
                integration,
                default_branch: &plan.default_branch,
                options,
                limits: build.limits,
                cache_dir: &build.cache_dir,
                blobs: &blobs,
            };
            read.planned(planned)
        })
        .collect();

    let mut versions = Vec::new();
    for (snapshot, found) in results {
        diagnostics.extend(found);
        versions.extend(snapshot);
    }
    let Some(current) = versions
        .first_mut()
        .filter(|first| first.origin.is_current())
    else {
        return Err(format!(
            "the default branch {} has no docs (no README.md, docs/ folder or .gitbook.yaml root); add them or set `docs_dir`",
            plan.default_branch
        ));
    };
    let repo = open(path)?;
    label_current(&repo, integration, current, diagnostics);
    let renames =
        renames::between_versions(&repo, &integration.id, &versions, previous, diagnostics);
    Ok((
        plan.default_branch,
        versions,
        plan.skipped_branches,
        renames,
    ))
}

/// The version an earlier read (while serving) made of the same commit, unless the
/// current version is read from the working tree, which may have changed.
fn reusable<'p>(
    previous: &'p RepoSnapshot,
    planned: &PlannedVersion,
    options: ReadOptions,
) -> Option<&'p VersionSnapshot> {
    if options.work_trees && planned.origin.is_current() {
        return None;
    }
    previous.versions.iter().find(|v| {
        !v.from_work_tree && v.origin == planned.origin && v.commit == planned.commit.to_string()
    })
}

/// What reading one version needs besides the plan: shared by the versions of a repository.
struct VersionRead<'a> {
    path: &'a Path,
    integration: &'a IntegrationConfig,
    default_branch: &'a str,
    options: ReadOptions,
    limits: RepositoryLimits,
    /// Where page dates are kept between builds.
    cache_dir: &'a Path,
    blobs: &'a BlobCache,
}

impl VersionRead<'_> {
    /// One planned version, with its own repository handle, and what reading it found.
    fn planned(&self, planned: &PlannedVersion) -> (Option<VersionSnapshot>, Vec<Diagnostic>) {
        let mut found = Vec::new();
        let snapshot = match open(self.path) {
            Ok(repo) => self.read(&repo, planned, &mut found),
            Err(message) => {
                found.push(Diagnostic::error(
                    Location::integration(&self.integration.id)
                        .with_version(planned.origin.describe()),
                    message,
                ));
                None
            }
        };
        let snapshot = snapshot.map(|mut snapshot| {
            snapshot.diagnostics = found.clone();
            snapshot
        });
        (snapshot, found)
    }

    /// Reads one version from `repo`: its commit, manifest and docs.
    fn read(
        &self,
        repo: &Repository,
        planned: &PlannedVersion,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<VersionSnapshot> {
        let integration = self.integration;
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
        // While serving, the current version is what the writer sees on disk; a check of
        // a repository reads its working tree whatever is checked out.
        let work_tree = if self.options.only_work_tree {
            repo.workdir()
                .and_then(|dir| std::fs::canonicalize(dir).ok())
        } else {
            (self.options.work_trees && planned.origin.is_current())
                .then(|| checked_out_work_tree(repo, self.default_branch))
                .flatten()
        };
        let from_work_tree = work_tree.is_some();
        let commit_tree = tree.id();
        let files = match work_tree {
            Some(dir) => Files::WorkTree(WorkTree::new(repo, dir)),
            None => Files::Commit(tree),
        };
        let reader = TreeReader::new(repo, files, self.blobs, self.limits, here.clone());

        let manifest = read_manifest(&reader, &here, diagnostics);
        let docs = read_docs(&reader, integration, &here, diagnostics);
        let (problems, left_out) = reader.finish();
        diagnostics.extend(problems);
        let mut docs = docs?;
        docs.left_out = left_out;
        let dates_cache = DateCache::of(
            self.cache_dir,
            self.options.page_dates,
            &integration.id,
            &planned.origin.ref_name(),
        );
        let page_dates = match self.options.page_dates {
            PageDates::Skip => Default::default(),
            _ => page_dates(
                repo,
                &commit,
                &docs.pages,
                from_work_tree,
                dates_cache.as_ref(),
            ),
        };
        docs.tree = docs_tree(repo, commit_tree, &docs.root);
        Some(VersionSnapshot {
            label: planned.label.clone().unwrap_or_else(VersionLabel::latest),
            origin: planned.origin.clone(),
            commit: planned.commit.to_string(),
            commit_time: commit.committer().when().seconds(),
            from_work_tree,
            page_dates,
            diagnostics: Vec::new(),
            manifest,
            docs,
        })
    }
}

/// The id of the tree of the docs folder `root` (`""` for the whole tree) of a commit's tree.
fn docs_tree(repo: &Repository, commit_tree: git2::Oid, root: &str) -> Option<String> {
    if root.is_empty() {
        return Some(commit_tree.to_string());
    }
    let tree = repo.find_tree(commit_tree).ok()?;
    let entry = tree.get_path(Path::new(root)).ok()?;
    (entry.kind() == Some(git2::ObjectType::Tree)).then(|| entry.id().to_string())
}

/// Gives the current version (first) its label, and names it so in what reading it found,
/// which was located before the label was known (`2.0 (branch main)`, as the catalog does).
fn label_current(
    repo: &Repository,
    integration: &IntegrationConfig,
    current: &mut VersionSnapshot,
    diagnostics: &mut [Diagnostic],
) {
    let current_label = current_label(repo, integration, current);
    let unlabelled = current.origin.describe();
    let labelled = format!("{current_label} ({unlabelled})");
    for diagnostic in diagnostics.iter_mut().chain(current.diagnostics.iter_mut()) {
        if diagnostic.location.version.as_deref() == Some(unlabelled.as_str()) {
            diagnostic.location.version = Some(labelled.clone());
        }
    }
    current.label = current_label;
}

/// The working directory, when the repository has one and HEAD is the default branch.
fn checked_out_work_tree(repo: &Repository, default_branch: &str) -> Option<std::path::PathBuf> {
    let workdir = repo.workdir()?;
    let head = repo.head().ok()?;
    if head.name().ok()? != format!("refs/heads/{default_branch}") {
        return None;
    }
    std::fs::canonicalize(workdir).ok()
}

pub(super) fn read_manifest(
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
