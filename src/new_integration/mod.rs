//! `portico new`: an integration's first docs, from the portal's contribution template
//! (`scaffold`), written into the plugin repository's working tree, and its
//! `[[integrations]]` entry appended to `site.toml` (`entry`).
//!
//! Everything is checked before anything is written: the id, the repository, the docs
//! folder, and the portal's configuration with the new entry, validated as `build` loads it.
//! Then the docs are written, then `site.toml` is replaced atomically; if that fails, the
//! docs folder this command created is removed, so a failure leaves nothing behind. Nothing
//! is staged or committed: the author reviews the files first.

mod entry;

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, anyhow, bail};

use crate::config::{self, CONFIG_FILE, ID_RULE, RepoLocation, SiteConfig, is_valid_id};
pub use crate::config::{Deployment, ManagedBy};
use crate::escape::shell_word;
use crate::scaffold::{Fill, Template};
use crate::source::{MANIFEST_FILES, Manifest, parse_manifest, repository_folders};
use entry::Entry;

/// The docs folder the build finds without being told (`docs_dir` is written otherwise).
const FOUND_DOCS_DIR: &str = "docs";
/// A GitBook settings file, whose `root` the build prefers to `docs/`.
const GITBOOK_FILE: &str = ".gitbook.yaml";

/// What `portico new` is asked to create.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The folder holding the portal's `site.toml`.
    pub root: PathBuf,
    pub id: String,
    /// The plugin repository's working tree, as given on the command line.
    pub repo: PathBuf,
    /// The name shown on the portal (default: the manifest's, else the id).
    pub name: Option<String>,
    pub managed_by: ManagedBy,
    pub deployments: Vec<Deployment>,
    /// One sentence for the portal's card (default: the manifest's).
    pub description: Option<String>,
}

/// What `portico new` wrote.
#[derive(Debug, Clone)]
pub struct Scaffolded {
    /// The docs folder, relative to the repository (`docs`).
    pub docs_dir: String,
    /// The pages written, relative to the docs folder.
    pub pages: Vec<String>,
    /// The `[[integrations]]` table appended to `site.toml`.
    pub entry: String,
}

/// Checks everything, then writes the docs and the `site.toml` entry.
pub fn scaffold(options: &NewOptions) -> anyhow::Result<Scaffolded> {
    let site_toml = options.root.join(CONFIG_FILE);
    let text = fs::read_to_string(&site_toml).with_context(|| {
        format!(
            "cannot read {}; pass --root DIR, the folder holding the portal's site.toml",
            site_toml.display()
        )
    })?;
    let config = config::parse(&text, &options.root, &site_toml)
        .map_err(|err| anyhow!("{err}\nsite.toml does not load as it is; fix it first"))?;
    check_id(&text, &site_toml, &config, &options.id)?;
    let workdir = working_tree(&options.repo)?;
    refuse_configured_repository(&text, &site_toml, &config, &workdir)?;
    let template = Template::load(&options.root, &config.site.theme)?;
    let docs_relative = new_docs_dir(&template, &workdir, &options.repo)?;
    let docs_dir = workdir.join(&docs_relative);
    let manifest = read_manifest(&workdir);
    let name = given(&options.name)
        .or(manifest.name.as_deref())
        .unwrap_or(&options.id);
    let description = given(&options.description).or(manifest.description.as_deref());
    let repo = repo_as_written(&options.root, &workdir)?;
    let needs_docs_dir =
        docs_relative != FOUND_DOCS_DIR || workdir.join(GITBOOK_FILE).symlink_metadata().is_ok();
    let mut deployments = options.deployments.clone();
    deployments.sort();
    deployments.dedup();
    let entry = Entry {
        id: &options.id,
        name,
        repo: &repo,
        managed_by: options.managed_by,
        deployments: &deployments,
        description,
        docs_dir: needs_docs_dir.then_some(docs_relative.as_str()),
    };
    let new_text = entry::append(&text, &entry).map_err(|message| anyhow!(message))?;
    if let Err(err) = config::parse(&new_text, &options.root, &site_toml) {
        bail!(
            "the entry would not load, so nothing was written (lines as in site.toml with the entry appended):\n{err}\nthe entry:\n{}",
            entry::new_table_text(&entry)
        );
    }
    let placeholder = format!(
        "{name} connects Mattermost with *the service*: say what it does, for whom, in one sentence."
    );
    let pages = template.filled_pages(&Fill {
        id: &options.id,
        name,
        description: description.unwrap_or(&placeholder),
        managed_by: managed_by_text(options.managed_by),
        deployments: &deployments_text(&deployments),
        available: &deployments,
    });
    let created = write_docs(&workdir, &docs_dir, &pages)?;
    if let Err(err) = replace_file(&site_toml, &text, &new_text) {
        // Leave nothing half done: the docs without their entry would be a surprise.
        let _ = fs::remove_dir_all(&created);
        return Err(err.context(format!(
            "cannot write {}; the docs folder written in the repository was removed again",
            site_toml.display()
        )));
    }
    Ok(Scaffolded {
        entry: entry::new_table_text(&entry),
        docs_dir: docs_relative,
        pages: pages.into_iter().map(|(path, _)| path).collect(),
    })
}

