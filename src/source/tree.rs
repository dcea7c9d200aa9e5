//! A version's files: a commit's tree, or (while serving) the working tree of the
//! checked-out default branch, behind one interface.
//!
//! Lookups follow symlinks that stay inside the repository and match landing file names
//! (`README.md`) in any case. Blob contents are shared by the versions of one integration
//! and read once; working-tree files get their git blob id, so an unchanged file has the
//! same id (and cache entries) as in the commit. A working tree shows only what a commit
//! could hold: files git tracks, and new files git does not ignore (never a git-ignored
//! `.env`, whatever links to it).
//!
//! A file that is there but cannot be published (a symlink leading out of the repository
//! or nowhere, a submodule, a blob missing from the object database, a file over the size
//! limits, which is never loaded) is left out and remembered with the reason, for a
//! warning naming it. Markdown text is repaired (see `text`) as it is read.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use git2::{ObjectType, Oid, Repository, Tree};
use walkdir::WalkDir;

use super::SourceFile;
use super::text;
use crate::config::{RepositoryLimits, describe_size};
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown;
use crate::markdown::gitbook;
use crate::markdown::links;
use crate::paths;

/// How many symlinks may be followed in a row before giving up (loops).
const MAX_SYMLINK_HOPS: usize = 8;
/// Git's file mode of a symbolic link.
const SYMLINK_MODE: i32 = 0o120000;
/// The longest symlink target worth reading (PATH_MAX): a larger "link" is not one.
const MAX_SYMLINK_TARGET: u64 = 4096;

/// How large a file may be, and the `[build]` key that says so.
#[derive(Clone, Copy)]
struct SizeLimit {
    bytes: u64,
    key: Option<&'static str>,
}

impl SizeLimit {
    fn page(limits: RepositoryLimits) -> Self {
        SizeLimit {
            bytes: limits.page,
            key: Some("max_page_size"),
        }
    }

    fn asset(limits: RepositoryLimits) -> Self {
        SizeLimit {
            bytes: limits.asset,
            key: Some("max_asset_size"),
        }
    }
}

/// Why a blob's bytes were not read.
enum NotRead {
    /// The object database does not have it (or cannot give it).
    Missing(String),
    /// Its size, over the limit.
    TooLarge(u64),
}

/// Blob contents shared by the versions of one integration: archived branches mostly hold
/// the same files, and each is read from the object database once.
#[derive(Default)]
pub(super) struct BlobCache {
    blobs: Mutex<HashMap<Oid, Arc<[u8]>>>,
    /// What each markdown file links to and includes, parsed once per (path, blob).
    references: Mutex<HashMap<(String, String), Arc<PageReferences>>>,
}

impl BlobCache {
    fn get(&self, oid: Oid) -> Option<Arc<[u8]>> {
        self.blobs.lock().ok()?.get(&oid).cloned()
    }

    fn put(&self, oid: Oid, bytes: Arc<[u8]>) {
        if let Ok(mut blobs) = self.blobs.lock() {
            blobs.insert(oid, bytes);
        }
    }

    /// The blob's bytes, when it is at most `limit` bytes: its size is read from the
    /// object's header first, so that a larger blob is never loaded.
    fn read(&self, repo: &Repository, oid: Oid, limit: u64) -> Result<Arc<[u8]>, NotRead> {
        if let Some(bytes) = self.get(oid) {
            let size = bytes.len() as u64;
            return if size > limit {
                Err(NotRead::TooLarge(size))
            } else {
                Ok(bytes)
            };
        }
        let missing = |err: git2::Error| NotRead::Missing(err.message().to_string());
        let (size, _) = repo
            .odb()
            .and_then(|odb| odb.read_header(oid))
            .map_err(missing)?;
        if size as u64 > limit {
            return Err(NotRead::TooLarge(size as u64));
        }
        let blob = repo.find_blob(oid).map_err(missing)?;
        let bytes: Arc<[u8]> = Arc::from(blob.content());
        self.put(oid, bytes.clone());
        Ok(bytes)
    }
}

/// What a markdown file refers to: link destinations as written, and the files its
/// `{% include %}` blocks pulled in (their links are part of `destinations`).
pub(super) struct PageReferences {
    pub(super) destinations: Vec<String>,
    pub(super) included: Vec<SourceFile>,
}

