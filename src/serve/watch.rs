//! Watching what a portal is built from, and deciding what a change means.
//!
//! [`classify`] is pure: a changed path → which part of the site it affects (`site.toml`,
//! `content/`, the theme, an integration's branches or working tree), or nothing (editor
//! leftovers, git's object database, index and logs). [`Watcher`] asks the OS for events on
//! exactly the folders that matter (a repository's docs folders and refs, not its
//! `node_modules`), and [`Watcher::next_batch`] debounces bursts such as a `git commit`.
//! What cannot be watched (the system's inotify limit, most often) is reported once, as a
//! warning naming the folder and how to raise the limit; events the system dropped make
//! the next rebuild a full one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::diagnostics::{Diagnostic, Location};
use crate::site::Changes;
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
    /// The portal root, for naming folders in warnings.
    root: PathBuf,
    problems: Problems,
}

/// One burst of changes.
#[derive(Debug, Default)]
pub struct Batch {
    pub paths: Vec<PathBuf>,
    /// The system dropped events (its queue overflowed): anything may have changed.
    pub rescan: bool,
}

impl Watcher {
    /// A watcher for the portal at `root`; fails with what to do when the system allows no
    /// more watchers.
    pub fn new(root: &Path) -> anyhow::Result<Self> {
        let (sender, events) = channel();
        let watcher = notify::recommended_watcher(move |event| {
            let _ = sender.send(event);
        })
        .map_err(|err| {
            let hint = if is_watch_limit(&err) {
                "; the system's limit on inotify instances or watches is reached: raise it \
                 (for example `sudo sysctl fs.inotify.max_user_instances=1024` and \
                 `sudo sysctl fs.inotify.max_user_watches=524288`) or stop other watchers"
            } else {
                ""
            };
            anyhow::anyhow!("cannot watch files for changes ({err}){hint}")
        })?;
        Ok(Watcher {
            watcher,
            events,
            watched: BTreeSet::new(),
            root: root.to_path_buf(),
            problems: Problems::default(),
        })
    }

    /// Watches exactly the plan's folders (adding and removing watches as it changed). A
    /// folder that cannot be watched is reported (see [`Watcher::take_problems`]) and tried
    /// again next time.
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
            let key = path.display().to_string();
            match self.watcher.watch(&path, mode) {
                Ok(()) => self.problems.resolved(&key),
                Err(err) => {
                    self.problems
                        .report(key, watch_problem(Some(&path), &self.root, &err));
                    wanted.remove(&(path, recursive));
                }
            }
        }
        self.watched = wanted;
    }

    /// Waits for the next burst of events (up to `wait`), and returns the changed paths
    /// once the burst is over.
    pub fn next_batch(&mut self, wait: Duration) -> Batch {
        let mut batch = Batch::default();
        let first = match self.events.recv_timeout(wait) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return batch,
        };
        let started = Instant::now();
        let mut next = Some(first);
        while let Some(event) = next.take() {
            match event {
                Ok(event) if event.need_rescan() => batch.rescan = true,
                Ok(event) if !matches!(event.kind, notify::EventKind::Access(_)) => {
                    batch.paths.extend(event.paths);
                }
                Ok(_) => {}
                // Watching a new subfolder failed, say: the same report as in `follow`.
                Err(err) => {
                    let path = err.paths.first().cloned();
                    let key = path.as_ref().map_or_else(
                        || format!("{:?}", err.kind),
                        |path| path.display().to_string(),
                    );
                    self.problems
                        .report(key, watch_problem(path.as_deref(), &self.root, &err));
                }
            }
            if started.elapsed() < MAX_BURST {
                next = self.events.recv_timeout(QUIET).ok();
            }
        }
        batch.paths.sort();
        batch.paths.dedup();
        batch
    }

    /// Problems found since last asked (each reported once until it is resolved).
    pub fn take_problems(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.problems.new)
    }
}

/// Watch problems, each reported once (by folder) until watching it works again.
#[derive(Debug, Default)]
struct Problems {
    reported: BTreeSet<String>,
    new: Vec<Diagnostic>,
}

impl Problems {
    fn report(&mut self, key: String, problem: Diagnostic) {
        if self.reported.insert(key) {
            self.new.push(problem);
        }
    }

    fn resolved(&mut self, key: &str) {
        self.reported.remove(key);
    }
}

/// Whether `error` is the system's limit on watches or watchers (inotify's ENOSPC and
/// EMFILE), which the user can raise.
fn is_watch_limit(error: &notify::Error) -> bool {
    match &error.kind {
        notify::ErrorKind::MaxFilesWatch => true,
        notify::ErrorKind::Io(io) => {
            matches!(io.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EMFILE))
        }
        _ => false,
    }
}

/// The warning for a folder that cannot be watched (`path` relative to the portal `root`
/// when inside it): what it means and what to do.
fn watch_problem(path: Option<&Path>, root: &Path, error: &notify::Error) -> Diagnostic {
    let location = match path {
        Some(path) => {
            let shown = path
                .strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string();
            Location::file(if shown.is_empty() {
                ".".to_string()
            } else {
                shown
            })
        }
        None => Location::default(),
    };
    let message = if is_watch_limit(error) {
        "cannot watch this folder: the system's limit on inotify watches is reached, so edits \
         here do not rebuild the site; raise the limit (for example \
         `sudo sysctl fs.inotify.max_user_watches=524288`, and add it to /etc/sysctl.conf to \
         keep it), then save any watched file or restart `portico serve`"
            .to_string()
    } else {
        format!(
            "cannot watch this folder ({error}), so edits here do not rebuild the site; \
             restart `portico serve` once it can be read"
        )
    };
    Diagnostic::warning(location, message)
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
    fn the_watch_limit_is_reported_with_the_folder_and_how_to_raise_it() {
        let root = Path::new("/p");
        let limit = notify::Error::new(notify::ErrorKind::MaxFilesWatch);
        let enospc = notify::Error::io(std::io::Error::from_raw_os_error(libc::ENOSPC));
        for error in [limit, enospc] {
            let warning =
                watch_problem(Some(Path::new("/p/repos/jira/docs")), root, &error).to_string();
            assert!(
                warning.starts_with("warning: repos/jira/docs: cannot watch this folder")
                    && warning.contains("fs.inotify.max_user_watches"),
                "{warning}"
            );
        }
        let other = notify::Error::generic("permission denied");
        let warning = watch_problem(Some(Path::new("/srv/zoom.git")), root, &other).to_string();
        assert!(
            warning.contains("/srv/zoom.git") && warning.contains("permission denied"),
            "{warning}"
        );
        assert!(!warning.contains("max_user_watches"));
    }

    #[test]
    fn each_watch_problem_is_reported_once_until_resolved() {
        let mut problems = Problems::default();
        let error = notify::Error::new(notify::ErrorKind::MaxFilesWatch);
        let warning = || watch_problem(Some(Path::new("/p/docs")), Path::new("/p"), &error);
        problems.report("/p/docs".to_string(), warning());
        problems.report("/p/docs".to_string(), warning());
        assert_eq!(problems.new.len(), 1);
        problems.resolved("/p/docs");
        problems.report("/p/docs".to_string(), warning());
        assert_eq!(problems.new.len(), 2);
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
