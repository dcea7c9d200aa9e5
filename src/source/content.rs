//! The portal's own pages: the `content/` folder next to `site.toml`.
//!
//! Markdown files become pages (invalid UTF-8 and NUL bytes repaired, with a warning);
//! every other file is copied as is. Hidden files and editor leftovers are skipped.

use std::path::Path;
use std::sync::Arc;

use git2::{ObjectType, Oid};
use sha2::{Digest, Sha256};
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

/// Every page and file of `<root>/content/`, with what reading them found.
pub(super) fn read(root: &Path) -> (PortalContent, Vec<Diagnostic>) {
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
        let Some(file) = read_file(entry.path(), path, &mut diagnostics) else {
            continue;
        };
        if is_markdown(&file.path) {
            content.pages.push(file);
        } else {
            content.files.push(file);
        }
    }
    (content, diagnostics)
}

/// One file of `content/` (`path` inside it): its id is that of its bytes as written;
/// markdown is repaired, with a warning per problem.
fn read_file(full: &Path, path: String, diagnostics: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let bytes = match std::fs::read(full) {
        Ok(bytes) => bytes,
        Err(err) => {
            diagnostics.push(Diagnostic::error(
                Location::file(format!("{CONTENT_DIR}/{path}")),
                format!("cannot read file: {err}"),
            ));
            return None;
        }
    };
    let blob = content_hash(&bytes);
    let bytes = match is_markdown(&path).then(|| super::text::repair(&bytes)) {
        Some(Some((repaired, problems))) => {
            for problem in problems {
                diagnostics.push(Diagnostic::warning(
                    Location::file(format!("{CONTENT_DIR}/{path}")).with_line(problem.line),
                    problem.message,
                ));
            }
            repaired.into_bytes()
        }
        _ => bytes,
    };
    Some(SourceFile {
        blob,
        path,
        bytes: Arc::from(bytes),
    })
}

/// `.git`, `.DS_Store`, `#draft.md#`, `notes.md~`, `.page.md.swp`: never part of the site.
pub fn is_hidden_or_temporary(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.') || super::tree::is_editor_leftover(name)
}

/// The id git would give `bytes` as a blob (40 hex digits), for files read from disk
/// rather than from git: the same file has the same id in `content/` as in a repository,
/// so caches keyed by blob id treat both alike.
pub fn content_hash(bytes: &[u8]) -> String {
    match Oid::hash_object(ObjectType::Blob, bytes) {
        Ok(oid) => oid.to_string(),
        // libgit2 fails to hash only when it cannot allocate. A SHA-256 (64 hex digits)
        // still names the bytes, and is never mistaken for a blob id.
        Err(_) => Sha256::digest(bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_file_has_the_id_git_gives_the_same_blob() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            content_hash(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            content_hash(b""),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
    }
}