/// `{% include %}` targets read from the tree.
struct TreeIncludes<'a, 'r> {
    reader: &'a TreeReader<'r>,
    read: std::cell::RefCell<Vec<SourceFile>>,
}

impl gitbook::Includes for TreeIncludes<'_, '_> {
    fn include(&self, from: &str, target: &str) -> Result<(String, String), String> {
        let path = links::include_path(from, target)?;
        let file = self.reader.read(&path).ok_or_else(|| {
            self.reader
                .left_out
                .borrow()
                .get(&path)
                .cloned()
                .unwrap_or_else(|| format!("{path} does not exist on this branch"))
        })?;
        let text = file.text().into_owned();
        self.read.borrow_mut().push(file);
        Ok((path, text))
    }
}

/// Where the files come from.
pub(super) enum Files<'r> {
    /// A commit's tree, read from the object database.
    Commit(Tree<'r>),
    /// The files on disk under a working directory (uncommitted edits included).
    WorkTree(WorkTree),
}

/// A working tree as it may be published: what git tracks, and new files it does not ignore.
pub(super) struct WorkTree {
    /// Canonical, so that nothing outside it is ever read.
    root: PathBuf,
    /// Paths in the index (tracked even if an ignore rule matches them)...
    tracked: HashSet<String>,
    /// ...and every folder above one.
    tracked_folders: HashSet<String>,
}

impl WorkTree {
    /// The working tree at `root` (canonical) of `repo`, with its index as it is now.
    pub(super) fn new(repo: &Repository, root: PathBuf) -> Self {
        let mut tracked = HashSet::new();
        let mut tracked_folders = HashSet::new();
        if let Ok(index) = repo.index() {
            for entry in index.iter() {
                let path = String::from_utf8_lossy(&entry.path).into_owned();
                let mut below = path.as_str();
                // Folders are inserted bottom-up, so one already there has its parents too.
                while let Some((folder, _)) = below.rsplit_once('/') {
                    if !tracked_folders.insert(folder.to_string()) {
                        break;
                    }
                    below = folder;
                }
                tracked.insert(path);
            }
        }
        WorkTree {
            root,
            tracked,
            tracked_folders,
        }
    }

    /// Whether the file or folder at `path` (relative to the root) may be published: git
    /// tracks it (or something inside it), or ignores nothing on its way. When git cannot
    /// tell, it is not published.
    fn publishes(&self, repo: &Repository, path: &str) -> bool {
        path.is_empty()
            || self.tracked.contains(path)
            || self.tracked_folders.contains(path)
            || matches!(repo.is_path_ignored(path), Ok(false))
    }
}

/// What is at a path, before symlinks are followed.
enum Entry {
    File(Oid),
    Symlink(Oid),
    Folder,
    /// A gitlink: another repository's commit, whose files are not here.
    Submodule,
    /// A working-tree file larger than any limit (not read), with its size.
    TooLarge(u64),
}

/// Why a submodule is left out, and what to do about it.
const SUBMODULE: &str = "is a git submodule, whose files are not part of this repository";
const SUBMODULE_TO_DO: &str =
    "copy the files the docs use into the repository, or link to the submodule's own repository";

/// A file of an integration's repository that cannot be published, in the two forms the
/// build needs: the warning (`why` completes "{path} …", `what_to_do` tells the writer how
/// to fix it) and the reason broken links to it give.
pub(crate) fn left_out(
    here: &Location,
    path: &str,
    why: &str,
    what_to_do: &str,
) -> (Diagnostic, String) {
    (
        Diagnostic::warning(
            here.clone().with_file(path),
            format!("{why}, so it is left out: {what_to_do}"),
        ),
        format!("{path} is left out: it {why}"),
    )
}

/// A version's files with path lookups that follow symlinks inside the repository.
pub(super) struct TreeReader<'r> {
    pub(super) repo: &'r Repository,
    pub(super) files: Files<'r>,
    pub(super) blobs: &'r BlobCache,
    pub(super) limits: RepositoryLimits,
    /// Where problems are reported: the integration and version being read.
    pub(super) here: Location,
    /// Files that are there but cannot be published: path → why (for link messages).
    left_out: RefCell<BTreeMap<String, String>>,
    /// Warnings about what was read, each once.
    problems: RefCell<BTreeSet<Diagnostic>>,
}