impl Scaffolded {
    /// What was written and the next steps, for the terminal.
    pub fn summary(&self, options: &NewOptions) -> String {
        let repo = shell_word(&options.repo.display().to_string());
        let docs = shell_word(&self.docs_dir);
        let portico = if options.root == Path::new(".") {
            "portico".to_string()
        } else {
            format!(
                "portico --root {}",
                shell_word(&options.root.display().to_string())
            )
        };
        format!(
            "wrote {count} pages into {docs_path} (not committed): {pages}\n\
             added to {site_toml}:\n\n{entry}\n\
             next steps:\n\
             \x20 1. fill in the pages: replace the *italic* placeholders, follow the <!-- guidance --> comments\n\
             \x20 2. commit them: `portico build` reads committed docs only, and `serve` and `check --repo`\n\
             \x20    read a repository once it has a first commit:\n\
             \x20      git -C {repo} add {docs} && git -C {repo} commit -m \"Docs: start from the portal's template\"\n\
             \x20 3. preview the portal while you edit (serve shows uncommitted edits too): {portico} serve\n\
             \x20 4. check the docs as the plugin's CI will: {portico} check --repo {repo}\n",
            count = self.pages.len(),
            docs_path = options.repo.join(&self.docs_dir).display(),
            pages = self.pages.join(", "),
            site_toml = options.root.join(CONFIG_FILE).display(),
            entry = self.entry,
        )
    }
}

/// Refuses a repository that an integration of the portal already reads: its docs are
/// published already, and new docs would replace them.
fn refuse_configured_repository(
    text: &str,
    site_toml: &Path,
    config: &SiteConfig,
    workdir: &Path,
) -> anyhow::Result<()> {
    for integration in &config.integrations {
        let RepoLocation::Local(path) = &integration.repo else {
            continue;
        };
        if fs::canonicalize(path).is_ok_and(|path| path == workdir) {
            let line = entry::line_of_id(text, &integration.id)
                .map(|line| format!(":{line}"))
                .unwrap_or_default();
            bail!(
                "{}{line}: integration {:?} already reads the repository {}; its docs are published already (edit them there), so nothing was written",
                site_toml.display(),
                integration.id,
                workdir.display()
            );
        }
    }
    Ok(())
}

/// A valid id that no integration has yet.
fn check_id(text: &str, site_toml: &Path, config: &SiteConfig, id: &str) -> anyhow::Result<()> {
    if !is_valid_id(id) {
        bail!(
            "{id:?} is not a valid integration id (it is the URL segment of its docs): {ID_RULE}"
        );
    }
    if config.integrations.iter().any(|known| known.id == id) {
        let line = entry::line_of_id(text, id)
            .map(|line| format!(":{line}"))
            .unwrap_or_default();
        bail!(
            "{}{line}: integration {id:?} already exists; choose another id, or edit that entry",
            site_toml.display()
        );
    }
    Ok(())
}

/// The canonical working tree of the repository at `path` (its root, not a folder in it).
fn working_tree(path: &Path) -> anyhow::Result<PathBuf> {
    if !path.is_dir() {
        bail!(
            "{} is not a folder: pass the plugin repository's folder as --repo",
            path.display()
        );
    }
    match repository_folders(path) {
        None => bail!(
            "{} is not a git repository (or not its top folder): run `git init` there first, or pass the repository's top folder",
            path.display()
        ),
        Some((_, None)) => bail!(
            "{} is a bare repository: run `portico new` in a clone with a working tree",
            path.display()
        ),
        Some((_, Some(workdir))) => fs::canonicalize(&workdir)
            .with_context(|| format!("cannot resolve {}", workdir.display())),
    }
}

