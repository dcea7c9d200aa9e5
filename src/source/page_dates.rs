//! "Last updated": for every page of a version, the committer time of the commit that last
//! changed the page's file on that version's ref.
//!
//! One first-parent walk of history per version, from the ref's commit back: between each
//! commit and its first parent, a tree diff (only the folder holding the pages, skipped
//! when that folder's tree did not change) names the pages that commit changed; a page is
//! dated by the newest such commit, and the walk stops once every page is dated. It is
//! bounded ([`MAX_COMMITS_WALKED`]): a page older than that, or whose history cannot be
//! read, gets the ref's own commit time. The result is a function of the commit alone (no
//! clock, no locale), kept on disk in `cache_dir/page-dates/` per integration and ref, so
//! that a build whose ref did not move reads it back instead of walking again.
//!
//! A page read from the working tree (`serve`) is dated only when it is as committed at
//! `HEAD`: an uncommitted edit has no commit to date it by.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use git2::{Commit, DiffOptions, Oid, Repository, Tree};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::SourceFile;

/// How far back one version's walk goes: decades of a busy plugin's history, a bounded time.
pub(crate) const MAX_COMMITS_WALKED: usize = 20_000;
/// The folder under `cache_dir` holding the dates.
const FOLDER: &str = "page-dates";
/// Bumped when the record's layout or meaning changes.
const LAYOUT: u32 = 1;

/// Whether and how a read dates pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PageDates {
    /// Dates are computed, or read from the cache when there; the cache is not written
    /// (`check`, which writes nothing).
    Read,
    /// As `Read`, and what was computed is kept in the cache (`build`, `serve`).
    #[default]
    ReadAndStore,
    /// No dates (`list`, `check --repo`: nothing shows them).
    Skip,
}

/// The dates of one ref's pages, as kept on disk.
#[derive(Serialize, Deserialize)]
struct Record {
    layout: u32,
    /// The commit the dates are for: another commit means they must be computed again.
    commit: String,
    /// (path, blob id at `commit`, committer time).
    dates: Vec<(String, String, i64)>,
}

/// Where one ref's dates are kept between builds.
pub(super) struct DateCache {
    file: PathBuf,
    writable: bool,
}

impl DateCache {
    /// The cache of the ref `ref_name` of integration `integration` under `cache_dir`;
    /// `None` when dates are not kept (`PageDates::Skip`).
    pub(super) fn of(
        cache_dir: &Path,
        mode: PageDates,
        integration: &str,
        ref_name: &str,
    ) -> Option<DateCache> {
        let writable = match mode {
            PageDates::Skip => return None,
            PageDates::Read => false,
            PageDates::ReadAndStore => true,
        };
        // Ids and ref names may hold anything a file name may not: named by their hash.
        let mut hasher = Sha256::new();
        for part in [integration, ref_name] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let name: String = hasher
            .finalize()
            .iter()
            .take(16)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Some(DateCache {
            file: cache_dir.join(FOLDER).join(format!("{name}.json")),
            writable,
        })
    }

    /// The dates kept for `commit`, when they cover every wanted page.
    fn load(&self, commit: Oid, wanted: &[(String, Oid)]) -> Option<BTreeMap<String, i64>> {
        let record: Record = serde_json::from_slice(&fs::read(&self.file).ok()?).ok()?;
        if record.layout != LAYOUT || record.commit != commit.to_string() {
            return None;
        }
        let kept: BTreeMap<(&str, &str), i64> = record
            .dates
            .iter()
            .map(|(path, blob, time)| ((path.as_str(), blob.as_str()), *time))
            .collect();
        wanted
            .iter()
            .map(|(path, blob)| {
                let blob = blob.to_string();
                let time = kept.get(&(path.as_str(), blob.as_str()))?;
                Some((path.clone(), *time))
            })
            .collect()
    }

    /// Keeps `dates` for `commit`, replacing what was kept for this ref (written aside and
    /// renamed, so that a concurrent build never reads half a record).
    fn store(&self, commit: Oid, wanted: &[(String, Oid)], dates: &BTreeMap<String, i64>) {
        if !self.writable {
            return;
        }
        let record = Record {
            layout: LAYOUT,
            commit: commit.to_string(),
            dates: wanted
                .iter()
                .filter_map(|(path, blob)| {
                    Some((path.clone(), blob.to_string(), *dates.get(path)?))
                })
                .collect(),
        };
        let (Some(dir), Ok(bytes)) = (self.file.parent(), serde_json::to_vec(&record)) else {
            return;
        };
        let temporary = self
            .file
            .with_extension(format!("{}.tmp", std::process::id()));
        let written = fs::create_dir_all(dir).is_ok()
            && fs::write(&temporary, bytes).is_ok()
            && fs::rename(&temporary, &self.file).is_ok();
        if !written {
            let _ = fs::remove_file(&temporary);
        }
    }
}

