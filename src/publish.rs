//! Publishing: the only stage that writes the site to disk, and the guard of the output folder.
//!
//! A build first claims its output folder ([`Output::claim`]): the folder must not overlap
//! anything of the user's (the portal root, a repository, `content/`, the theme, the cache)
//! and must be empty or a folder Portico created, recognised by a marker file with a
//! signature ([`OUTPUT_MARKER`]), never by the presence of files a user could also have.
//! The claim holds a lock beside the output, so two builds into one folder take turns, and
//! it clears staging folders that killed builds left behind.
//!
//! [`Output::publish`] writes every [`OutputFile`] into a staging folder next to the output
//! folder, then swaps it in (an atomic exchange where the OS offers one, else two renames),
//! so that readers and deploy steps only ever see a complete site and a failed or
//! interrupted build leaves the previous one as it was.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use anyhow::{Context, bail};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::compose::OutputFile;
use crate::config::{self, SiteConfig};
use crate::{diagnostics, source, theme};

/// The file at the root of every folder Portico writes; only a folder holding it (with its
/// signature) is ever replaced.
pub const OUTPUT_MARKER: &str = ".portico-output";
/// The first line of the marker: what no user file plausibly starts with.
macro_rules! marker_signature {
    () => {
        "portico-output-v1 5f0c9e2a7d31b846"
    };
}
const MARKER_SIGNATURE: &str = marker_signature!();
const MARKER_TEXT: &str = concat!(
    marker_signature!(),
    "\nThis folder was written by `portico build`. Each build replaces the whole folder:\n",
    "keep no files of your own here.\n"
);
const STAGING_TAG: &str = "portico-staging";
const RETIRED_TAG: &str = "portico-retired";
const LOCK_TAG: &str = "portico-lock";

/// A folder of the user's that the output folder must not be, contain or (for some) lie in.
#[derive(Debug, Clone)]
pub struct Protected {
    /// What it is, for the error: "the portal root (the folder holding site.toml)".
    pub what: String,
    pub path: PathBuf,
    /// Whether the output may not lie inside it either (`content/`: a build would re-read
    /// its own output).
    pub no_output_inside: bool,
}

/// An output folder this build may replace, held until the build is published or dropped.
#[derive(Debug)]
pub struct Output {
    /// The output folder, absolute, with symbolic links resolved.
    path: PathBuf,
    /// Held (an exclusive file lock) for as long as this value lives.
    _lock: fs::File,
}

impl Output {
    /// Claims `out` for a build: refuses a folder that overlaps `protected` or that Portico
    /// did not create, waits (calling `on_wait` first) while another build holds the
    /// folder, and removes what interrupted builds left beside it.
    pub fn claim(
        out: &Path,
        protected: &[Protected],
        on_wait: impl FnOnce(),
    ) -> anyhow::Result<Output> {
        let path = check_destination(out, protected)?;
        let (parent, name) = parent_and_name(&path)?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let lock_path = parent.join(format!(".{name}.{LOCK_TAG}"));
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot create the lock file {}", lock_path.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                on_wait();
                lock.lock()
                    .with_context(|| format!("cannot lock {}", lock_path.display()))?;
            }
            Err(fs::TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("cannot lock {}", lock_path.display()));
            }
        }
        // Under the lock: any staging folder here belongs to a build that died.
        remove_leftovers(parent, name);
        // Checked again now that no other build can change the folder.
        ensure_replaceable(&path)?;
        Ok(Output { path, _lock: lock })
    }

    /// Publishes `files` as the complete content of the output folder.
    #[cfg(test)]
    pub fn publish(&self, files: &[OutputFile]) -> anyhow::Result<()> {
        let staging = self.stage(None)?;
        for file in files {
            staging.write(&file.path, &file.bytes)?;
        }
        staging.publish()
    }

    /// A staging folder beside the output folder, for a build to write its files into as it
    /// makes them ([`Staging::put`]) and then swap in ([`Staging::publish`]); dropped
    /// unpublished, it is removed.
    ///
    /// `page_keys` is where the keys of the pages it writes are kept for the next build
    /// (see [`Staging::keep`]).
    pub fn stage(&self, page_keys: Option<PathBuf>) -> anyhow::Result<Staging<'_>> {
        let (parent, name) = parent_and_name(&self.path)?;
        ensure_replaceable(&self.path)?;
        let dir = parent.join(format!(".{name}.{STAGING_TAG}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // First, so that even a half-written staging folder is recognisably ours.
        let marker = dir.join(OUTPUT_MARKER);
        fs::write(&marker, MARKER_TEXT)
            .with_context(|| format!("cannot write {}", marker.display()))?;
        Ok(Staging {
            output: self,
            dir,
            written: Mutex::new(HashMap::new()),
            folders: Mutex::new(HashSet::new()),
            previous_keys: page_keys.as_deref().map(read_page_keys).unwrap_or_default(),
            page_keys,
            keys: Mutex::new(HashMap::new()),
            current: Current::read(&self.path),
            published: false,
        })
    }
}

