//! Aggregation: every integration's versions read out of git, and the portal's `content/`.
//!
//! Input: the validated [`SiteConfig`]. Output: [`Sources`], owned bytes and metadata only,
//! so every later stage is git-free and can run in parallel. This is the only module that
//! touches git2. It decides which refs are versions (default branch, `version_branches`,
//! `version_tags`), which folder of each version holds the docs, which files the docs
//! reference, and which pages git sees renamed between consecutive versions (`renames`); it
//! does not decide URLs or which page is which (that is `catalog`).

mod content;
mod docs;
mod fetch;
mod fingerprint;
pub(crate) mod inspect;
mod manifest;
mod page_dates;
mod refs;
pub(crate) use refs::release_tags;
mod renames;
mod repo;
mod text;
mod tree;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::version::VersionLabel;

pub use content::{CONTENT_DIR, PortalContent, content_hash, is_hidden_or_temporary};
pub use fetch::{
    DEFAULT_FETCH_JOBS, DEFAULT_NETWORK_TIMEOUT, FetchSettings, MirrorLocks, Mirrors,
    fetch_remotes, set_network_timeout,
};
pub(crate) use fingerprint::of_inputs as fingerprint;
/// The manifest reader, public only for the property tests (tests/portico/fuzz.rs).
#[doc(hidden)]
pub use manifest::parse as parse_manifest;
pub use manifest::{MANIFEST_FILES, Manifest};
pub use page_dates::PageDates;
pub use renames::{TreeRenames, newest_first};
pub use repo::repository_folders;
pub(crate) use repo::work_tree_of;
pub use tree::is_editor_leftover;
pub(crate) use tree::left_out;

/// Everything the build reads, in configuration order.
#[derive(Debug, Clone)]
pub struct Sources {
    pub content: PortalContent,
    pub content_diagnostics: Vec<Diagnostic>,
    /// One entry per configured integration, in `site.toml` order.
    pub integrations: Vec<Result<RepoSnapshot, SourceError>>,
    /// What reading each integration found, in the same order.
    pub integration_diagnostics: Vec<Vec<Diagnostic>>,
}

impl Sources {
    /// Every problem found while reading.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.content_diagnostics
            .iter()
            .chain(self.integration_diagnostics.iter().flatten())
    }
}

/// A configured integration whose repository cannot be read at all.
#[derive(Debug, Clone, thiserror::Error)]
#[error("integration {integration}: {message}")]
pub struct SourceError {
    pub integration: String,
    pub message: String,
}

/// The versions found in one integration's repository.
#[derive(Debug, Clone)]
pub struct RepoSnapshot {
    /// Index of the integration in `SiteConfig::integrations`.
    pub integration: usize,
    pub default_branch: String,
    /// The current version first, then archived versions in the order found (unsorted).
    pub versions: Vec<VersionSnapshot>,
    /// Branches shaped like archives (`*-docs*`) that match no pattern, for `portico list`.
    pub skipped_branches: Vec<String>,
    /// Which page became which between each version and the next older one, in the order
    /// of [`newest_first`] (see `renames`).
    pub renames: Vec<TreeRenames>,
}

/// One version of one integration: a commit and the docs read from its tree.
#[derive(Debug, Clone)]
pub struct VersionSnapshot {
    pub label: VersionLabel,
    pub origin: Origin,
    /// Full commit id.
    pub commit: String,
    /// Committer time, seconds since the epoch (for "last updated").
    pub commit_time: i64,
    /// Read from the working tree (uncommitted edits included) rather than the commit.
    pub from_work_tree: bool,
    /// When each page last changed on this version's ref (committer time, seconds since
    /// the epoch), by repository path; a page with uncommitted edits has none.
    pub page_dates: BTreeMap<String, i64>,
    /// What reading this version found (kept so that a reused version reports it again).
    pub diagnostics: Vec<Diagnostic>,
    pub manifest: Option<Manifest>,
    pub docs: DocsSnapshot,
}

/// Which git ref a version was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The tip of the default branch: the current release.
    DefaultBranch { branch: String },
    /// An archive branch, local (`remote: None`) or remote-tracking (`remote: Some("origin")`).
    Branch {
        branch: String,
        remote: Option<String>,
    },
    /// A release tag (opt-in through `version_tags`).
    Tag { tag: String },
}

impl Origin {
    pub fn is_current(&self) -> bool {
        matches!(self, Origin::DefaultBranch { .. })
    }

    /// The ref name as git users write it: `master`, `origin/2.1-docs`, `v1.7.0`.
    pub fn ref_name(&self) -> String {
        match self {
            Origin::DefaultBranch { branch } => branch.clone(),
            Origin::Branch {
                branch,
                remote: None,
            } => branch.clone(),
            Origin::Branch {
                branch,
                remote: Some(remote),
            } => format!("{remote}/{branch}"),
            Origin::Tag { tag } => tag.clone(),
        }
    }

    /// The branch or tag name without a remote, for links to the repository's web view.
    pub fn short_name(&self) -> &str {
        match self {
            Origin::DefaultBranch { branch } | Origin::Branch { branch, .. } => branch,
            Origin::Tag { tag } => tag,
        }
    }