/// Each page's last-changed time (committer time, seconds since the epoch) on the history
/// of `tip`, by repository path. `from_work_tree`: pages not as committed at `tip` get none.
pub(super) fn page_dates(
    repo: &Repository,
    tip: &Commit,
    pages: &[SourceFile],
    from_work_tree: bool,
    cache: Option<&DateCache>,
) -> BTreeMap<String, i64> {
    let Ok(tip_tree) = tip.tree() else {
        return BTreeMap::new();
    };
    // Every page committed at `tip` is dated (and kept), edited in the working tree or
    // not: what is kept for a commit is then the same whoever computed it.
    let committed: Vec<(String, Oid)> = pages
        .iter()
        .filter_map(|page| {
            let id = tip_tree.get_path(Path::new(&page.path)).ok()?.id();
            Some((page.path.clone(), id))
        })
        .collect();
    if committed.is_empty() {
        return BTreeMap::new();
    }
    let mut dates = match cache.and_then(|cache| cache.load(tip.id(), &committed)) {
        Some(kept) => kept,
        None => {
            let dates = walk(repo, tip, &committed);
            if let Some(cache) = cache {
                cache.store(tip.id(), &committed, &dates);
            }
            dates
        }
    };
    if from_work_tree {
        let committed: BTreeMap<&str, String> = committed
            .iter()
            .map(|(path, id)| (path.as_str(), id.to_string()))
            .collect();
        let as_committed: HashSet<&str> = pages
            .iter()
            .filter(|page| committed.get(page.path.as_str()) == Some(&page.blob))
            .map(|page| page.path.as_str())
            .collect();
        dates.retain(|path, _| as_committed.contains(path.as_str()));
    }
    dates
}

/// The first-parent walk from `tip` that dates every wanted page (see the module comment).
fn walk(repo: &Repository, tip: &Commit, wanted: &[(String, Oid)]) -> BTreeMap<String, i64> {
    let mut undated: HashSet<&str> = wanted.iter().map(|(path, _)| path.as_str()).collect();
    let folder = common_folder(wanted);
    let mut dates = BTreeMap::new();
    let mut commit = tip.clone();
    for _ in 0..MAX_COMMITS_WALKED {
        if undated.is_empty() {
            return dates;
        }
        let time = commit.committer().when().seconds();
        if commit.parent_count() == 0 {
            // The first commit added every page still undated.
            for path in undated.drain() {
                dates.insert(path.to_string(), time);
            }
            return dates;
        }
        let (Ok(parent), Ok(tree)) = (commit.parent(0), commit.tree()) else {
            break;
        };
        let Ok(parent_tree) = parent.tree() else {
            break;
        };
        if folder_id(&tree, &folder) != folder_id(&parent_tree, &folder) {
            let Some(changed) = changed_paths(repo, &parent_tree, &tree, &folder) else {
                break;
            };
            for path in changed {
                if undated.remove(path.as_str()) {
                    dates.insert(path, time);
                }
            }
        }
        commit = parent;
    }
    // Beyond the bound, or a history that cannot be read (a shallow clone's missing
    // parent): the ref's own commit time, which is at least not older than the change.
    let tip_time = tip.committer().when().seconds();
    for path in undated {
        dates.insert(path.to_string(), tip_time);
    }
    dates
}

/// The deepest folder holding every wanted page (`docs`, or `""` for the root).
fn common_folder(wanted: &[(String, Oid)]) -> String {
    let folder_of = |path: &str| path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
    let mut common = folder_of(&wanted[0].0);
    for (path, _) in &wanted[1..] {
        while !common.is_empty() && !path.starts_with(&format!("{common}/")) {
            common = folder_of(&common);
        }
    }
    common
}

/// The id of `folder`'s tree in `tree` (`None` when it is not there).
fn folder_id(tree: &Tree, folder: &str) -> Option<Oid> {
    if folder.is_empty() {
        return Some(tree.id());
    }
    tree.get_path(Path::new(folder))
        .ok()
        .map(|entry| entry.id())
}

