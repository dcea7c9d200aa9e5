//! Renderings kept on disk between builds, in `cache_dir/renderings/` (which CI already
//! keeps between runs for the mirrors of remote repositories).
//!
//! One file per rendering, named by its key (blob id, trust, embeds), in a folder named by
//! the Portico binary that made it: another version of Portico, or the same version built
//! again, never reads renderings it did not make (the folders of other binaries are removed).
//! Every file starts with a line naming its key, then the rendering as JSON; a file that is
//! unreadable, foreign, truncated or of another key is ignored and rendered again, so a
//! corrupt cache costs time, never correctness. Files are written whole (a temporary file
//! renamed into place), so concurrent builds sharing the cache only ever read complete
//! files. After a build, renderings it did not use are removed: the cache holds one portal's
//! texts, not every text ever seen.

use std::collections::HashSet;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::RenderKey;
use crate::markdown::Parsed;

/// The folder under `cache_dir` holding renderings.
const FOLDER: &str = "renderings";
/// Bumped when the file layout changes (the binary identity covers the rest).
const LAYOUT: &str = "portico-rendering 1";

pub(crate) struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    /// The cache of this binary under `cache_dir`, created if needed; `None` when it cannot
    /// be (the build then simply renders everything).
    pub fn open(cache_dir: &Path) -> Option<DiskCache> {
        let parent = cache_dir.join(FOLDER);
        let dir = parent.join(binary_identity());
        fs::create_dir_all(&dir).ok()?;
        if let Ok(entries) = fs::read_dir(&parent) {
            for entry in entries.flatten() {
                if entry.path() != dir && entry.file_type().is_ok_and(|t| t.is_dir()) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        Some(DiskCache { dir })
    }

    /// The rendering of `key`, if a readable one of this binary is on disk.
    pub fn load(&self, key: &RenderKey) -> Option<Parsed> {
        let bytes = fs::read(self.dir.join(file_name(key))).ok()?;
        let header = header(key);
        let json = bytes.strip_prefix(header.as_bytes())?;
        serde_json::from_slice(json).ok()
    }

    /// Writes renderings made by this build (failures only cost the next build time).
    pub fn store(&self, entries: &[(&RenderKey, &Arc<Parsed>)]) {
        entries.par_iter().for_each(|(key, parsed)| {
            let Ok(json) = serde_json::to_vec(parsed.as_ref()) else {
                return;
            };
            let name = file_name(key);
            let temporary = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
            let mut bytes = header(key).into_bytes();
            bytes.extend_from_slice(&json);
            if fs::write(&temporary, &bytes).is_err()
                || fs::rename(&temporary, self.dir.join(&name)).is_err()
            {
                let _ = fs::remove_file(&temporary);
            }
        });
    }

    /// Removes the renderings of texts no page of this build has.
    pub fn prune<'k>(&self, used: impl Iterator<Item = &'k RenderKey>) {
        let used: HashSet<String> = used.map(file_name).collect();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".json") && !used.contains(name.as_ref()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

fn file_name(key: &RenderKey) -> String {
    format!(
        "{}-{}{}.json",
        key.blob,
        if key.trusted { 't' } else { 'u' },
        if key.allow_embeds { 'e' } else { 'n' }
    )
}

fn header(key: &RenderKey) -> String {
    format!("{LAYOUT} {}\n", file_name(key))
}

/// Names this build of Portico: its version and the executable's size and modification
/// time, so that a rebuilt binary (whose rendering code may differ) starts afresh.
fn binary_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        LAYOUT.hash(&mut hasher);
        if let Some(meta) = std::env::current_exe()
            .ok()
            .and_then(|exe| fs::metadata(exe).ok())
        {
            meta.len().hash(&mut hasher);
            meta.modified().ok().hash(&mut hasher);
        }
        format!("{}-{:016x}", env!("CARGO_PKG_VERSION"), hasher.finish())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{self, ParseContext, gitbook};

    fn key(blob: &str) -> RenderKey {
        RenderKey {
            blob: blob.into(),
            trusted: true,
            allow_embeds: false,
        }
    }

    fn parsed(text: &str) -> Parsed {
        markdown::parse(
            text,
            &ParseContext {
                includes: &gitbook::NoIncludes,
                page: "README.md",
                trusted: true,
                allow_embeds: false,
            },
        )
    }

    #[test]
    fn a_stored_rendering_is_loaded_back_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        let page = Arc::new(parsed("# Title\n\nSee [setup](setup.md).\n"));
        cache.store(&[(&key("abc"), &page)]);
        assert_eq!(cache.load(&key("abc")).as_ref(), Some(page.as_ref()));
        assert_eq!(cache.load(&key("other")), None);
    }

    #[test]
    fn corrupt_or_foreign_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        let page = Arc::new(parsed("# Title\n"));
        cache.store(&[(&key("abc"), &page)]);
        let path = cache.dir.join(file_name(&key("abc")));
        let whole = fs::read(&path).unwrap();
        // Truncated.
        fs::write(&path, &whole[..whole.len() / 2]).unwrap();
        assert_eq!(cache.load(&key("abc")), None);
        // Another key's file under this name.
        let mut foreign = header(&key("xyz")).into_bytes();
        foreign.extend_from_slice(&whole[header(&key("abc")).len()..]);
        fs::write(&path, foreign).unwrap();
        assert_eq!(cache.load(&key("abc")), None);
        // Not JSON at all.
        fs::write(&path, b"\0\0garbage").unwrap();
        assert_eq!(cache.load(&key("abc")), None);
    }

    #[test]
    fn renderings_no_page_uses_are_pruned_and_other_binaries_folders_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(FOLDER).join("0.0.0-old");
        fs::create_dir_all(&stale).unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        assert!(!stale.exists());
        let page = Arc::new(parsed("# A\n"));
        cache.store(&[(&key("a"), &page), (&key("b"), &page)]);
        cache.prune([key("a")].iter());
        assert!(cache.load(&key("a")).is_some());
        assert!(cache.load(&key("b")).is_none());
    }
}
