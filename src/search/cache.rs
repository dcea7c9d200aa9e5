//! Each document's analysis (its weighted terms and its fragment files) kept on disk between
//! builds, in `cache_dir/search/<Portico binary>/`, so that a build after a one-page commit
//! analyses one document, not every one.
//!
//! A document's analysis is a function of its title, its addresses and its HTML; the HTML is
//! named by its rendering's key and the hash of its links (`RenderedPages::identity`), so
//! the key is known without reading the HTML. One small binary file per document: a layout
//! line, then length-prefixed parts. A file that is foreign, truncated or unreadable is
//! ignored (the document is analysed again). Analyses no document of the last build used are
//! removed; `check` reads but writes nothing.

use std::collections::HashSet;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use super::DocumentTerms;

const FOLDER: &str = "search";
const LAYOUT: &[u8] = b"portico-search-analysis 1\n";

pub(super) struct AnalysisCache {
    dir: PathBuf,
    writable: bool,
}

/// What is cached of one document.
pub(super) type Analysis = (DocumentTerms, Vec<Vec<u8>>);

impl AnalysisCache {
    /// The cache of this binary under `cache_dir` (created when `writable`).
    pub fn open(cache_dir: &Path, writable: bool) -> Option<AnalysisCache> {
        let parent = cache_dir.join(FOLDER);
        let dir = parent.join(crate::render::binary_identity());
        if writable {
            fs::create_dir_all(&dir).ok()?;
            for entry in fs::read_dir(&parent).ok()?.flatten() {
                if entry.path() != dir && entry.file_type().is_ok_and(|t| t.is_dir()) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        } else if !dir.is_dir() {
            return None;
        }
        Some(AnalysisCache { dir, writable })
    }

    pub fn load(&self, key: u64) -> Option<Analysis> {
        let bytes = fs::read(self.path(key)).ok()?;
        decode(bytes.strip_prefix(LAYOUT)?)
    }

    pub fn store(&self, key: u64, analysis: &Analysis) {
        if !self.writable {
            return;
        }
        let mut bytes = LAYOUT.to_vec();
        encode(analysis, &mut bytes);
        let path = self.path(key);
        let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
        if fs::write(&temporary, &bytes).is_err() || fs::rename(&temporary, &path).is_err() {
            let _ = fs::remove_file(&temporary);
        }
    }

    /// Removes the analyses of documents this build does not have.
    pub fn prune(&self, used: &HashSet<u64>) {
        if !self.writable {
            return;
        }
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let keep = name
                .to_str()
                .and_then(|name| name.strip_suffix(".bin"))
                .and_then(|hex| u64::from_str_radix(hex, 16).ok())
                .is_some_and(|key| used.contains(&key));
            if !keep {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn path(&self, key: u64) -> PathBuf {
        self.dir.join(format!("{key:016x}.bin"))
    }
}

/// The key of a document's analysis: everything it is a function of.
pub(super) fn key(title: &str, urls: &[(usize, String)], html_identity: u64) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (super::FORMAT, title, urls, html_identity).hash(&mut hasher);
    hasher.finish()
}

fn encode((terms, fragments): &Analysis, out: &mut Vec<u8>) {
    let mut part = |bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    };
    part(terms.text.as_bytes());
    part(&pairs(&terms.ends));
    part(&pairs(&terms.passages));
    for fragment in fragments {
        part(fragment);
    }
}

fn pairs(pairs: &[(u32, u32)]) -> Vec<u8> {
    pairs
        .iter()
        .flat_map(|(a, b)| a.to_le_bytes().into_iter().chain(b.to_le_bytes()))
        .collect()
}

fn decode(mut bytes: &[u8]) -> Option<Analysis> {
    let mut parts = Vec::new();
    while !bytes.is_empty() {
        let (length, rest) = bytes.split_first_chunk::<8>()?;
        let length = usize::try_from(u64::from_le_bytes(*length)).ok()?;
        if rest.len() < length {
            return None;
        }
        parts.push(&rest[..length]);
        bytes = &rest[length..];
    }
    let mut parts = parts.into_iter();
    let text = String::from_utf8(parts.next()?.to_vec()).ok()?;
    let ends = unpairs(parts.next()?)?;
    let passages = unpairs(parts.next()?)?;
    let fragments: Vec<Vec<u8>> = parts.map(<[u8]>::to_vec).collect();
    // What the terms index must hold together: ends within the text and the passages.
    let consistent = ends
        .windows(2)
        .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1)
        && ends.last().is_none_or(|&(text_end, passages_end)| {
            text_end as usize <= text.len() && passages_end as usize <= passages.len()
        })
        && ends
            .iter()
            .all(|&(text_end, _)| text.is_char_boundary(text_end as usize));
    (consistent && !fragments.is_empty()).then_some((
        DocumentTerms {
            text,
            ends,
            passages,
        },
        fragments,
    ))
}

fn unpairs(bytes: &[u8]) -> Option<Vec<(u32, u32)>> {
    if !bytes.len().is_multiple_of(8) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|pair| {
                let (a, b) = pair.split_at(4);
                (
                    u32::from_le_bytes(a.try_into().unwrap_or_default()),
                    u32::from_le_bytes(b.try_into().unwrap_or_default()),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Analysis {
        (
            DocumentTerms {
                text: "setupslack".into(),
                ends: vec![(5, 1), (10, 3)],
                passages: vec![(0, 9), (0, 4), (2, 1)],
            },
            vec![b"{\"t\":1}".to_vec(), b"{\"t\":2}".to_vec()],
        )
    }

    #[test]
    fn an_analysis_is_read_back_as_it_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let cache = AnalysisCache::open(dir.path(), true).unwrap();
        cache.store(7, &sample());
        let (terms, fragments) = cache.load(7).unwrap();
        assert_eq!(
            (terms.text, terms.ends, terms.passages, fragments),
            (
                sample().0.text,
                sample().0.ends,
                sample().0.passages,
                sample().1
            )
        );
        assert!(cache.load(8).is_none());
    }

    #[test]
    fn damaged_analyses_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = AnalysisCache::open(dir.path(), true).unwrap();
        cache.store(7, &sample());
        let path = cache.path(7);
        let whole = fs::read(&path).unwrap();
        for cut in [whole.len() - 3, LAYOUT.len() + 4, 5] {
            fs::write(&path, &whole[..cut]).unwrap();
            assert!(cache.load(7).is_none(), "cut at {cut}");
        }
        // Term ends beyond the text.
        let mut bad = sample();
        bad.0.ends = vec![(50, 1)];
        cache.store(7, &bad);
        assert!(cache.load(7).is_none());
    }
}
