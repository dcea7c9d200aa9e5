//! `portico serve`: build, then watch and apply changes, serving the site from memory with
//! live reload.
//!
//! Calls the same stages as `build` through [`Site`]: the first build reads each current
//! version from its working tree (so uncommitted edits show); each change is classified
//! (`watch`) and [`Site::rebuild`] redoes only what it can affect. A failed rebuild never
//! stops the server: the last good site stays up and the error shows in the terminal and
//! over every page until it is fixed. Writes nothing to disk.

pub(crate) mod http;
pub(crate) mod watch;

use std::collections::{BTreeSet, HashMap};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::catalog::Catalog;
use crate::config::{CONFIG_FILE, RepoLocation, SiteConfig};
use crate::diagnostics::{Diagnostic, Severity, printable};
use crate::options::{BuildOptions, RemoteOptions};
use crate::site::{Changes, Site};
use crate::source::{CONTENT_DIR, DocsLayout, ReadOptions, repository_folders};
use crate::theme::THEMES_DIR;

use http::{AllowedHosts, Broadcast, Http, Limits, Served};
use watch::{WatchPlan, WatchedRepo, Watcher};

pub const DEFAULT_PORT: u16 = 1111;
pub const DEFAULT_BIND: &str = "127.0.0.1";

/// What `portico serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    /// Open the portal in the default browser once it is up.
    pub open: bool,
    /// How remote repositories are fetched (once at start, and again when `site.toml`
    /// changes their settings).
    pub remote: RemoteOptions,
}

/// A running preview: the listening address, and the loop that keeps the site current.
pub struct Server {
    pub address: std::net::SocketAddr,
    served: Arc<RwLock<Served>>,
    broadcast: Arc<Broadcast>,
    site: Option<Site>,
    build_options: BuildOptions,
    plan: WatchPlan,
    watcher: Watcher,
}

/// Binds the port, builds the site, and starts serving it (in the background).
pub fn start(options: &ServeOptions) -> anyhow::Result<Server> {
    let listener = TcpListener::bind((options.bind.as_str(), options.port)).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "port {} on {} is already in use (another `portico serve`?); stop it or pass --port N",
                options.port,
                options.bind
            )
        } else {
            anyhow::anyhow!("cannot listen on {}:{}: {err}", options.bind, options.port)
        }
    })?;
    let address = listener.local_addr()?;
    let root = std::fs::canonicalize(&options.root)
        .map_err(|err| anyhow::anyhow!("cannot open {}: {err}", options.root.display()))?;
    let build_options = BuildOptions {
        root: root.clone(),
        // Canonical links, the sitemap and 404 links point at this preview.
        base_url: Some(format!("http://{address}/")),
        remote: options.remote.clone(),
        ..BuildOptions::default()
    };
    let Http { served, broadcast } = http::start(
        listener,
        AllowedHosts::new(&options.bind, address),
        Limits::default(),
    );

    let started = Instant::now();
    let site = match Site::assemble(
        &build_options,
        ReadOptions {
            work_trees: true,
            ..ReadOptions::default()
        },
    ) {
        Ok(site) => {
            print_diagnostics(&site.diagnostics, &[]);
            eprintln!(
                "built {} page(s) of {} integration(s) in {} ms",
                site.catalog.pages.len(),
                site.catalog.integrations.len(),
                started.elapsed().as_millis()
            );
            publish(&served, &site, None);
            Some(site)
        }
        Err(err) => {
            // Keep serving (an error page) and watching, so that fixing it is enough.
            let message = format!("{err:#}");
            eprintln!("error: {}", printable(&message));
            set_error(&served, &message);
            None
        }
    };
    let plan = watch_plan(&root, site.as_ref());
    let mut watcher = Watcher::new(&root)?;
    watcher.follow(&plan);
    print_watch_problems(&mut watcher);
    Ok(Server {
        address,
        served,
        broadcast,
        site,
        build_options,
        plan,
        watcher,
    })
}

impl Server {
    /// Watches and rebuilds until the process ends.
    pub fn run(mut self) -> ! {
        loop {
            self.step(Duration::from_secs(3600));
        }
    }

    /// Waits up to `wait` for changes and applies them; returns whether a rebuild ran.
    pub fn step(&mut self, wait: Duration) -> bool {
        let batch = self.watcher.next_batch(wait);
        print_watch_problems(&mut self.watcher);
        let mut changes = watch::to_rebuild(
            batch
                .paths
                .iter()
                .map(|path| watch::classify(path, &self.plan)),
        );
        if batch.rescan {
            eprintln!(
                "warning: the system dropped file-change events (too many at once); rebuilding everything"
            );
            changes.config = true;
        }
        if changes.is_empty() {
            return false;
        }
        let started = Instant::now();
        let what = describe_paths(&batch.paths, &self.plan);
        let previous_diagnostics = self
            .site
            .as_ref()
            .map(|s| s.diagnostics.clone())
            .unwrap_or_default();
        let outcome = match &mut self.site {
            Some(site) => site.rebuild(&changes),
            None => Site::assemble(
                &self.build_options,
                ReadOptions {
                    work_trees: true,
                    ..ReadOptions::default()
                },
            )
            .map(|site| {
                self.site = Some(site);
            }),
        };
        // Folders may have appeared (a new theme, a new docs folder): watch them before
        // anyone hears of this rebuild, so that an edit made in answer to it is seen.
        self.plan = watch_plan(&self.build_options.root, self.site.as_ref());
        self.watcher.follow(&self.plan);
        print_watch_problems(&mut self.watcher);
        match (outcome, &self.site) {
            (Ok(()), Some(site)) => {
                print_diagnostics(&site.diagnostics, &previous_diagnostics);
                publish(&self.served, site, Some(&self.broadcast));
                eprintln!(
                    "{} → {}; rendered {} page(s), composed {} in {} ms",
                    printable(&what),
                    describe_changes(&changes, &site.config),
                    site.rendered.fresh_count(),
                    site.composed,
                    started.elapsed().as_millis()
                );
            }
            (Ok(()), None) => {}
            (Err(err), _) => {
                let message = format!("{err:#}");
                eprintln!(
                    "{} → error (the last good site is still served): {}",
                    printable(&what),
                    printable(&message)
                );
                set_error(&self.served, &message);
                self.broadcast.send("build-error", &message);
            }
        }
        true
    }
}