/// The template's docs folder, relative to the repository: inside it, and not there yet.
fn new_docs_dir(template: &Template, workdir: &Path, repo: &Path) -> anyhow::Result<String> {
    let parts: Vec<&str> = template
        .docs_dir
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let relative = parts.join("/");
    if parts.is_empty() || !stays_inside(&relative) {
        bail!(
            "the contribution template's docs_dir {:?} must be a folder inside the repository, such as \"docs\"",
            template.docs_dir
        );
    }
    if workdir.join(&relative).symlink_metadata().is_ok() {
        bail!(
            "{} already exists: `portico new` only starts docs that do not exist yet; to add the integration to the portal, add its [[integrations]] entry to site.toml by hand",
            repo.join(&relative).display()
        );
    }
    Ok(relative)
}

/// Whether a relative path names something under the folder it is joined to.
fn stays_inside(relative: &str) -> bool {
    Path::new(relative)
        .components()
        .all(|component| matches!(component, Component::Normal(_)))
}

/// The manifest at the repository's root as it is on disk; none when absent or unreadable
/// (its name and description are only defaults).
fn read_manifest(workdir: &Path) -> Manifest {
    MANIFEST_FILES
        .iter()
        .find_map(|file| {
            let bytes = fs::read(workdir.join(file)).ok()?;
            parse_manifest(file, &bytes).ok()
        })
        .unwrap_or_default()
}

