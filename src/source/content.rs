//! The portal's own pages: the `content/` folder next to `site.toml`.
//!
//! Markdown files become pages (invalid UTF-8 and NUL bytes repaired, with a warning);
//! every other file is copied as is. Hidden files and editor leftovers are skipped.

use std::path::Path;
use std::sync::Arc;

use walkdir::WalkDir;

use super::SourceFile;
use crate::diagnostics::{Diagnostic, Location};
use crate::paths::is_markdown;

pub const CONTENT_DIR: &str = "content";

/// The files of `content/`, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct PortalContent {
    pub pages: Vec<SourceFile>,
    pub files: Vec<SourceFile>,
}

pub fn read(root: &Path) -> (PortalContent, Vec<Diagnostic>) {
    let dir = root.join(CONTENT_DIR);
    let mut content = PortalContent::default();
    let mut diagnostics = Vec::new();
    if !dir.is_dir() {
        return (content, diagnostics);
    }
    let walker = WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden_or_temporary(entry.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                diagnostics.push(Diagnostic::warning(
                    Location::file(CONTENT_DIR),
                    format!("cannot read part of the content folder: {err}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        let Some(path) = relative.to_str().map(|p| p.replace('\\', "/")) else {
            diagnostics.push(Diagnostic::warning(
                Location::file(format!("{CONTENT_DIR}/{}", relative.display())),
                "file name is not valid UTF-8; rename it",
            ));
            continue;
        };
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                let blob = content_hash(&bytes);
                let bytes = match is_markdown(&path).then(|| super::text::repair(&bytes)) {
                    Some(Some((repaired, problems))) => {
                        for problem in problems {
                            diagnostics.push(Diagnostic::warning(
                                Location::file(format!("{CONTENT_DIR}/{path}"))
                                    .with_line(problem.line),
                                problem.message,
                            ));
                        }
                        repaired.into_bytes()
                    }
                    _ => bytes,
                };
                let file = SourceFile {
                    blob,
                    path,
                    bytes: Arc::from(bytes),
                };
                if is_markdown(&file.path) {
                    content.pages.push(file);
                } else {
                    content.files.push(file);
                }
            }
            Err(err) => diagnostics.push(Diagnostic::error(
                Location::file(format!("{CONTENT_DIR}/{path}")),
                format!("cannot read file: {err}"),
            )),
        }
    }
    (content, diagnostics)
}

/// `.git`, `.DS_Store`, `#draft.md#`, `notes.md~`, `.page.md.swp`: never part of the site.
pub fn is_hidden_or_temporary(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.') || super::is_editor_leftover(name)
}

/// A stable content hash for files that have no git blob id (FNV-1a, 64 bit, hex).
pub fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