/// Serves `site`'s files from now on, and tells open pages to reload.
fn publish(served: &RwLock<Served>, site: &Site, broadcast: Option<&Broadcast>) {
    let files: HashMap<String, Arc<[u8]>> = site
        .files
        .iter()
        .map(|f| (f.path.clone(), f.bytes.clone()))
        .collect();
    if let Ok(mut served) = served.write() {
        served.files = files;
        served.error = None;
    }
    if let Some(broadcast) = broadcast {
        broadcast.send("reload", "");
    }
}

fn set_error(served: &RwLock<Served>, message: &str) {
    if let Ok(mut served) = served.write() {
        served.error = Some(message.to_string());
    }
}

fn print_watch_problems(watcher: &mut Watcher) {
    for problem in watcher.take_problems() {
        eprintln!("{}", printable(&problem.to_string()));
    }
}

/// Prints the diagnostics that are new since the previous build.
fn print_diagnostics(diagnostics: &[Diagnostic], previous: &[Diagnostic]) {
    for diagnostic in diagnostics.iter().filter(|d| !previous.contains(d)) {
        eprintln!("{diagnostic}");
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        eprintln!("{errors} error(s): fix them before publishing");
    }
}

/// `docs/setup.md changed` / `3 files changed`.
fn describe_paths(paths: &[PathBuf], plan: &WatchPlan) -> String {
    let shown: Vec<String> = paths
        .iter()
        .filter(|path| watch::classify(path, plan) != watch::Change::Ignored)
        .map(|path| {
            let root = plan.config_file.parent().unwrap_or(Path::new("/"));
            path.strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect();
    match shown.as_slice() {
        [] => "changes".to_string(),
        [one] => format!("{one} changed"),
        [first, rest @ ..] => format!("{first} and {} more changed", rest.len()),
    }
}

/// `site.toml: rebuilt everything` / `re-read jira, zoom`.
fn describe_changes(changes: &Changes, config: &SiteConfig) -> String {
    if changes.config {
        return "rebuilt everything".to_string();
    }
    let mut parts = Vec::new();
    if changes.theme {
        parts.push("reloaded the theme".to_string());
    }
    if changes.content {
        parts.push("re-read content/".to_string());
    }
    if !changes.integrations.is_empty() {
        let ids: Vec<&str> = changes
            .integrations
            .iter()
            .filter_map(|&index| config.integrations.get(index).map(|i| i.id.as_str()))
            .collect();
        parts.push(format!("re-read {}", ids.join(", ")));
    }
    parts.join(", ")
}

/// The folders to watch for `site` (or, without a site yet, the portal's own files).
fn watch_plan(root: &Path, site: Option<&Site>) -> WatchPlan {
    let theme = site.map_or("default", |s| s.config.site.theme.as_str());
    let mut repos = Vec::new();
    if let Some(site) = site {
        for (index, integration) in site.config.integrations.iter().enumerate() {
            let RepoLocation::Local(path) = &integration.repo else {
                continue;
            };
            let Some((git_dir, work_dir)) = repository_folders(path) else {
                continue;
            };
            let (folders, docs_folders) = match &work_dir {
                Some(work_dir) => current_folders(&site.catalog, index, work_dir),
                None => (BTreeSet::new(), BTreeSet::new()),
            };
            repos.push(WatchedRepo {
                integration: index,
                git_dir: canonical(&git_dir),
                work_dir: work_dir.as_deref().map(canonical),
                folders,
                docs_folders,
            });
        }
    }
    WatchPlan {
        config_file: root.join(CONFIG_FILE),
        content_dir: root.join(CONTENT_DIR),
        theme_dir: root.join(THEMES_DIR).join(theme),
        repos,
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Folders of the working tree the current version's files live in (watched one level
/// deep), and its docs folder (watched recursively, so new pages are seen).
fn current_folders(
    catalog: &Catalog,
    config_index: usize,
    work_dir: &Path,
) -> (BTreeSet<PathBuf>, BTreeSet<PathBuf>) {
    let work_dir = canonical(work_dir);
    let mut folders = BTreeSet::new();
    let mut docs_folders = BTreeSet::new();
    let Some(integration) = catalog
        .integrations
        .iter()
        .find(|i| i.config == config_index)
    else {
        return (folders, docs_folders);
    };
    let current = integration.current();
    let parent_of = |path: &str| work_dir.join(crate::paths::parent_dir(path));
    for &page in &current.docs.pages {
        folders.insert(parent_of(&catalog.pages[page].source.path));
    }
    for asset in &current.docs.assets {
        folders.insert(parent_of(&asset.source.path));
    }
    if current.layout == DocsLayout::Folder && !current.docs.root.is_empty() {
        docs_folders.insert(work_dir.join(&current.docs.root));
    }
    (folders, docs_folders)
}