/// The page keys file: one line per page, `<key> <sha256> <site path>`.
fn read_page_keys(path: &Path) -> HashMap<String, (u64, [u8; 32])> {
    let Ok(text) = fs::read_to_string(path) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ' ');
            let key = u64::from_str_radix(parts.next()?, 16).ok()?;
            let hash = unhex(parts.next()?)?;
            Some((parts.next()?.to_string(), (key, hash)))
        })
        .collect()
}

/// The site now in the output folder, as its `manifest.json` lists it: a new file equal to
/// one of its files is linked to it rather than written again, and keeps its hash.
struct Current {
    dir: PathBuf,
    /// Site path → (size, SHA-256).
    files: HashMap<String, (usize, [u8; 32])>,
    /// When the manifest was written: a file changed after it is not trusted to be what
    /// the manifest says.
    listed_at: std::time::SystemTime,
}

impl Current {
    fn read(out: &Path) -> Option<Current> {
        #[derive(serde::Deserialize)]
        struct Entry {
            path: String,
            size: usize,
            sha256: String,
        }
        #[derive(serde::Deserialize)]
        struct Manifest {
            files: Vec<Entry>,
        }
        let path = out.join(MANIFEST);
        let listed_at = fs::metadata(&path).ok()?.modified().ok()?;
        let manifest: Manifest = serde_json::from_slice(&fs::read(&path).ok()?).ok()?;
        let files = manifest
            .files
            .into_iter()
            .filter_map(|entry| Some((entry.path, (entry.size, unhex(&entry.sha256)?))))
            .collect();
        Some(Current {
            dir: out.to_path_buf(),
            files,
            listed_at,
        })
    }

    /// The current file at `site_path`, when it is still what the manifest says (its size,
    /// and not changed since): its path, size and hash.
    fn untouched(&self, site_path: &str) -> Option<(PathBuf, usize, [u8; 32])> {
        let &(size, hash) = self.files.get(site_path)?;
        let existing = self::site_path(&self.dir, site_path).ok()?;
        let meta = fs::symlink_metadata(&existing).ok()?;
        let unchanged =
            meta.is_file() && meta.len() == size as u64 && meta.modified().ok()? <= self.listed_at;
        unchanged.then_some((existing, size, hash))
    }