/// A blob found in the tree: where it appears and its id.
pub(super) struct FoundBlob {
    pub(super) path: String,
    pub(super) oid: Oid,
}

impl<'r> TreeReader<'r> {
    pub(super) fn new(
        repo: &'r Repository,
        files: Files<'r>,
        blobs: &'r BlobCache,
        limits: RepositoryLimits,
        here: Location,
    ) -> Self {
        TreeReader {
            repo,
            files,
            blobs,
            limits,
            here,
            left_out: RefCell::default(),
            problems: RefCell::default(),
        }
    }

    /// What reading found: the warnings, and the files left out with why.
    pub(super) fn finish(self) -> (Vec<Diagnostic>, BTreeMap<String, String>) {
        (
            self.problems.into_inner().into_iter().collect(),
            self.left_out.into_inner(),
        )
    }

    /// Records that the file at `path` cannot be published (see [`left_out`]).
    fn leave_out(&self, path: &str, why: &str, what_to_do: &str) {
        let (warning, reason) = left_out(&self.here, path, why, what_to_do);
        self.problems.borrow_mut().insert(warning);
        self.left_out
            .borrow_mut()
            .entry(path.to_string())
            .or_insert(reason);
    }

    /// The submodule (gitlink) that `path` lies inside, if any: its files are not in
    /// this repository.
    fn submodule_above(&self, path: &str) -> Option<String> {
        let Files::Commit(tree) = &self.files else {
            return None;
        };
        // Most failed lookups are probes in a folder that exists: one look settles them.
        let parent = paths::parent_dir(path);
        if parent.is_empty()
            || tree
                .get_path(Path::new(parent))
                .is_ok_and(|entry| entry.kind() == Some(ObjectType::Tree))
        {
            return None;
        }
        path.match_indices('/')
            .map(|(at, _)| &path[..at])
            .find_map(|folder| {
                let entry = tree.get_path(Path::new(folder)).ok()?;
                (entry.kind() == Some(ObjectType::Commit)).then(|| folder.to_string())
            })
    }

    /// What is at `path`, before symlinks are followed; `None` when nothing publishable is.
    fn entry(&self, path: &str) -> Option<Entry> {
        match &self.files {
            Files::Commit(tree) => commit_entry(tree, path),
            Files::WorkTree(work_tree) => self.work_tree_entry(work_tree, path),
        }
    }

    /// A working-tree file, read now and keyed by its git blob id (so that an unchanged
    /// file shares the commit's id), when git would publish it and it stays inside.
    fn work_tree_entry(&self, work_tree: &WorkTree, path: &str) -> Option<Entry> {
        if path.split('/').any(|part| part == ".git" || part == "..") {
            return None;
        }
        let root = &work_tree.root;
        let full = root.join(path);
        // Symlinked folders on the way must not lead out of the repository (the
        // last part, if a link, is followed by `find_blob`, inside the repository).
        let parent = std::fs::canonicalize(full.parent()?).ok()?;
        if !parent.starts_with(root) {
            return None;
        }
        // Git's view, both where the file appears and where it really is (through
        // symlinked folders): an ignored file is not there.
        let real = parent.strip_prefix(root).ok()?.join(full.file_name()?);
        let real = real.to_str()?.replace('\\', "/");
        if !work_tree.publishes(self.repo, path)
            || (real != path && !work_tree.publishes(self.repo, &real))
        {
            return None;
        }
        let metadata = std::fs::symlink_metadata(&full).ok()?;
        if metadata.is_dir() {
            return Some(Entry::Folder);
        }
        if metadata.is_file() && metadata.len() > self.limits.largest() {
            return Some(Entry::TooLarge(metadata.len()));
        }
        let (bytes, symlink) = if metadata.file_type().is_symlink() {
            let target = std::fs::read_link(&full).ok()?;
            (
                target.to_string_lossy().replace('\\', "/").into_bytes(),
                true,
            )
        } else {
            (std::fs::read(&full).ok()?, false)
        };
        let oid = Oid::hash_object(ObjectType::Blob, &bytes).ok()?;
        self.blobs.put(oid, Arc::from(bytes));
        Some(if symlink {
            Entry::Symlink(oid)
        } else {
            Entry::File(oid)
        })
    }