    /// `branch jira-docs-2.3`, `tag v1.7.0`: for diagnostics.
    pub fn describe(&self) -> String {
        match self {
            Origin::DefaultBranch { .. } | Origin::Branch { .. } => {
                format!("branch {}", self.ref_name())
            }
            Origin::Tag { tag } => format!("tag {tag}"),
        }
    }
}

/// How a version's docs are laid out in its tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocsLayout {
    /// A docs folder (configured, `.gitbook.yaml` root, or `docs/`): every markdown file is a page.
    Folder,
    /// The repository root: the README and the markdown files reachable from it.
    RepositoryRoot,
}

/// The docs of one version, as owned bytes.
#[derive(Debug, Clone)]
pub struct DocsSnapshot {
    /// The docs folder inside the repository, without slashes (`docs`), or `""` for the root.
    pub root: String,
    pub layout: DocsLayout,
    /// Repository path of the landing page (`docs/README.md`).
    pub landing: String,
    /// `SUMMARY.md` (or the `.gitbook.yaml` `structure.summary`) when the docs have one.
    pub summary: Option<SourceFile>,
    /// Every page, sorted by path.
    pub pages: Vec<SourceFile>,
    /// Non-page files the pages reference that exist in the tree, by repository path.
    pub files: BTreeMap<String, SourceFile>,
    /// Files inlined by `{% include %}`, by repository path.
    pub includes: BTreeMap<String, SourceFile>,
    /// `.gitbook.yaml` `redirects`: (old path inside the docs, target page as written).
    pub redirects: Vec<(String, String)>,
    /// Paths the pages reference that exist in the repository but are neither pages nor
    /// copied files: markdown outside the docs folder, folders (`server/enterprise`).
    pub repo_paths: BTreeSet<String>,
    /// Files that are there but cannot be published (over a size limit, a symlink out of
    /// the repository, a submodule, missing from the object database), with why; each
    /// was also a warning.
    pub left_out: BTreeMap<String, String>,
    /// Git id of the docs folder's tree in the version's commit (the committed one, also
    /// when the pages were read from a working tree): what renames are found between.
    pub tree: Option<String>,
}

/// A file read from git (or from `content/`).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path inside the repository (or inside `content/`), `/`-separated.
    pub path: String,
    /// Git blob id (or a content hash for files not from git): a perfect cache key.
    pub blob: String,
    pub bytes: Arc<[u8]>,
}

impl SourceFile {
    /// The file as text; invalid UTF-8 is replaced rather than failing a whole version.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }
}

/// How sources are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Read each current version from its repository's working tree when its default
    /// branch is checked out (`portico serve`: uncommitted edits show). `build` never does.
    pub work_trees: bool,
    /// Read only the current version, from the working tree whatever HEAD is (a detached
    /// CI checkout of a pull request included), and nothing of the portal's `content/`:
    /// `portico check --repo` checks one repository's docs as they are on disk.
    pub only_work_tree: bool,
    /// Whether pages are dated from git history, and whether the dates are kept in
    /// `cache_dir` for the next build.
    pub page_dates: PageDates,
}

/// What changed since the previous read, so that the rest is reused (`portico serve`).
#[derive(Debug, Clone, Default)]
pub struct Reread {
    pub content: bool,
    /// Indexes in `SiteConfig::integrations`.
    pub integrations: BTreeSet<usize>,
}

/// Reads the sources, reusing from `previous` whatever `reread` does not name; remote
/// integrations are read from their `mirrors` (see [`fetch_remotes`]).
pub fn aggregate_with(
    config: &SiteConfig,
    options: ReadOptions,
    previous: Option<(&Sources, &Reread)>,
    mirrors: &Mirrors,
) -> Sources {
    // libgit2 hashes every object again as it reads it, to catch a corrupt repository;
    // a build reads tens of thousands, and a wide folder's tree once per file looked up in
    // it (10,000 pages in one folder: 15 s of SHA-1). Git itself checks objects on fetch and
    // `git fsck`; a corrupt object still fails to inflate or parse.
    static FAST_READS: std::sync::Once = std::sync::Once::new();
    FAST_READS.call_once(|| git2::opts::strict_hash_verification(false));
    let (content, content_diagnostics) = match previous {
        Some((sources, reread)) if !reread.content => {
            (sources.content.clone(), sources.content_diagnostics.clone())
        }
        _ if options.only_work_tree => (PortalContent::default(), Vec::new()),
        _ => content::read(&config.root),
    };
    let results: Vec<(Result<RepoSnapshot, SourceError>, Vec<Diagnostic>)> = config
        .integrations
        .par_iter()
        .enumerate()
        .map(|(index, integration)| match previous {
            Some((sources, reread)) if !reread.integrations.contains(&index) => (
                sources.integrations[index].clone(),
                sources.integration_diagnostics[index].clone(),
            ),
            Some((sources, _)) => repo::read_integration(
                index,
                integration,
                options,
                &config.build,
                sources.integrations[index].as_ref().ok(),
                mirrors.get(&index),
            ),
            None => repo::read_integration(
                index,
                integration,
                options,
                &config.build,
                None,
                mirrors.get(&index),
            ),
        })
        .collect();
    let (integrations, integration_diagnostics) = results.into_iter().unzip();
    Sources {
        content,
        content_diagnostics,
        integrations,
        integration_diagnostics,
    }
}