    /// Links `target` to the current file at `site_path` when it holds exactly `bytes`;
    /// returns its hash.
    fn link(&self, site_path: &str, bytes: &[u8], target: &Path) -> Option<[u8; 32]> {
        let (existing, size, hash) = self.untouched(site_path)?;
        if size != bytes.len() || fs::read(&existing).ok()? != bytes {
            return None;
        }
        fs::hard_link(&existing, target).ok()?;
        Some(hash)
    }
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (index, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(index * 2..index * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A site being written: files go straight to disk (memory does not grow with the site),
/// each hashed as it is written for `manifest.json`. A file identical to the one the
/// output folder holds at its path is not written again: it is linked to it (a hard link,
/// so the swap leaves it in place) and keeps the hash the current manifest gives it.
pub struct Staging<'o> {
    output: &'o Output,
    dir: PathBuf,
    /// Site path → (size, SHA-256) of every file written.
    written: Mutex<HashMap<String, (usize, [u8; 32])>>,
    /// Folders known to exist.
    folders: Mutex<HashSet<PathBuf>>,
    /// The site being replaced, whose unchanged files are linked rather than rewritten.
    current: Option<Current>,
    /// Where this build's page keys go, and the last build's: site path → (key, SHA-256).
    page_keys: Option<PathBuf>,
    previous_keys: HashMap<String, (u64, [u8; 32])>,
    /// The key of every page written or kept.
    keys: Mutex<HashMap<String, u64>>,
    published: bool,
}

impl Staging<'_> {
    /// Writes one file; a path already written is left as it was (paths are unique by
    /// construction; should two meet, the first one written wins).
    pub fn write(&self, site_path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        {
            let mut written = lock(&self.written);
            if written.contains_key(site_path) {
                return Ok(());
            }
            // Taken now; the hash follows.
            written.insert(site_path.to_string(), (bytes.len(), [0; 32]));
        }
        let target = self.target(site_path)?;
        let linked = self
            .current
            .as_ref()
            .and_then(|current| current.link(site_path, bytes, &target));
        let hash = match linked {
            Some(hash) => hash,
            None => {
                fs::write(&target, bytes)
                    .with_context(|| format!("cannot write {}", target.display()))?;
                Sha256::digest(bytes).into()
            }
        };
        lock(&self.written).insert(site_path.to_string(), (bytes.len(), hash));
        Ok(())
    }

    /// Where `site_path` goes in the staging folder, its folder created.
    fn target(&self, site_path: &str) -> anyhow::Result<PathBuf> {
        let target = self::site_path(&self.dir, site_path)?;
        if let Some(folder) = target.parent()
            && !lock(&self.folders).contains(folder)
        {
            fs::create_dir_all(folder)
                .with_context(|| format!("cannot create {}", folder.display()))?;
            lock(&self.folders).insert(folder.to_path_buf());
        }
        Ok(target)
    }

    /// Keeps the output's file at `site_path` (linked, with its hash) when the last build
    /// made it from what `key` names, and it is still what it wrote then: the keys file
    /// must give it the hash the output's `manifest.json` gives it (so a keys file left by a
    /// build that was never published names nothing), and the file must be untouched.
    fn keep_page(&self, site_path: &str, key: u64) -> bool {
        let Some(&(previous_key, previous_hash)) = self.previous_keys.get(site_path) else {
            return false;
        };
        let Some((existing, size, hash)) = self
            .current
            .as_ref()
            .and_then(|current| current.untouched(site_path))
        else {
            return false;
        };
        if previous_key != key || previous_hash != hash {
            return false;
        }
        {
            let mut written = lock(&self.written);
            if written.contains_key(site_path) {
                return true;
            }
            written.insert(site_path.to_string(), (size, hash));
        }
        let linked = self
            .target(site_path)
            .is_ok_and(|target| fs::hard_link(&existing, target).is_ok());
        if linked {
            lock(&self.keys).insert(site_path.to_string(), key);
        } else {
            lock(&self.written).remove(site_path);
        }
        linked
    }

    /// Writes the keys of this build's pages for the next one (failing only costs it time).
    fn save_page_keys(&self) {
        let Some(path) = &self.page_keys else {
            return;
        };
        let written = lock(&self.written);
        let mut lines: Vec<String> = lock(&self.keys)
            .iter()
            .filter_map(|(site_path, key)| {
                let (_, hash) = written.get(site_path)?;
                let hash: String = hash.iter().map(|byte| format!("{byte:02x}")).collect();
                Some(format!("{key:016x} {hash} {site_path}\n"))
            })
            .collect();
        lines.sort();
        if let Some(folder) = path.parent() {
            let _ = fs::create_dir_all(folder);
        }
        let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
        if fs::write(&temporary, lines.concat()).is_err() || fs::rename(&temporary, path).is_err() {
            let _ = fs::remove_file(&temporary);
        }
    }

    /// How many files were written.
    pub fn len(&self) -> usize {
        lock(&self.written).len()
    }

    /// Writes `manifest.json` (every other file with its size and SHA-256, so that a deploy
    /// step can upload only what changed and delete what is gone), then swaps the staging
    /// folder in as the output folder.
    pub fn publish(mut self) -> anyhow::Result<()> {
        let manifest = manifest(&lock(&self.written))?;
        self.write(MANIFEST, &manifest)?;
        let (parent, name) = parent_and_name(&self.output.path)?;
        ensure_replaceable(&self.output.path)?;
        swap_in(&self.dir, &self.output.path, parent, name)?;
        self.published = true;
        self.save_page_keys();
        Ok(())
    }
}

impl crate::compose::Sink for Staging<'_> {
    fn put(&self, file: OutputFile) -> anyhow::Result<()> {
        self.write(&file.path, &file.bytes)
    }