    /// The folder `dir` of a commit's `tree` (`""` is the tree itself).
    fn folder(&self, tree: &Tree<'r>, dir: &str) -> Option<Tree<'r>> {
        if dir.is_empty() {
            return Some(tree.clone());
        }
        let entry = tree.get_path(Path::new(dir)).ok()?;
        self.repo.find_tree(entry.id()).ok()
    }

    /// Names in a folder.
    fn names_in(&self, dir: &str) -> Vec<String> {
        match &self.files {
            Files::Commit(tree) => self
                .folder(tree, dir)
                .map(|folder| {
                    folder
                        .iter()
                        .filter_map(|entry| entry.name().ok().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            Files::WorkTree(work_tree) => std::fs::read_dir(work_tree.root.join(dir))
                .map(|entries| {
                    entries
                        .flatten()
                        .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
                        .filter(|name| {
                            name != ".git" && work_tree.publishes(self.repo, &join_path(dir, name))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    pub(super) fn is_dir(&self, path: &str) -> bool {
        matches!(self.entry(path), Some(Entry::Folder))
    }

    /// The blob at `path`, following symlinks that stay inside the repository; a landing
    /// file name (`README.md`) also matches in any case (`readme.md`, `Readme.md`). The
    /// path found is where the file appears (a symlink keeps its own name), with its case
    /// as committed.
    pub(super) fn find_blob(&self, path: &str) -> Option<FoundBlob> {
        let asked = path;
        let mut path = path.to_string();
        let mut shown: Option<String> = None;
        for _ in 0..MAX_SYMLINK_HOPS {
            let Some(entry) = self.entry(&path) else {
                if let Some(found) = self.landing_in_any_case(&path) {
                    path = found;
                    continue;
                }
                self.leave_out_missing(&path, shown.as_deref());
                return None;
            };
            let shown = shown.get_or_insert_with(|| path.clone()).clone();
            match entry {
                Entry::Folder => return None,
                Entry::Submodule => {
                    self.leave_out(&shown, SUBMODULE, SUBMODULE_TO_DO);
                    return None;
                }
                Entry::TooLarge(size) => {
                    let limit = if paths::is_markdown(&shown) {
                        SizeLimit::page(self.limits)
                    } else {
                        SizeLimit::asset(self.limits)
                    };
                    self.leave_out_too_large(&shown, size, limit);
                    return None;
                }
                Entry::File(oid) => return Some(FoundBlob { path: shown, oid }),
                Entry::Symlink(oid) => path = self.symlink_target(oid, &path, &shown)?,
            }
        }
        self.leave_out(
            shown.as_deref().unwrap_or(asked),
            &format!("is a chain of more than {MAX_SYMLINK_HOPS} symbolic links (a loop?)"),
            "point the link at the file itself",
        );
        None
    }

    /// `path` with its landing file name (`README.md`) in the case it has in the tree.
    fn landing_in_any_case(&self, path: &str) -> Option<String> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        crate::paths::is_landing_name(name)
            .then(|| self.find_case_insensitive(dir, name))
            .flatten()
    }

    /// Nothing is at `path`: when a symlink (`link`) led there, or a submodule holds it,
    /// that is left out with why.
    fn leave_out_missing(&self, path: &str, link: Option<&str>) {
        if let Some(link) = link {
            self.leave_out(
                link,
                &format!("is a symbolic link to {path}, which does not exist on this branch"),
                "fix or remove the link",
            );
        } else if let Some(submodule) = self.submodule_above(path) {
            self.leave_out(&submodule, SUBMODULE, SUBMODULE_TO_DO);
        }
    }

    /// Where the symlink at `path` (shown as `shown`) leads, when that is inside the
    /// repository; otherwise the link is left out.
    fn symlink_target(&self, oid: Oid, path: &str, shown: &str) -> Option<String> {
        // The link's blob holds the target path, relative to the link's folder.
        let target = match self.blobs.read(self.repo, oid, MAX_SYMLINK_TARGET) {
            Ok(target) => target,
            Err(not_read) => {
                let limit = SizeLimit {
                    bytes: MAX_SYMLINK_TARGET,
                    key: None,
                };
                self.leave_out_not_read(shown, not_read, limit);
                return None;
            }
        };
        let target = String::from_utf8_lossy(&target).trim().to_string();
        match crate::paths::join(crate::paths::parent_dir(path), &target) {
            Some(inside) if !target.starts_with('/') => Some(inside),
            _ => {
                self.leave_out(
                    shown,
                    &format!("is a symbolic link to {target}, outside the repository"),
                    "link to a file inside the repository, or copy the file in",
                );
                None
            }
        }
    }

    fn leave_out_too_large(&self, path: &str, size: u64, limit: SizeLimit) {
        let size = describe_size(size);
        let bytes = describe_size(limit.bytes);
        match limit.key {
            Some(key) => self.leave_out(
                path,
                &format!("is {size}, over the {bytes} limit of [build] {key}"),
                &format!("make it smaller, or raise {key} in site.toml"),
            ),
            None => self.leave_out(
                path,
                &format!("is a symbolic link of {size}, which no real link is"),
                "replace it with the file it stands for",
            ),
        }
    }

    fn leave_out_not_read(&self, path: &str, not_read: NotRead, limit: SizeLimit) {
        match not_read {
            NotRead::TooLarge(size) => self.leave_out_too_large(path, size, limit),
            NotRead::Missing(err) => self.leave_out(
                path,
                &format!("cannot be read from the repository ({err})"),
                "the clone may be damaged or partial: fetch it again, or run `git fsck` in it",
            ),
        }
    }

    fn find_case_insensitive(&self, dir: &str, name: &str) -> Option<String> {
        let mut matches: Vec<String> = self
            .names_in(dir)
            .into_iter()
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
    pub(super) fn references(&self, file: &SourceFile) -> Arc<PageReferences> {
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
            read: Default::default(),
        };
        let destinations = markdown::references(&file.text(), &file.path, &includes);
        let found = Arc::new(PageReferences {
            destinations,
            included: includes.read.into_inner(),
        });
        if let Ok(mut cache) = self.blobs.references.lock() {
            cache.insert(key, found.clone());
        }
        found
    }

    /// A page or other text Portico reads (SUMMARY.md, includes, manifests), within
    /// `max_page_size`; markdown is repaired (invalid UTF-8, NUL bytes) with a warning.
    pub(super) fn read(&self, path: &str) -> Option<SourceFile> {
        let file = self.read_within(path, SizeLimit::page(self.limits))?;
        if !paths::is_markdown(&file.path) {
            return Some(file);
        }
        let Some((repaired, problems)) = text::repair(&file.bytes) else {
            return Some(file);
        };
        let mut found = self.problems.borrow_mut();
        for problem in problems {
            found.insert(Diagnostic::warning(
                self.here
                    .clone()
                    .with_file(&file.path)
                    .with_line(problem.line),
                problem.message,
            ));
        }
        // The blob id stays the cache key: the repair is a function of the bytes.
        Some(SourceFile {
            bytes: Arc::from(repaired.into_bytes()),
            ..file
        })
    }

    /// A file the pages reference (image, download), within `max_asset_size`.
    pub(super) fn read_asset(&self, path: &str) -> Option<SourceFile> {
        self.read_within(path, SizeLimit::asset(self.limits))
    }

    fn read_within(&self, path: &str, limit: SizeLimit) -> Option<SourceFile> {
        let found = self.find_blob(path)?;
        match self.blobs.read(self.repo, found.oid, limit.bytes) {
            Ok(bytes) => Some(SourceFile {
                path: found.path,
                blob: found.oid.to_string(),
                bytes,
            }),
            Err(not_read) => {
                self.leave_out_not_read(&found.path, not_read, limit);
                None
            }
        }
    }

    /// Every file path under `dir` (recursively), sorted.
    pub(super) fn list_blobs(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut paths = Vec::new();
        match &self.files {
            Files::Commit(tree) => {
                let Some(tree) = self.folder(tree, dir) else {
                    return Vec::new();
                };
                let _ = tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
                    if entry.kind() == Some(ObjectType::Blob)
                        && let Ok(name) = entry.name()
                    {
                        paths.push(format!("{prefix}{parent}{name}"));
                    }
                    git2::TreeWalkResult::Ok
                });
            }
            Files::WorkTree(work_tree) => {
                let base = work_tree.root.join(dir);
                let walker = WalkDir::new(&base).into_iter().filter_entry(|entry| {
                    entry.file_name() != ".git"
                        && !is_editor_leftover(entry.file_name())
                        && entry
                            .path()
                            .strip_prefix(&work_tree.root)
                            .ok()
                            .and_then(Path::to_str)
                            .is_some_and(|relative| {
                                work_tree.publishes(self.repo, &relative.replace('\\', "/"))
                            })
                });
                for entry in walker.flatten() {
                    if entry.file_type().is_dir() {
                        continue;
                    }
                    if let Ok(relative) = entry.path().strip_prefix(&base)
                        && let Some(relative) = relative.to_str()
                    {
                        paths.push(format!("{prefix}{}", relative.replace('\\', "/")));
                    }
                }
            }
        }
        paths.sort();
        paths
    }
}

/// What is at `path` in a commit's tree (`""` is the tree itself).
fn commit_entry(tree: &Tree, path: &str) -> Option<Entry> {
    if path.is_empty() {
        return Some(Entry::Folder);
    }
    let entry = tree.get_path(Path::new(path)).ok()?;
    match entry.kind()? {
        ObjectType::Tree => Some(Entry::Folder),
        ObjectType::Blob if entry.filemode() == SYMLINK_MODE => Some(Entry::Symlink(entry.id())),
        ObjectType::Blob => Some(Entry::File(entry.id())),
        ObjectType::Commit => Some(Entry::Submodule),
        _ => None,
    }
}

/// `dir/name`, or `name` in the root.
fn join_path(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Files editors write next to the one being edited (`.page.md.swp`, `page.md~`, `#page.md#`,
/// `.#page.md`, vim's `4913`): never part of the docs.
pub fn is_editor_leftover(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".#")
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Repository, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        for (name, bytes) in files {
            let blob = repo.blob(bytes).unwrap();
            builder.insert(name, blob, 0o100644).unwrap();
        }
        let tree = builder.write().unwrap();
        drop(builder);
        (dir, repo, tree)
    }

    /// A reader of the working tree of `repo` at `dir`.
    fn work_tree_reader<'r>(
        repo: &'r Repository,
        dir: &Path,
        blobs: &'r BlobCache,
        limits: RepositoryLimits,
    ) -> TreeReader<'r> {
        let root = std::fs::canonicalize(dir).unwrap();
        let files = Files::WorkTree(WorkTree::new(repo, root));
        TreeReader::new(repo, files, blobs, limits, Location::integration("x"))
    }

    fn reader<'r>(repo: &'r Repository, tree: Oid, blobs: &'r BlobCache) -> TreeReader<'r> {
        let limits = RepositoryLimits {
            page: 100,
            asset: 1_000,
            ..RepositoryLimits::default()
        };
        let files = Files::Commit(repo.find_tree(tree).unwrap());
        TreeReader::new(repo, files, blobs, limits, Location::integration("x"))
    }

    #[test]
    fn a_blob_over_its_limit_is_left_out_without_being_loaded() {
        let big = vec![b'x'; 5_000];
        let (_dir, repo, tree) = repository_with(&[
            ("big.png", &big),
            ("page.md", &[b'y'; 500]),
            ("ok.md", b"# Ok\n"),
        ]);
        let blobs = BlobCache::default();
        let reader = reader(&repo, tree, &blobs);
        assert!(reader.read_asset("big.png").is_none());
        assert!(
            reader.read("page.md").is_none(),
            "a page has the page limit"
        );
        assert!(
            reader.read_asset("page.md").is_some(),
            "a file has the asset limit"
        );
        assert!(reader.read("ok.md").is_some());
        let big_id = Oid::hash_object(ObjectType::Blob, &big).unwrap();
        assert!(blobs.get(big_id).is_none(), "never loaded");

        let (problems, left_out) = reader.finish();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0]
                .message
                .starts_with("is 5 KB, over the 1 KB limit of [build] max_asset_size"),
            "{}",
            problems[0].message
        );
        assert_eq!(problems[0].location.file.as_deref(), Some("big.png"));
        assert_eq!(left_out.keys().collect::<Vec<_>>(), ["big.png", "page.md"]);
    }

    #[test]
    fn a_working_tree_file_over_every_limit_is_never_read() {
        let (dir, repo, _) = repository_with(&[]);
        std::fs::write(dir.path().join("huge.png"), vec![0u8; 5_000]).unwrap();
        std::fs::write(dir.path().join("page.md"), vec![b'y'; 500]).unwrap();
        let blobs = BlobCache::default();
        let limits = RepositoryLimits {
            page: 100,
            asset: 1_000,
            ..RepositoryLimits::default()
        };
        let reader = work_tree_reader(&repo, dir.path(), &blobs, limits);
        assert!(reader.read_asset("huge.png").is_none());
        assert!(reader.read("page.md").is_none());
        assert!(
            blobs.blobs.lock().unwrap().len() <= 1,
            "only page.md was read"
        );
        let (problems, _) = reader.finish();
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages[0].starts_with("is 5 KB, over the 1 KB limit of [build] max_asset_size"),
            "{messages:?}"
        );
        assert!(
            messages[1]
                .starts_with("is 500 bytes, over the 100 bytes limit of [build] max_page_size"),
            "{messages:?}"
        );
    }

    #[test]
    fn markdown_with_bad_bytes_is_repaired_with_a_located_warning() {
        let (_dir, repo, tree) = repository_with(&[("bad.md", b"# T\n\nx \xff \x00\n")]);
        let blobs = BlobCache::default();
        let reader = reader(&repo, tree, &blobs);
        let file = reader.read("bad.md").unwrap();
        assert_eq!(&*file.text(), "# T\n\nx \u{fffd} \u{fffd}\n");
        let (problems, left_out) = reader.finish();
        assert!(left_out.is_empty());
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().all(|p| p.location.line == Some(3)));
    }

    /// A repository with `.gitignore`, a tracked page, a new page, ignored files (one of
    /// them force-added) and links to an ignored file.
    fn repo_with_ignored_files() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let write = |path: &str, text: &str| {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        };
        write(".gitignore", ".env\n*.secret\nbuild/\n");
        write(".env", "TOKEN=hunter2\n");
        write("docs/README.md", "# Docs\n");
        write("docs/new.md", "# New, not added yet\n");
        write("docs/key.secret", "secret\n");
        write("docs/forced.secret", "force-added, so tracked\n");
        write("docs/build/out.md", "# Generated\n");
        std::os::unix::fs::symlink("../.env", dir.path().join("docs/env-link")).unwrap();
        std::os::unix::fs::symlink("../build", dir.path().join("docs/build-link")).unwrap();
        let mut index = repo.index().unwrap();
        for path in [".gitignore", "docs/README.md", "docs/forced.secret"] {
            index.add_path(Path::new(path)).unwrap();
        }
        index.write().unwrap();
        (dir, repo)
    }

    #[test]
    fn a_working_tree_shows_tracked_and_new_files_and_never_ignored_ones() {
        let (dir, repo) = repo_with_ignored_files();
        let blobs = BlobCache::default();
        let limits = RepositoryLimits {
            page: 1_000_000,
            asset: 1_000_000,
            ..RepositoryLimits::default()
        };
        let reader = work_tree_reader(&repo, dir.path(), &blobs, limits);
        for shown in ["docs/README.md", "docs/new.md", "docs/forced.secret"] {
            assert!(reader.read(shown).is_some(), "{shown}");
        }
        for hidden in [
            ".env",
            "docs/../.env",
            "docs/key.secret",
            "docs/build/out.md",
            "docs/env-link",
            "docs/build-link/out.md",
        ] {
            assert!(reader.read(hidden).is_none(), "{hidden}");
        }
        assert!(!reader.is_dir("docs/build"));
        assert_eq!(
            reader.list_blobs("docs"),
            [
                "docs/README.md",
                "docs/build-link",
                "docs/env-link",
                "docs/forced.secret",
                "docs/new.md"
            ]
        );
        assert!(reader.find_case_insensitive("", ".ENV").is_none());
    }
}