/// The paths under `folder` that differ between two trees (trees compared by id, so only
/// folders that changed are read; no file content is).
fn changed_paths(repo: &Repository, old: &Tree, new: &Tree, folder: &str) -> Option<Vec<String>> {
    let mut options = DiffOptions::new();
    options.ignore_submodules(true);
    if !folder.is_empty() {
        options
            .pathspec(format!("{folder}/"))
            .disable_pathspec_match(true);
    }
    let diff = repo
        .diff_tree_to_tree(Some(old), Some(new), Some(&mut options))
        .ok()?;
    Some(
        diff.deltas()
            .filter_map(|delta| delta.new_file().path()?.to_str().map(str::to_string))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::demo::git::{FileSet, RepoWriter};

    const DAY: i64 = 86_400;

    fn files(entries: &[(&str, &str)]) -> FileSet {
        entries
            .iter()
            .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
            .collect()
    }

    fn page(path: &str, blob: impl ToString) -> SourceFile {
        SourceFile {
            path: path.to_string(),
            blob: blob.to_string(),
            bytes: Arc::from(Vec::new()),
        }
    }

    fn blob_at(repo: &Repository, commit: Oid, path: &str) -> Oid {
        let tree = repo.find_commit(commit).unwrap().tree().unwrap();
        tree.get_path(Path::new(path)).unwrap().id()
    }

    #[test]
    fn a_page_edited_in_the_working_tree_has_no_date_and_the_others_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let writer = RepoWriter::init(dir.path(), "main").unwrap();
        let first = writer
            .commit(
                &files(&[("docs/a.md", "a"), ("docs/b.md", "b")]),
                None,
                "1",
                DAY,
            )
            .unwrap();
        let tip = writer
            .commit(
                &files(&[("docs/a.md", "a2"), ("docs/b.md", "b")]),
                Some(first),
                "2",
                2 * DAY,
            )
            .unwrap();
        let repo = &writer.repo;
        let pages = [
            page("docs/a.md", blob_at(repo, tip, "docs/a.md")),
            page("docs/b.md", "edited, not committed"),
            page("docs/new.md", "never committed"),
        ];
        let tip = repo.find_commit(tip).unwrap();
        let committed = page_dates(repo, &tip, &pages, false, None);
        assert_eq!(
            committed,
            BTreeMap::from([
                ("docs/a.md".to_string(), 2 * DAY),
                ("docs/b.md".to_string(), DAY)
            ])
        );
        let in_work_tree = page_dates(repo, &tip, &pages, true, None);
        assert_eq!(
            in_work_tree,
            BTreeMap::from([("docs/a.md".to_string(), 2 * DAY)])
        );
    }

    #[test]
    fn a_merge_dates_what_it_brings_in_by_its_own_commit() {
        let dir = tempfile::tempdir().unwrap();
        let writer = RepoWriter::init(dir.path(), "main").unwrap();
        let base = writer
            .commit(&files(&[("a.md", "a"), ("b.md", "b")]), None, "base", DAY)
            .unwrap();
        let side = writer
            .commit(
                &files(&[("a.md", "a, edited aside"), ("b.md", "b")]),
                Some(base),
                "side",
                2 * DAY,
            )
            .unwrap();
        let repo = &writer.repo;
        let signature =
            git2::Signature::new("T", "t@example.invalid", &git2::Time::new(5 * DAY, 0)).unwrap();
        let (base, side) = (
            repo.find_commit(base).unwrap(),
            repo.find_commit(side).unwrap(),
        );
        let merge = repo
            .commit(
                None,
                &signature,
                &signature,
                "merge",
                &side.tree().unwrap(),
                &[&base, &side],
            )
            .unwrap();
        let merge = repo.find_commit(merge).unwrap();
        let pages = [page("a.md", ""), page("b.md", "")];
        assert_eq!(
            page_dates(repo, &merge, &pages, false, None),
            BTreeMap::from([("a.md".to_string(), 5 * DAY), ("b.md".to_string(), DAY)])
        );
    }

    #[test]
    fn kept_dates_are_read_back_only_for_the_same_commit_and_pages() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DateCache::of(dir.path(), PageDates::ReadAndStore, "jira", "main").unwrap();
        let (commit, other) = (
            Oid::from_bytes(&[1; 20]).unwrap(),
            Oid::from_bytes(&[2; 20]).unwrap(),
        );
        let wanted = vec![("a.md".to_string(), other), ("b.md".to_string(), commit)];
        let dates = BTreeMap::from([("a.md".to_string(), 7), ("b.md".to_string(), 9)]);
        cache.store(commit, &wanted, &dates);
        assert_eq!(cache.load(commit, &wanted), Some(dates));
        assert_eq!(cache.load(other, &wanted), None);
        let changed = vec![("a.md".to_string(), commit)];
        assert_eq!(cache.load(commit, &changed), None);
        let read_only = DateCache::of(dir.path(), PageDates::Read, "jira", "other").unwrap();
        read_only.store(commit, &wanted, &BTreeMap::new());
        assert!(!read_only.file.exists());
    }

    fn wanted(paths: &[&str]) -> Vec<(String, Oid)> {
        paths
            .iter()
            .map(|path| (path.to_string(), Oid::ZERO_SHA1))
            .collect()
    }

    #[test]
    fn the_common_folder_is_the_deepest_one_holding_every_page() {
        assert_eq!(
            common_folder(&wanted(&["docs/a.md", "docs/setup/b.md"])),
            "docs"
        );
        assert_eq!(
            common_folder(&wanted(&["docs/setup/a.md", "docs/setup/b.md"])),
            "docs/setup"
        );
        assert_eq!(common_folder(&wanted(&["README.md", "docs/b.md"])), "");
        assert_eq!(common_folder(&wanted(&["docs2/a.md", "docs/b.md"])), "");
    }

    #[test]
    fn a_cache_is_named_by_integration_and_ref_and_skipped_when_asked() {
        let dir = Path::new("/cache");
        let a = DateCache::of(dir, PageDates::Read, "jira", "2.1-docs").unwrap();
        let b = DateCache::of(dir, PageDates::Read, "jira", "master").unwrap();
        assert_ne!(a.file, b.file);
        assert!(a.file.starts_with("/cache/page-dates"));
        assert!(DateCache::of(dir, PageDates::Skip, "jira", "master").is_none());
    }
}