    fn put_page(&self, file: OutputFile, key: u64) -> anyhow::Result<()> {
        self.write(&file.path, &file.bytes)?;
        lock(&self.keys).insert(file.path, key);
        Ok(())
    }

    fn keep(&self, path: &str, key: u64) -> bool {
        self.keep_page(path, key)
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The file listing every other output file.
pub const MANIFEST: &str = "manifest.json";

fn manifest(written: &HashMap<String, (usize, [u8; 32])>) -> anyhow::Result<Vec<u8>> {
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        path: &'a str,
        size: usize,
        sha256: String,
    }
    #[derive(serde::Serialize)]
    struct Manifest<'a> {
        files: Vec<Entry<'a>>,
    }
    let mut files: Vec<Entry> = written
        .iter()
        .filter(|(path, _)| path.as_str() != MANIFEST)
        .map(|(path, (size, hash))| Entry {
            path,
            size: *size,
            sha256: hash.iter().map(|byte| format!("{byte:02x}")).collect(),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(b.path));
    let json = serde_json::to_string_pretty(&Manifest { files })?;
    let mut json = crate::escape::json_for_the_web(json).into_bytes();
    json.push(b'\n');
    Ok(json)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The folders of the user's that an output folder must not overlap.
fn protected_folders(config: &SiteConfig) -> Vec<Protected> {
    let folder = |what: String, path: PathBuf, no_output_inside: bool| Protected {
        what,
        path,
        no_output_inside,
    };
    let mut folders = vec![
        folder(
            format!(
                "the portal root (the folder holding {})",
                config::CONFIG_FILE
            ),
            config.root.clone(),
            false,
        ),
        folder(
            format!("the portal's {}/ folder", source::CONTENT_DIR),
            config.root.join(source::CONTENT_DIR),
            true,
        ),
        folder(
            format!("the theme {}", config.site.theme),
            config.root.join(theme::THEMES_DIR).join(&config.site.theme),
            true,
        ),
        folder(
            "the cache of remote repositories (cache_dir)".to_string(),
            config.build.cache_dir.clone(),
            false,
        ),
    ];
    for integration in &config.integrations {
        if let config::RepoLocation::Local(path) = &integration.repo {
            folders.push(folder(
                format!("the repository of integration {}", integration.id),
                path.clone(),
                false,
            ));
        }
    }
    folders
}

/// For `build`: the output folder, claimed (checked, locked, cleared of what killed builds
/// left). For `check`: `None`, once the output folder was found acceptable.
pub(crate) fn claim_output(
    config: &SiteConfig,
    quiet: bool,
    write: bool,
) -> anyhow::Result<Option<Output>> {
    let out = &config.build.output_dir;
    let protected = protected_folders(config);
    if !write {
        check_destination(out, &protected)?;
        return Ok(None);
    }
    let output = Output::claim(out, &protected, || {
        if !quiet {
            eprintln!(
                "another build is writing {}; waiting for it to finish",
                diagnostics::printable(&out.display().to_string())
            );
        }
    })?;
    Ok(Some(output))
}

/// Where the build would write, if it may write there: `out` resolved, or an error that
/// names the folder and the way out. Writes nothing.
pub(crate) fn check_destination(out: &Path, protected: &[Protected]) -> anyhow::Result<PathBuf> {
    let path = resolve(out)
        .with_context(|| format!("cannot resolve the output folder {}", out.display()))?;
    let shown = out.display();
    for folder in protected {
        let Ok(guarded) = resolve(&folder.path) else {
            continue;
        };
        let what = &folder.what;
        if path == guarded {
            bail!(
                "refusing to build into {shown}: it is {what}, and a build replaces its output folder as a whole; choose an output folder of its own (for example --out public)"
            );
        }
        if guarded.starts_with(&path) {
            bail!(
                "refusing to build into {shown}: it contains {what} ({}), and a build replaces its output folder as a whole; choose an output folder of its own (for example --out public)",
                folder.path.display()
            );
        }
        if folder.no_output_inside && path.starts_with(&guarded) {
            bail!(
                "refusing to build into {shown}: it lies inside {what} ({}), which the build reads, so every build would read its own output; choose an output folder outside it",
                folder.path.display()
            );
        }
    }
    ensure_replaceable(&path)?;
    Ok(path)
}

fn parent_and_name(path: &Path) -> anyhow::Result<(&Path, &str)> {
    let parent = path
        .parent()
        .with_context(|| format!("the output folder {} has no parent folder", path.display()))?;
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .with_context(|| format!("the output folder {} has no usable name", path.display()))?;
    Ok((parent, name))
}

/// `path` made absolute, with symbolic links resolved as far as the path exists (what does
/// not exist yet cannot be a link), so that two spellings of one folder compare equal.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let components: Vec<Component> = absolute.components().collect();
    for existing in (1..=components.len()).rev() {
        let prefix: PathBuf = components[..existing].iter().collect();
        if let Ok(mut resolved) = prefix.canonicalize() {
            for part in &components[existing..] {
                match part {
                    Component::ParentDir => {
                        resolved.pop();
                    }
                    Component::Normal(part) => resolved.push(part),
                    _ => {}
                }
            }
            return Ok(resolved);
        }
    }
    Ok(absolute)
}

/// An existing output folder must be empty or carry Portico's marker: `--out ~` must never
/// delete a home folder, nor `--out docs` a folder that happens to hold an `integrations.json`.
fn ensure_replaceable(out: &Path) -> anyhow::Result<()> {
    let metadata = match fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err).with_context(|| format!("cannot inspect {}", out.display())),
    };
    if !metadata.is_dir() {
        bail!(
            "the output path {} exists and is not a folder; remove it or choose another --out",
            out.display()
        );
    }
    let empty = fs::read_dir(out)
        .with_context(|| format!("cannot read {}", out.display()))?
        .next()
        .is_none();
    if !empty && !is_ours(out) {
        let earlier = if out.join("integrations.json").is_file() {
            " If it is a site built by an earlier Portico (before output folders were marked), delete it once yourself."
        } else {
            ""
        };
        bail!(
            "refusing to replace {}: it is not empty and Portico did not create it (no {OUTPUT_MARKER} marker), and a build replaces its output folder as a whole; move your files away or choose another --out.{earlier}",
            out.display()
        );
    }
    Ok(())
}

