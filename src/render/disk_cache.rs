//! Renderings kept on disk between builds, in `cache_dir/renderings/` (which CI already
//! keeps between runs for the mirrors of remote repositories).
//!
//! One file per rendering, named by its key (blob id, trust, embeds), in a folder named by
//! the Portico binary that made it: another version of Portico, or the same version built
//! again, never reads renderings it did not make (the folders of other binaries are removed).
//! Every file starts with a line naming its key, a line with the lengths of what follows
//! (the rendering without its HTML, as JSON, then the HTML as it is) and the HTML's hash: a build keeps only the
//! JSON part in memory and reads each page's HTML back when it writes the page, so its
//! memory does not grow with the site. A file that is unreadable, foreign, truncated or of
//! another key is ignored and rendered again, so a corrupt cache costs time, never
//! correctness. Files are written whole (a temporary file
//! renamed into place), so concurrent builds sharing the cache only ever read complete
//! files. After a build, renderings it did not use are removed: the cache holds one portal's
//! texts, not every text ever seen.

use std::collections::HashSet;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::RenderKey;
use crate::markdown::{Parsed, slots};

/// The folder under `cache_dir` holding renderings.
const FOLDER: &str = "renderings";
/// Bumped when the file layout changes (the binary identity covers the rest).
const LAYOUT: &str = "portico-rendering 3";

pub(crate) struct DiskCache {
    dir: PathBuf,
    /// `check` reads renderings but writes nothing.
    writable: bool,
}

impl DiskCache {
    /// The cache of this binary under `cache_dir`, created if needed; `None` when it cannot
    /// be (the build then simply renders everything).
    pub fn open(cache_dir: &Path) -> Option<DiskCache> {
        let parent = cache_dir.join(FOLDER);
        let dir = parent.join(binary_identity());
        fs::create_dir_all(&dir).ok()?;
        Self::remove_other_binaries(&parent, &dir);
        Some(DiskCache {
            dir,
            writable: true,
        })
    }

    /// The cache of this binary, if there is one, to read from only.
    pub fn read_only(cache_dir: &Path) -> Option<DiskCache> {
        let dir = cache_dir.join(FOLDER).join(binary_identity());
        dir.is_dir().then_some(DiskCache {
            dir,
            writable: false,
        })
    }

