//! Where a version's docs are and which files they are made of.
//!
//! The docs folder: `docs_dir`, else `.gitbook.yaml` `root`, else `docs/`, each only when it
//! holds docs, else the repository root. Pages: every markdown file of a docs folder, or
//! the README and what it links to at a repository root. Files: what the pages reference
//! (images, downloads, includes), read from the same tree.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Deserialize;

use super::tree::{FoundBlob, TreeReader};
use super::{DocsLayout, DocsSnapshot, SourceFile};
use crate::config::IntegrationConfig;
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::links::{self, RepoTarget};
use crate::paths;

const GITBOOK_CONFIG: &str = ".gitbook.yaml";

const SUMMARY_FILE: &str = "SUMMARY.md";

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

/// Finds the docs folder, the pages and every file they reference.
pub(super) fn read_docs(
    reader: &TreeReader,
    integration: &IntegrationConfig,
    here: &Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<DocsSnapshot> {
    let gitbook = read_gitbook_config(reader, here, diagnostics);
    let (root, layout) = find_docs_root(reader, integration, gitbook.as_ref(), here, diagnostics);
    let structure = gitbook.as_ref().map(|g| &g.structure);
    let summary = read_summary(reader, &root, structure);
    let Some(landing) = find_landing(reader, &root, structure) else {
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
    let mut pages = match layout {
        DocsLayout::Folder => folder_pages(reader, &root, summary.as_ref()),
        DocsLayout::RepositoryRoot => linked_pages(reader, &landing, summary.as_ref()),
    };
    if !pages.contains_key(&landing.path) {
        // A structure.readme outside the usual names is still the landing page.
        let Some(file) = reader.read(&landing.path) else {
            diagnostics.push(Diagnostic::warning(
                here.clone().with_file(&landing.path),
                "the landing page cannot be published (see the warning about it), so this version is left out: fix the landing page",
            ));
            return None;
        };
        pages.insert(landing.path.clone(), file, false);
    }
    let pages = add_linked_stray_summaries(reader, pages, summary.as_ref());
    let (files, repo_paths) = referenced_files(reader, &pages, summary.as_ref());
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
        redirects: gitbook_redirects(gitbook.as_ref()),
        // Filled in by the caller, once everything of the version is read.
        left_out: BTreeMap::new(),
        tree: None,
    })
}

/// The path whose git id changes exactly when the docs change, as [`read_docs`] finds them
/// (for `audit`): the docs folder (`docs`), or for docs at the repository root their landing
/// page (`README.md`), since the root's own id changes with every commit.
pub(super) fn docs_path(reader: &TreeReader, integration: &IntegrationConfig) -> Option<String> {
    // Reading problems are the build's to report; here only the place matters.
    let mut ignored = Vec::new();
    let here = reader.here.clone();
    let gitbook = read_gitbook_config(reader, &here, &mut ignored);
    let (root, _) = find_docs_root(reader, integration, gitbook.as_ref(), &here, &mut ignored);
    if !root.is_empty() {
        return Some(root);
    }
    let structure = gitbook.as_ref().map(|g| &g.structure);
    find_landing(reader, &root, structure).map(|landing| landing.path)
}

/// A path `.gitbook.yaml` names, inside the docs folder `root`; `None` when it would leave
/// the repository.
fn in_root(root: &str, name: &str) -> Option<String> {
    crate::paths::join(root, name.trim_start_matches('/'))
}

/// `SUMMARY.md` (or the `.gitbook.yaml` `structure.summary`), when the docs have one.
fn read_summary(
    reader: &TreeReader,
    root: &str,
    structure: Option<&GitbookStructure>,
) -> Option<SourceFile> {
    let name = structure
        .and_then(|s| s.summary.as_deref())
        .unwrap_or(SUMMARY_FILE);
    reader.read(&in_root(root, name)?)
}

/// The `.gitbook.yaml` `structure.readme`, else `README.md` or `index.md`.
fn find_landing(
    reader: &TreeReader,
    root: &str,
    structure: Option<&GitbookStructure>,
) -> Option<FoundBlob> {
    structure
        .and_then(|s| s.readme.as_deref())
        .and_then(|name| in_root(root, name))
        .and_then(|path| reader.find_blob(&path))
        .or_else(|| {
            ["README.md", "index.md"]
                .iter()
                .filter_map(|name| in_root(root, name))
                .find_map(|path| reader.find_blob(&path))
        })
}