/// Whether `folder` carries Portico's marker with its signature.
fn is_ours(folder: &Path) -> bool {
    let marker = folder.join(OUTPUT_MARKER);
    let Ok(metadata) = fs::symlink_metadata(&marker) else {
        return false;
    };
    metadata.is_file()
        && metadata.len() < 4096
        && fs::read_to_string(&marker)
            .is_ok_and(|text| text.lines().next() == Some(MARKER_SIGNATURE))
}

/// Staging and retired folders of builds that were interrupted (called under the output's
/// lock, so no live build owns them). Only folders that are ours or still empty go.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.{STAGING_TAG}-"),
        format!(".{name}.{RETIRED_TAG}-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let is_leftover = prefixes
            .iter()
            .any(|prefix| file_name.starts_with(prefix.as_str()));
        let is_folder = entry.file_type().is_ok_and(|kind| kind.is_dir());
        let removable = is_ours(&path) || fs::read_dir(&path).is_ok_and(|mut e| e.next().is_none());
        if is_leftover && is_folder && removable {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// The file system path of a site path; site paths never climb out of the site.
fn site_path(base: &Path, site_path: &str) -> anyhow::Result<PathBuf> {
    let mut path = base.to_path_buf();
    for part in site_path.split('/') {
        match part {
            "" | "." => {}
            ".." => bail!("internal error: output path {site_path:?} leaves the site"),
            part => path.push(part),
        }
    }
    Ok(path)
}

fn swap_in(staging: &Path, out: &Path, parent: &Path, name: &str) -> anyhow::Result<()> {
    if !out.exists() {
        return fs::rename(staging, out)
            .with_context(|| format!("cannot move the new site into {}", out.display()));
    }
    if exchange(staging, out).is_ok() {
        // `staging` now holds the previous site.
        remove_site(staging);
        return Ok(());
    }
    let retired = parent.join(format!(".{name}.{RETIRED_TAG}-{}", std::process::id()));
    fs::rename(out, &retired)
        .with_context(|| format!("cannot move the previous site {} aside", out.display()))?;
    if let Err(err) = fs::rename(staging, out) {
        let _ = fs::rename(&retired, out);
        return Err(err)
            .with_context(|| format!("cannot move the new site into {}", out.display()));
    }
    remove_site(&retired);
    Ok(())
}

/// Removes a replaced site, its folders two levels down in parallel (a site is mostly
/// `integrations/<id>/`, and removing tens of thousands of files one by one is most of a
/// small rebuild's publishing time).
fn remove_site(dir: &Path) {
    let children = |dir: &Path| -> Vec<PathBuf> {
        fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
                    .map(|entry| entry.path())
                    .collect()
            })
            .unwrap_or_default()
    };
    let folders: Vec<PathBuf> = children(dir)
        .into_iter()
        .flat_map(|child| {
            let grandchildren = children(&child);
            if grandchildren.is_empty() {
                vec![child]
            } else {
                grandchildren
            }
        })
        .collect();
    folders.par_iter().for_each(|folder| {
        let _ = fs::remove_dir_all(folder);
    });
    let _ = fs::remove_dir_all(dir);
}