    fn remove_other_binaries(parent: &Path, dir: &Path) {
        if let Ok(entries) = fs::read_dir(parent) {
            for entry in entries.flatten() {
                if entry.path() != dir && entry.file_type().is_ok_and(|t| t.is_dir()) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
    }

    /// The rendering of `key`, if a readable one of this binary is on disk. Its HTML stays
    /// on disk (read back when the page is composed).
    pub fn load(&self, key: &RenderKey) -> Option<Parsed> {
        let path = self.dir.join(file_name(key));
        let file = fs::File::open(&path).ok()?;
        let total = file.metadata().ok()?.len();
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line != header(key) {
            return None;
        }
        let mut lengths = String::new();
        reader.read_line(&mut lengths).ok()?;
        let mut numbers = lengths.split_whitespace().map(str::parse::<u64>);
        let (Some(Ok(json_len)), Some(Ok(body_len)), Some(Ok(body_hash))) =
            (numbers.next(), numbers.next(), numbers.next())
        else {
            return None;
        };
        let json_len = usize::try_from(json_len).ok()?;
        let body_len = usize::try_from(body_len).ok()?;
        let mut json = vec![0; json_len];
        reader.read_exact(&mut json).ok()?;
        let mut parsed: Parsed = serde_json::from_slice(&json).ok()?;
        let offset = (line.len() + lengths.len() + json_len) as u64;
        // A truncated file is not read; a damaged body is caught when read back.
        if total != offset + body_len as u64 {
            return None;
        }
        parsed
            .body_mut()
            .spill(Arc::new(path), offset, body_len, body_hash);
        Some(parsed)
    }

    /// Writes a rendering made by this build, and from then on reads its HTML from the file
    /// (a failure to write only costs memory, and the next build time).
    pub fn store(&self, key: &RenderKey, parsed: &mut Parsed) {
        if !self.writable {
            return;
        }
        let Some(html) = parsed.body_mut().held() else {
            return;
        };
        let html_len = html.len();
        let hash = slots::body_hash(html.as_bytes());
        let Ok(json) = serde_json::to_vec(&*parsed) else {
            return;
        };
        let name = file_name(key);
        let mut bytes = header(key).into_bytes();
        bytes.extend_from_slice(format!("{} {html_len} {hash}\n", json.len()).as_bytes());
        bytes.extend_from_slice(&json);
        let offset = bytes.len() as u64;
        if let Some(html) = parsed.body_mut().held() {
            bytes.extend_from_slice(html.as_bytes());
        }
        let path = self.dir.join(&name);
        let temporary = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        if fs::write(&temporary, &bytes).is_ok() && fs::rename(&temporary, &path).is_ok() {
            parsed
                .body_mut()
                .spill(Arc::new(path), offset, html_len, hash);
        } else {
            let _ = fs::remove_file(&temporary);
        }
    }

    /// Removes the renderings of texts no page of this build has.
    pub fn prune<'k>(&self, used: impl Iterator<Item = &'k RenderKey>) {
        if !self.writable {
            return;
        }
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
pub(crate) fn binary_identity() -> &'static str {
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
    use crate::markdown::{self, ParseContext};

    fn key(blob: &str) -> RenderKey {
        RenderKey {
            blob: blob.into(),
            trusted: true,
            allow_embeds: false,
        }
    }

    fn parsed(text: &str) -> Parsed {
        markdown::parse(text, &ParseContext::plain_readme())
    }

    fn body(parsed: &Parsed) -> String {
        parsed.html(&markdown::Linked::default()).unwrap()
    }

    #[test]
    fn a_stored_rendering_is_loaded_back_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        let original = parsed("# Title\n\nSee [setup](setup.md) and `code`.\n");
        let mut stored = original.clone();
        cache.store(&key("abc"), &mut stored);
        // The stored rendering now reads its HTML from the file.
        assert!(stored.body_mut().held().is_none());
        assert_eq!(body(&stored), body(&original));
        let loaded = cache.load(&key("abc")).unwrap();
        assert_eq!(body(&loaded), body(&original));
        assert_eq!(
            (&loaded.toc, &loaded.links),
            (&original.toc, &original.links)
        );
        assert!(cache.load(&key("other")).is_none());
    }

    #[test]
    fn corrupt_or_foreign_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        cache.store(&key("abc"), &mut parsed("# Title\n"));
        let path = cache.dir.join(file_name(&key("abc")));
        let whole = fs::read(&path).unwrap();
        // Truncated inside the JSON.
        fs::write(&path, &whole[..header(&key("abc")).len() + 8]).unwrap();
        assert!(cache.load(&key("abc")).is_none());
        // Another key's file under this name.
        let mut foreign = header(&key("xyz")).into_bytes();
        foreign.extend_from_slice(&whole[header(&key("abc")).len()..]);
        fs::write(&path, foreign).unwrap();
        assert!(cache.load(&key("abc")).is_none());
        // Not JSON at all.
        fs::write(&path, b"\0\0garbage").unwrap();
        assert!(cache.load(&key("abc")).is_none());
    }

    #[test]
    fn renderings_no_page_uses_are_pruned_and_other_binaries_folders_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(FOLDER).join("0.0.0-old");
        fs::create_dir_all(&stale).unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        assert!(!stale.exists());
        cache.store(&key("a"), &mut parsed("# A\n"));
        cache.store(&key("b"), &mut parsed("# B\n"));
        cache.prune([key("a")].iter());
        assert!(cache.load(&key("a")).is_some());
        assert!(cache.load(&key("b")).is_none());
    }
}