/// Pages of a docs folder: every markdown file in it but hidden ones and the summary.
/// Old navigation files left beside SUMMARY.md (`SUMMARY2.md`) are held apart: they are
/// pages only if linked (see [`add_linked_stray_summaries`]).
fn folder_pages(reader: &TreeReader, root: &str, summary: Option<&SourceFile>) -> Pages {
    let mut pages = Pages::new();
    for path in reader.list_blobs(root) {
        let relative = path.strip_prefix(&format!("{root}/")).unwrap_or(&path);
        let hidden = relative.split('/').any(|part| part.starts_with('.'));
        if !crate::paths::is_markdown(&path) || hidden || summary.is_some_and(|s| s.path == path) {
            continue;
        }
        let stray_summary = is_stray_summary(relative);
        let Some(file) = reader.read(&path) else {
            continue;
        };
        pages.insert(path, file, stray_summary);
    }
    pages
}

/// Pages of a repository root: the README and what it links to, transitively (plus
/// SUMMARY.md's entries).
fn linked_pages(reader: &TreeReader, landing: &FoundBlob, summary: Option<&SourceFile>) -> Pages {
    let mut pages = Pages::new();
    let mut queue: VecDeque<RepoTarget> = VecDeque::from([RepoTarget {
        path: landing.path.clone(),
        folder: false,
        fragment: None,
    }]);
    if let Some(summary) = summary {
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
        pages.insert(found.path.clone(), file, false);
    }
    pages
}

/// The pages found, and the stray summaries found beside them.
struct Pages {
    pages: BTreeMap<String, SourceFile>,
    stray_summaries: BTreeMap<String, SourceFile>,
}

impl Pages {
    fn new() -> Self {
        Pages {
            pages: BTreeMap::new(),
            stray_summaries: BTreeMap::new(),
        }
    }

    fn insert(&mut self, path: String, file: SourceFile, stray_summary: bool) {
        if stray_summary {
            self.stray_summaries.insert(path, file);
        } else {
            self.pages.insert(path, file);
        }
    }

    fn contains_key(&self, path: &str) -> bool {
        self.pages.contains_key(path)
    }
}

/// The pages, with each stray summary that a page or the summary links to.
fn add_linked_stray_summaries(
    reader: &TreeReader,
    found: Pages,
    summary: Option<&SourceFile>,
) -> BTreeMap<String, SourceFile> {
    let Pages {
        mut pages,
        stray_summaries,
    } = found;
    if stray_summaries.is_empty() {
        return pages;
    }
    let linked: BTreeSet<String> = pages
        .values()
        .chain(summary)
        .flat_map(|page| targets_of(reader, page))
        .map(|target| target.path)
        .collect();
    for (path, file) in stray_summaries {
        if linked.contains(&path) {
            pages.insert(path, file);
        }
    }
    pages
}

/// Files the pages reference (images, downloads, by repository path), and the paths they
/// reference that exist but are neither pages nor files to copy (markdown outside the docs,
/// folders).
fn referenced_files(
    reader: &TreeReader,
    pages: &BTreeMap<String, SourceFile>,
    summary: Option<&SourceFile>,
) -> (BTreeMap<String, SourceFile>, BTreeSet<String>) {
    let referenced: BTreeSet<(String, bool)> = pages
        .values()
        .chain(summary)
        .flat_map(|page| targets_of(reader, page))
        .map(|target| (target.path, target.folder))
        .collect();
    let mut files = BTreeMap::new();
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
        } else if paths::is_markdown(&target) {
            if reader.find_blob(&target).is_some() {
                repo_paths.insert(target);
            }
        } else if let Some(file) = reader.read_asset(&target) {
            files.insert(target, file);
        }
    }
    (files, repo_paths)
}

/// `.gitbook.yaml` `redirects`: (old path inside the docs, target page as written).
fn gitbook_redirects(gitbook: Option<&GitbookConfig>) -> Vec<(String, String)> {
    gitbook
        .iter()
        .flat_map(|config| config.redirects.iter())
        .filter_map(|(from, to)| {
            Some((from.trim_matches('/').to_string(), to.as_str()?.to_string()))
        })
        .filter(|(from, to)| !from.is_empty() && !to.is_empty())
        .collect()
}

/// `SUMMARY2.md`, `summary-old.md` at the top of the docs folder: leftovers of GitBook syncs.
fn is_stray_summary(relative: &str) -> bool {
    !relative.contains('/') && relative.to_ascii_lowercase().starts_with("summary")
}

/// A markdown page a resolved link may mean (`setup` → `setup.md` or `setup/README.md`).
fn find_page(reader: &TreeReader, target: &RepoTarget) -> Option<FoundBlob> {
    links::candidates(&target.path, target.folder)
        .iter()
        .filter(|candidate| paths::is_markdown(candidate))
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
            .filter_map(|name| paths::join(dir, name))
            .any(|path| reader.find_blob(&path).is_some())
    };
    if let Some(root) = gitbook.and_then(|g| g.root.as_deref()) {
        let root = paths::join("", root).unwrap_or_default();
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
