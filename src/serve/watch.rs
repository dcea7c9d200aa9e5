//! Watching what a portal is built from, and deciding what a change means.
//!
//! [`classify`] is pure: a changed path → which part of the site it affects (`site.toml`,
//! `content/`, the theme, an integration's branches or working tree), or nothing (editor
//! leftovers, git's object database, index and logs). [`Watcher`] asks the OS for events on
//! exactly the folders that matter (a repository's docs folders and refs, not its
//! `node_modules`), and [`Watcher::next_batch`] debounces bursts such as a `git commit`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::Changes;
use crate::source::is_editor_leftover;

/// A burst ends after this much quiet.
const QUIET: Duration = Duration::from_millis(20);
/// A burst is cut off after this long, so that a steady trickle still rebuilds.
const MAX_BURST: Duration = Duration::from_millis(400);

/// One local repository of an integration, as the watcher sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedRepo {
    /// Index in `SiteConfig::integrations`.
    pub integration: usize,
    /// The repository's git folder (`.git`, or the bare repository itself).
    pub git_dir: PathBuf,
    /// The working tree, for non-bare repositories.
    pub work_dir: Option<PathBuf>,
    /// Folders of the working tree whose files the current version uses (watched
    /// non-recursively), and docs folders (watched recursively, for new pages).
    pub folders: BTreeSet<PathBuf>,
    pub docs_folders: BTreeSet<PathBuf>,
}

/// What the portal is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchPlan {
    pub config_file: PathBuf,
    pub content_dir: PathBuf,
    pub theme_dir: PathBuf,
    pub repos: Vec<WatchedRepo>,
}

/// What one changed path means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Config,
    Content,
    Theme,
    /// A branch, tag or HEAD of an integration's repository moved.
    Refs(usize),
    /// A file in an integration's working tree changed.
    WorkTree(usize),
    Ignored,
}

/// What a change to `path` affects.
pub fn classify(path: &Path, plan: &WatchPlan) -> Change {
    if path == plan.config_file {
        return Change::Config;
    }
    let file_name = path.file_name().unwrap_or_default();
    if is_editor_leftover(file_name) {
        return Change::Ignored;
    }
    // A folder on the way to `content/` or the theme appearing counts too: until it
    // exists there is nothing inside it to watch.
    if path.starts_with(&plan.content_dir) || is_ancestor_in_portal(path, &plan.content_dir, plan) {
        return Change::Content;
    }
    if path.starts_with(&plan.theme_dir) || is_ancestor_in_portal(path, &plan.theme_dir, plan) {
        return Change::Theme;
    }
    // The git folder first: for a non-bare repository it is inside the working tree.
    for repo in &plan.repos {
        if let Ok(inside) = path.strip_prefix(&repo.git_dir) {
            let inside = inside.to_string_lossy().replace('\\', "/");
            let is_ref = inside == "HEAD" || inside == "packed-refs" || inside.starts_with("refs/");
            return if is_ref && !inside.ends_with(".lock") {
                Change::Refs(repo.integration)
            } else {
                Change::Ignored
            };
        }
    }
    for repo in &plan.repos {
        if let Some(work_dir) = &repo.work_dir
            && path.starts_with(work_dir)
        {
            return Change::WorkTree(repo.integration);
        }
    }
    Change::Ignored
}

/// `path` is a folder above `target` and inside the portal (`themes/` for `themes/default/`).
fn is_ancestor_in_portal(path: &Path, target: &Path, plan: &WatchPlan) -> bool {
    let root = plan.config_file.parent().unwrap_or(Path::new("/"));
    path != root && path.starts_with(root) && target.starts_with(path)
}

/// Folds classified changes into what to rebuild.
pub fn to_rebuild(changes: impl IntoIterator<Item = Change>) -> Changes {
    let mut out = Changes::default();
    for change in changes {
        match change {
            Change::Config => out.config = true,
            Change::Content => out.content = true,
            Change::Theme => out.theme = true,
            Change::Refs(index) | Change::WorkTree(index) => {
                out.integrations.insert(index);
            }
            Change::Ignored => {}
        }
    }
    out
}

/// File-system events for the folders of a [`WatchPlan`].
pub struct Watcher {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    watched: BTreeSet<(PathBuf, bool)>,
}

impl Watcher {
    pub fn new() -> anyhow::Result<Self> {
        let (sender, events) = channel();
        let watcher = notify::recommended_watcher(move |event| {
            let _ = sender.send(event);
        })?;
        Ok(Watcher {
            watcher,
            events,
            watched: BTreeSet::new(),
        })
    }