fn given(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// The repository as `site.toml` names it: relative to its folder (`repos/orbit`,
/// `../plugins/orbit`) when the two share more than the file system's root, so that the
/// portal and its repositories can move together; else absolute.
fn repo_as_written(root: &Path, workdir: &Path) -> anyhow::Result<String> {
    let root =
        fs::canonicalize(root).with_context(|| format!("cannot resolve {}", root.display()))?;
    let written = match relative_path(&root, workdir) {
        Some(relative) if relative.is_empty() => ".".to_string(),
        Some(relative) => relative,
        None => workdir.to_str().unwrap_or_default().to_string(),
    };
    if written.is_empty() {
        bail!(
            "the path {} is not UTF-8 text, which site.toml cannot hold; move the repository",
            workdir.display()
        );
    }
    Ok(written)
}

/// `to` relative to the folder `from` (both canonical), with `..` where needed; `None`
/// when they share nothing but the root, or a name is not UTF-8.
fn relative_path(from: &Path, to: &Path) -> Option<String> {
    let names = |path: &Path| -> Option<Vec<String>> {
        path.components()
            .filter_map(|part| match part {
                Component::Normal(name) => Some(name.to_str().map(str::to_string)),
                _ => None,
            })
            .collect()
    };
    let (from, to) = (names(from)?, names(to)?);
    let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if shared == 0 {
        return None;
    }
    let ups = std::iter::repeat_n("..".to_string(), from.len() - shared);
    Some(
        ups.chain(to[shared..].iter().cloned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// `Mattermost` / `the community`, as the template's sentences read.
fn managed_by_text(managed_by: ManagedBy) -> &'static str {
    match managed_by {
        ManagedBy::Mattermost => "Mattermost",
        ManagedBy::Community => "the community",
    }
}

/// `Cloud and self-managed servers`, `Cloud`, `Self-managed servers`.
fn deployments_text(deployments: &[Deployment]) -> String {
    let cloud = deployments.contains(&Deployment::Cloud);
    let self_managed = deployments.contains(&Deployment::SelfManaged);
    match (cloud, self_managed) {
        (true, true) => "Cloud and self-managed servers",
        (true, false) => "Cloud",
        (false, true) => "Self-managed servers",
        (false, false) => "*the deployments it supports*",
    }
    .to_string()
}

/// Writes `pages` under `docs_dir` (which does not exist yet); returns the topmost folder
/// created, to remove on failure. A failure halfway removes what was written.
fn write_docs(
    workdir: &Path,
    docs_dir: &Path,
    pages: &[(String, String)],
) -> anyhow::Result<PathBuf> {
    let mut created = docs_dir.to_path_buf();
    while let Some(parent) = created.parent()
        && parent != workdir
        && parent.symlink_metadata().is_err()
    {
        created = parent.to_path_buf();
    }
    let write = || -> anyhow::Result<()> {
        fs::create_dir_all(docs_dir)
            .with_context(|| format!("cannot create {}", docs_dir.display()))?;
        for (relative, text) in pages {
            if !stays_inside(relative) {
                bail!(
                    "the contribution template's page {relative:?} is not a path inside the docs folder"
                );
            }
            let file = docs_dir.join(relative);
            if let Some(parent) = file.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&file)
                .and_then(|mut out| out.write_all(text.as_bytes()))
                .with_context(|| format!("cannot write {}", file.display()))?;
        }
        Ok(())
    };
    write().inspect_err(|_| {
        let _ = fs::remove_dir_all(&created);
    })?;
    Ok(created)
}

/// Replaces `file` (holding `before`) with `after` at once: a temporary file beside it,
/// renamed over it. A symlinked `site.toml` is written where it points, with its permissions.
fn replace_file(file: &Path, before: &str, after: &str) -> anyhow::Result<()> {
    let target = fs::canonicalize(file)?;
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let temporary = target.with_file_name(format!(".{name}.portico-new-{}", std::process::id()));
    let permissions = fs::metadata(&target)?.permissions();
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))?;
    let replace = || -> anyhow::Result<()> {
        out.write_all(after.as_bytes())?;
        out.sync_all()?;
        fs::set_permissions(&temporary, permissions)?;
        // An editor may have saved the file since it was read: that edit must not be lost.
        if fs::read_to_string(&target)? != before {
            bail!("it changed while `portico new` ran; run it again");
        }
        fs::rename(&temporary, &target)?;
        Ok(())
    };
    replace().inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_read_as_a_sentence_part() {
        assert_eq!(
            deployments_text(&[Deployment::Cloud, Deployment::SelfManaged]),
            "Cloud and self-managed servers"
        );
        assert_eq!(
            deployments_text(&[Deployment::SelfManaged]),
            "Self-managed servers"
        );
    }

    #[test]
    fn the_repository_is_named_relative_to_the_portal() {
        let portal = tempfile::tempdir().unwrap();
        let inside = portal.path().join("repos/orbit");
        fs::create_dir_all(&inside).unwrap();
        let inside = fs::canonicalize(inside).unwrap();
        assert_eq!(
            repo_as_written(portal.path(), &inside).unwrap(),
            "repos/orbit"
        );
        let beside = fs::canonicalize(portal.path())
            .unwrap()
            .with_file_name("plugins");
        assert_eq!(
            relative_path(
                &fs::canonicalize(portal.path()).unwrap(),
                &beside.join("orbit")
            ),
            Some("../plugins/orbit".to_string())
        );
        assert_eq!(
            relative_path(Path::new("/srv/portal"), Path::new("/home/me/orbit")),
            None
        );
    }

    #[test]
    fn paths_in_printed_commands_are_quoted_when_needed() {
        assert_eq!(shell_word("../plugins/orbit"), "../plugins/orbit");
        assert_eq!(shell_word("my plugins/it's"), "'my plugins/it'\\''s'");
    }

    #[test]
    fn when_site_toml_cannot_be_written_the_docs_written_are_removed() {
        let portal = tempfile::tempdir().unwrap();
        let site = "[site]\ntitle = \"P\"\n";
        fs::write(portal.path().join(CONFIG_FILE), site).unwrap();
        let repo = portal.path().join("repos/orbit");
        fs::create_dir_all(&repo).unwrap();
        crate::demo::git::RepoWriter::init(&repo, "main").unwrap();
        // The temporary file's name is taken, so site.toml cannot be replaced.
        let taken = fs::canonicalize(portal.path())
            .unwrap()
            .join(format!(".{CONFIG_FILE}.portico-new-{}", std::process::id()));
        fs::write(&taken, "someone else's").unwrap();
        let options = NewOptions {
            root: portal.path().to_path_buf(),
            id: "orbit".into(),
            repo: repo.clone(),
            name: None,
            managed_by: ManagedBy::Community,
            deployments: vec![Deployment::Cloud],
            description: None,
        };
        let err = format!("{:#}", scaffold(&options).unwrap_err());
        assert!(
            err.contains("docs folder written in the repository was removed"),
            "{err}"
        );
        assert!(!repo.join("docs").exists());
        assert_eq!(
            fs::read_to_string(portal.path().join(CONFIG_FILE)).unwrap(),
            site
        );
        assert_eq!(fs::read_to_string(&taken).unwrap(), "someone else's");
        fs::remove_file(&taken).unwrap();
        scaffold(&options).unwrap();
        assert!(repo.join("docs/README.md").is_file());
    }

    #[test]
    fn a_failed_write_removes_the_folders_it_created() {
        let repo = tempfile::tempdir().unwrap();
        let docs = repo.path().join("site/docs");
        let pages = [
            ("README.md".to_string(), "# Hi\n".to_string()),
            ("../escape.md".to_string(), "no".to_string()),
        ];
        assert!(write_docs(repo.path(), &docs, &pages).is_err());
        assert!(!repo.path().join("site").exists());
        assert!(!repo.path().join("escape.md").exists());
    }
}