/// Atomically exchanges two folders (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Publishes `files` as the complete content of `out` (claim, then publish).
    fn write(out: &Path, files: &[OutputFile]) -> anyhow::Result<()> {
        Output::claim(out, &[], || {})?.publish(files)
    }

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: text.as_bytes().into(),
        }
    }

    fn folder_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_page_made_from_the_same_key_is_kept_without_being_made_again() {
        use crate::compose::Sink;
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let keys = dir.path().join("cache/keys.pages");
        let output = Output::claim(&out, &[], || {}).unwrap();
        let staging = output.stage(Some(keys.clone())).unwrap();
        staging.put_page(file("a.html", "page a"), 1).unwrap();
        staging.put_page(file("b.html", "page b"), 2).unwrap();
        staging.publish().unwrap();
        let inode = fs::metadata(out.join("a.html")).unwrap().ino();

        let staging = output.stage(Some(keys.clone())).unwrap();
        assert!(staging.keep("a.html", 1), "same key: kept");
        assert!(!staging.keep("b.html", 3), "another key: made again");
        staging.put_page(file("b.html", "page b2"), 3).unwrap();
        staging.publish().unwrap();
        assert_eq!(fs::metadata(out.join("a.html")).unwrap().ino(), inode);
        assert_eq!(fs::read_to_string(out.join("b.html")).unwrap(), "page b2");
        let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap();
        assert!(manifest.contains("a.html") && manifest.contains("b.html"));

        // A file changed in the output since is not trusted to be what its key made.
        fs::write(out.join("a.html"), "edited by hand").unwrap();
        let staging = output.stage(Some(keys)).unwrap();
        assert!(!staging.keep("a.html", 1));
    }

    #[test]
    fn unchanged_files_are_linked_not_rewritten_and_keep_their_hash() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(
            &out,
            &[file("same.html", "same"), file("edited.html", "before")],
        )
        .unwrap();
        let inode = |name: &str| fs::metadata(out.join(name)).unwrap().ino();
        let (same, edited) = (inode("same.html"), inode("edited.html"));
        let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap();
        write(
            &out,
            &[file("same.html", "same"), file("edited.html", "after!")],
        )
        .unwrap();
        assert_eq!(inode("same.html"), same, "an unchanged file is linked");
        assert_ne!(inode("edited.html"), edited);
        assert_eq!(
            fs::read_to_string(out.join("edited.html")).unwrap(),
            "after!"
        );
        let again = fs::read_to_string(out.join(MANIFEST)).unwrap();
        let entry = |manifest: &str| -> Vec<String> {
            let after = manifest.split("same.html").nth(1).unwrap();
            after.lines().take(3).map(str::to_string).collect()
        };
        assert_eq!(entry(&again), entry(&manifest));
    }

    #[test]
    fn a_second_publish_replaces_the_whole_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(
            &out,
            &[file("integrations.json", "{}"), file("old.html", "old")],
        )
        .unwrap();
        write(
            &out,
            &[file("integrations.json", "{}"), file("a/new.html", "new")],
        )
        .unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(fs::read_to_string(out.join("a/new.html")).unwrap(), "new");
        assert!(is_ours(&out));
        assert_eq!(folder_names(dir.path()), [".public.portico-lock", "public"]);
    }

    #[test]
    fn a_folder_that_is_not_a_site_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
        let err = format!(
            "{:#}",
            write(dir.path(), &[file("integrations.json", "{}")]).unwrap_err()
        );
        assert!(err.contains("refusing"), "{err}");
        assert!(dir.path().join("thesis.tex").exists());
    }

    #[test]
    fn a_file_named_like_ours_does_not_make_a_folder_ours() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("integrations.json"), "{}").unwrap();
        fs::write(out.join(OUTPUT_MARKER), "my own notes").unwrap();
        let err = format!("{:#}", write(&out, &[file("a.html", "a")]).unwrap_err());
        assert!(err.contains("Portico did not create it"), "{err}");
        assert!(err.contains("earlier Portico"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join(OUTPUT_MARKER)).unwrap(),
            "my own notes"
        );
    }

    #[test]
    fn outputs_that_overlap_the_users_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("portal");
        fs::create_dir_all(root.join("content")).unwrap();
        let protected = [
            Protected {
                what: "the portal root".into(),
                path: root.clone(),
                no_output_inside: false,
            },
            Protected {
                what: "the portal's content folder".into(),
                path: root.join("content"),
                no_output_inside: true,
            },
        ];
        for (out, expected) in [
            (root.clone(), "it is the portal root"),
            (root.join("x/../"), "it is the portal root"),
            (dir.path().to_path_buf(), "it contains the portal root"),
            (
                root.join("content/site"),
                "lies inside the portal's content folder",
            ),
        ] {
            let err = check_destination(&out, &protected).unwrap_err().to_string();
            assert!(err.contains(expected), "{}: {err}", out.display());
        }
        assert!(check_destination(&root.join("public"), &protected).is_ok());
    }

    #[test]
    fn leftovers_of_killed_builds_go_but_look_alikes_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let dead = dir.path().join(".public.portico-staging-999999");
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join(OUTPUT_MARKER), MARKER_TEXT).unwrap();
        fs::write(dead.join("half.html"), "x").unwrap();
        let empty = dir.path().join(".public.portico-staging-999998");
        fs::create_dir(&empty).unwrap();
        let foreign = dir.path().join(".public.portico-staging-notes");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("mine.txt"), "keep").unwrap();
        write(&out, &[file("index.html", "i")]).unwrap();
        assert!(!dead.exists());
        assert!(!empty.exists());
        assert!(foreign.join("mine.txt").exists());
    }

    #[test]
    fn a_second_build_waits_for_the_first_and_keeps_its_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Output::claim(&out, &[], || panic!("nobody holds it yet")).unwrap();
        // The first build is writing: its staging folder exists.
        let staging = dir
            .path()
            .join(format!(".public.{STAGING_TAG}-{}", std::process::id()));
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join(OUTPUT_MARKER), MARKER_TEXT).unwrap();

        let (waiting_tx, waiting_rx) = std::sync::mpsc::channel();
        let second_out = out.clone();
        let second = std::thread::spawn(move || {
            Output::claim(&second_out, &[], move || waiting_tx.send(()).unwrap())
                .map(|output| output.publish(&[file("second.html", "2")]))
        });
        // The second build says it waits, and touches nothing while it does.
        waiting_rx.recv().unwrap();
        assert!(staging.join(OUTPUT_MARKER).exists());
        fs::remove_dir_all(&staging).unwrap();
        first.publish(&[file("first.html", "1")]).unwrap();
        drop(first);
        second.join().unwrap().unwrap().unwrap();
        assert!(out.join("second.html").exists());
        assert!(!out.join("first.html").exists());
    }

    #[test]
    fn paths_that_climb_out_are_refused() {
        assert!(site_path(Path::new("/x"), "../etc/passwd").is_err());
    }
}