    /// Watches exactly the plan's folders (adding and removing watches as it changed).
    pub fn follow(&mut self, plan: &WatchPlan) {
        let mut wanted: BTreeSet<(PathBuf, bool)> = BTreeSet::new();
        if let Some(root) = plan.config_file.parent() {
            wanted.insert((root.to_path_buf(), false));
        }
        wanted.insert((plan.content_dir.clone(), true));
        wanted.insert((plan.theme_dir.clone(), true));
        for repo in &plan.repos {
            wanted.insert((repo.git_dir.clone(), false));
            wanted.insert((repo.git_dir.join("refs"), true));
            if let Some(work_dir) = &repo.work_dir {
                wanted.insert((work_dir.clone(), false));
            }
            for folder in &repo.folders {
                wanted.insert((folder.clone(), false));
            }
            for folder in &repo.docs_folders {
                wanted.insert((folder.clone(), true));
            }
        }
        wanted.retain(|(path, _)| path.is_dir());
        for (path, _) in self.watched.difference(&wanted) {
            let _ = self.watcher.unwatch(path);
        }
        let added: Vec<(PathBuf, bool)> = wanted.difference(&self.watched).cloned().collect();
        for (path, recursive) in added {
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            let _ = self.watcher.watch(&path, mode);
        }
        self.watched = wanted;
    }

    /// Waits for the next burst of events (up to `wait`), and returns the changed paths
    /// once the burst is over.
    pub fn next_batch(&self, wait: Duration) -> Vec<PathBuf> {
        let mut paths = Vec::new();
        let first = match self.events.recv_timeout(wait) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return paths,
        };
        let started = Instant::now();
        let mut take = |event: notify::Result<notify::Event>| {
            if let Ok(event) = event
                && !matches!(event.kind, notify::EventKind::Access(_))
            {
                paths.extend(event.paths);
            }
        };
        take(first);
        while started.elapsed() < MAX_BURST {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => take(event),
                Err(_) => break,
            }
        }
        paths.sort();
        paths.dedup();
        paths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> WatchPlan {
        WatchPlan {
            config_file: PathBuf::from("/p/site.toml"),
            content_dir: PathBuf::from("/p/content"),
            theme_dir: PathBuf::from("/p/themes/default"),
            repos: vec![
                WatchedRepo {
                    integration: 0,
                    git_dir: PathBuf::from("/p/repos/jira/.git"),
                    work_dir: Some(PathBuf::from("/p/repos/jira")),
                    folders: BTreeSet::new(),
                    docs_folders: BTreeSet::new(),
                },
                WatchedRepo {
                    integration: 1,
                    git_dir: PathBuf::from("/srv/zoom.git"),
                    work_dir: None,
                    folders: BTreeSet::new(),
                    docs_folders: BTreeSet::new(),
                },
            ],
        }
    }

    fn of(path: &str) -> Change {
        classify(Path::new(path), &plan())
    }

    #[test]
    fn portal_files_are_told_apart() {
        assert_eq!(of("/p/site.toml"), Change::Config);
        assert_eq!(of("/p/content/process/branching.md"), Change::Content);
        assert_eq!(of("/p/themes/default/templates/page.html"), Change::Theme);
        assert_eq!(of("/p/README.md"), Change::Ignored);
        assert_eq!(of("/p/themes"), Change::Theme, "the theme folder appearing");
        assert_eq!(of("/p"), Change::Ignored);
    }

    #[test]
    fn branch_moves_are_ref_changes_and_git_internals_are_ignored() {
        assert_eq!(
            of("/p/repos/jira/.git/refs/heads/2.1-docs"),
            Change::Refs(0)
        );
        assert_eq!(
            of("/p/repos/jira/.git/refs/remotes/origin/3.0-docs"),
            Change::Refs(0)
        );
        assert_eq!(of("/p/repos/jira/.git/HEAD"), Change::Refs(0));
        assert_eq!(of("/p/repos/jira/.git/packed-refs"), Change::Refs(0));
        assert_eq!(of("/srv/zoom.git/refs/heads/main"), Change::Refs(1));
        for internal in [
            "/p/repos/jira/.git/objects/ab/cdef",
            "/p/repos/jira/.git/index",
            "/p/repos/jira/.git/logs/HEAD",
            "/p/repos/jira/.git/refs/heads/master.lock",
            "/p/repos/jira/.git/COMMIT_EDITMSG",
        ] {
            assert_eq!(of(internal), Change::Ignored, "{internal}");
        }
    }

    #[test]
    fn working_tree_edits_count_and_editor_leftovers_do_not() {
        assert_eq!(of("/p/repos/jira/docs/setup.md"), Change::WorkTree(0));
        assert_eq!(of("/p/repos/jira/.gitbook.yaml"), Change::WorkTree(0));
        for leftover in [
            "/p/repos/jira/docs/.setup.md.swp",
            "/p/repos/jira/docs/setup.md~",
            "/p/repos/jira/docs/#setup.md#",
            "/p/repos/jira/docs/.#setup.md",
            "/p/repos/jira/docs/4913",
            "/p/content/.index.md.swp",
        ] {
            assert_eq!(of(leftover), Change::Ignored, "{leftover}");
        }
    }

    #[test]
    fn changes_fold_into_a_rebuild_plan() {
        let rebuild = to_rebuild([
            Change::WorkTree(0),
            Change::Refs(0),
            Change::Refs(1),
            Change::Ignored,
        ]);
        assert!(!rebuild.config && !rebuild.theme && !rebuild.content);
        assert_eq!(rebuild.integrations.into_iter().collect::<Vec<_>>(), [0, 1]);
        assert!(to_rebuild([Change::Ignored]).is_empty());
    }
}
