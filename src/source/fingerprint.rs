//! Everything a build reads, named by one hash, without reading it: `site.toml`, the files
//! under `content/` and under the portal's theme folder, and every reference (branch, tag,
//! `HEAD`) of every integration's repository, which name each commit and so each blob a
//! build could read. Two builds whose fingerprints are equal read the same bytes.
//!
//! A build never reads working trees (only `serve` does), so uncommitted edits in a
//! repository do not change the fingerprint, as they do not change the build.

use std::path::Path;

use git2::Repository;
use sha2::{Digest, Sha256};

use super::fetch::Mirrors;
use crate::config::{CONFIG_FILE, RepoLocation, SiteConfig};

/// The fingerprint of a build's inputs; `None` when something cannot be read (the build
/// then simply runs, and reports what it cannot read).
pub(crate) fn of_inputs(
    config: &SiteConfig,
    theme_dir: &Path,
    mirrors: &Mirrors,
) -> Option<String> {
    let mut hasher = Sha256::new();
    let mut add = |part: &[u8]| {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    };
    add(&std::fs::read(config.root.join(CONFIG_FILE)).ok()?);
    for folder in [
        config.root.join(super::CONTENT_DIR),
        theme_dir.to_path_buf(),
    ] {
        for (path, bytes) in files_under(&folder)? {
            add(path.as_bytes());
            add(&bytes);
        }
    }
    for (index, integration) in config.integrations.iter().enumerate() {
        let path = match (&integration.repo, mirrors.get(&index)) {
            (RepoLocation::Local(path), _) => path.clone(),
            (RepoLocation::Remote(_), Some(Ok(path))) => path.clone(),
            _ => return None,
        };
        for (name, target) in references(&path)? {
            add(name.as_bytes());
            add(target.as_bytes());
        }
    }
    Some(
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect(),
    )
}

/// Every file under `folder` (none when it does not exist), by path, with its bytes.
fn files_under(folder: &Path) -> Option<Vec<(String, Vec<u8>)>> {
    if !folder.exists() {
        return Some(Vec::new());
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(folder).sort_by_file_name() {
        let entry = entry.ok()?;
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(folder).ok()?;
            files.push((
                relative.to_string_lossy().into_owned(),
                std::fs::read(entry.path()).ok()?,
            ));
        }
    }
    Some(files)
}

/// What a reference points at: an object id, or the name of another reference.
fn target_of(reference: &git2::Reference) -> String {
    match reference.target() {
        Some(oid) => oid.to_string(),
        None => reference
            .symbolic_target_bytes()
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .unwrap_or_default(),
    }
}

/// Every reference of a repository and what it points at, sorted, `HEAD` included.
fn references(path: &Path) -> Option<Vec<(String, String)>> {
    let repo = Repository::open(path).ok()?;
    let mut found = Vec::new();
    for reference in repo.references().ok()? {
        let reference = reference.ok()?;
        let name = String::from_utf8_lossy(reference.name_bytes()).into_owned();
        found.push((name, target_of(&reference)));
    }
    if let Ok(head) = repo.find_reference("HEAD") {
        found.push(("HEAD".to_string(), target_of(&head)));
    }
    found.sort();
    Some(found)
}
