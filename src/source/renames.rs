//! Which page became which between two versions, as git tells it: the docs folders' trees
//! of consecutive versions (newest first, as the catalog orders them) compared with
//! libgit2's rename detection (`git diff -M`, similarity 50% as git's default), markdown
//! files only.
//!
//! Input: one repository's versions, read. Output: per pair of docs trees, the moves
//! (old path → new path, both relative to their docs folder), as data for `catalog`, which
//! turns them into the same page across versions. Files at the same path in both trees are
//! not compared (git pairs only deleted with added files), and a pair of trees is compared
//! once: while serving, the pairs of the previous read are reused.

use std::sync::Arc;

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository};

use super::{RepoSnapshot, VersionSnapshot};
use crate::diagnostics::{Diagnostic, Location};

/// How similar (percent) a deleted and an added file must be to count as one renamed: git's
/// default.
const SIMILARITY: u16 = 50;
/// How many deleted and added pages (each) are compared for similarity at most.
const RENAME_LIMIT: usize = 4_000;

/// The moves between two docs trees (ids as hex): each `(old path, new path)`, relative to
/// the older and the newer docs folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRenames {
    pub older: String,
    pub newer: String,
    pub moves: Arc<[(String, String)]>,
}

/// The versions in the order they are published: the current one (first read), then the
/// archives newest first; and the archives with the current version's label, which it
/// shadows.
pub fn newest_first(
    versions: &[VersionSnapshot],
) -> (Vec<&VersionSnapshot>, Vec<&VersionSnapshot>) {
    let Some((current, archives)) = versions.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let mut archives: Vec<&VersionSnapshot> = archives.iter().collect();
    archives.sort_by(|a, b| b.label.cmp(&a.label));
    let (shadowed, archives): (Vec<_>, Vec<_>) = archives
        .into_iter()
        .partition(|archived| archived.label == current.label);
    (std::iter::once(current).chain(archives).collect(), shadowed)
}

/// The moves between each version and the next older one, reusing `previous`'s pairs.
pub(super) fn between_versions(
    repo: &Repository,
    integration: &str,
    versions: &[VersionSnapshot],
    previous: Option<&RepoSnapshot>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<TreeRenames> {
    let (ordered, _) = newest_first(versions);
    let mut found = Vec::new();
    for pair in ordered.windows(2) {
        let (Some(newer), Some(older)) = (&pair[0].docs.tree, &pair[1].docs.tree) else {
            continue;
        };
        if newer == older {
            continue;
        }
        let known = previous.and_then(|previous| {
            previous
                .renames
                .iter()
                .find(|r| &r.older == older && &r.newer == newer)
        });
        if let Some(known) = known {
            found.push(known.clone());
            continue;
        }
        match moves(repo, older, newer) {
            Ok(moves) => found.push(TreeRenames {
                older: older.clone(),
                newer: newer.clone(),
                moves: moves.into(),
            }),
            Err(err) => diagnostics.push(Diagnostic::warning(
                Location::integration(integration).with_version(pair[0].origin.describe()),
                format!(
                    "cannot compare its docs with {} to follow renamed pages ({}); the version switcher matches pages by path only: run `git fsck` in the repository",
                    pair[1].origin.describe(),
                    err.message()
                ),
            )),
        }
    }
    found
}

/// The markdown files of tree `older` found renamed (or moved) in tree `newer`, sorted.
fn moves(
    repo: &Repository,
    older: &str,
    newer: &str,
) -> Result<Vec<(String, String)>, git2::Error> {
    let older = repo.find_tree(Oid::from_str(older)?)?;
    let newer = repo.find_tree(Oid::from_str(newer)?)?;
    let mut options = DiffOptions::new();
    for pattern in ["*.md", "*.MD", "*.markdown"] {
        options.pathspec(pattern);
    }
    let mut diff = repo.diff_tree_to_tree(Some(&older), Some(&newer), Some(&mut options))?;
    let mut find = DiffFindOptions::new();
    find.renames(true)
        .rename_threshold(SIMILARITY)
        .rename_limit(RENAME_LIMIT);
    diff.find_similar(Some(&mut find))?;
    let path = |file: git2::DiffFile| {
        file.path()
            .and_then(|path| path.to_str())
            .map(|path| path.replace('\\', "/"))
    };
    let mut moves: Vec<(String, String)> = Vec::new();
    let mut deleted: Vec<String> = Vec::new();
    let mut added: std::collections::BTreeSet<String> = Default::default();
    for delta in diff.deltas() {
        match delta.status() {
            Delta::Renamed => {
                if let (Some(old), Some(new)) = (path(delta.old_file()), path(delta.new_file())) {
                    moves.push((old, new));
                }
            }
            Delta::Deleted => deleted.extend(path(delta.old_file())),
            Delta::Added => added.extend(path(delta.new_file())),
            _ => {}
        }
    }
    moves.extend(folder_moves(&moves, &deleted, &added));
    moves.sort();
    Ok(moves)
}

/// Pages that moved with their folder but changed too much for git to pair them by
/// content (a stub rewritten, a page mostly new): when git paired `old/a.md` with
/// `new/a.md`, the folder `old` became `new` (as git's own merge infers directory renames),
/// so a deleted `old/b.md` is `new/b.md` when that was added. A folder whose pages went to
/// several folders is left alone.
fn folder_moves(
    moves: &[(String, String)],
    deleted: &[String],
    added: &std::collections::BTreeSet<String>,
) -> Vec<(String, String)> {
    let split = |path: &str| -> (String, String) {
        match path.rsplit_once('/') {
            Some((folder, name)) => (folder.to_string(), name.to_string()),
            None => (String::new(), path.to_string()),
        }
    };
    let mut folders: std::collections::BTreeMap<String, Option<String>> = Default::default();
    for (old, new) in moves {
        let ((old_folder, old_name), (new_folder, new_name)) = (split(old), split(new));
        if old_name == new_name && old_folder != new_folder {
            folders
                .entry(old_folder)
                .and_modify(|known| {
                    if known.as_deref() != Some(new_folder.as_str()) {
                        *known = None;
                    }
                })
                .or_insert(Some(new_folder));
        }
    }
    deleted
        .iter()
        .filter_map(|old| {
            let (folder, name) = split(old);
            let new_folder = folders.get(&folder)?.as_deref()?;
            let new = if new_folder.is_empty() {
                name
            } else {
                format!("{new_folder}/{name}")
            };
            added.contains(&new).then(|| (old.clone(), new))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_their_folder_when_git_paired_a_sibling() {
        let moves = vec![(
            "admininstrator-guide/permissions.md".to_string(),
            "administrator-guide/permissions.md".to_string(),
        )];
        let deleted = vec![
            "admininstrator-guide/slash-commands.md".to_string(),
            "admininstrator-guide/gone.md".to_string(),
            "other/slash-commands.md".to_string(),
        ];
        let added: std::collections::BTreeSet<String> = [
            "administrator-guide/slash-commands.md".to_string(),
            "new-page.md".to_string(),
        ]
        .into();
        assert_eq!(
            folder_moves(&moves, &deleted, &added),
            [(
                "admininstrator-guide/slash-commands.md".to_string(),
                "administrator-guide/slash-commands.md".to_string()
            )]
        );
        // A folder whose pages went two ways infers nothing.
        let split = vec![
            moves[0].clone(),
            (
                "admininstrator-guide/a.md".to_string(),
                "elsewhere/a.md".to_string(),
            ),
        ];
        assert!(folder_moves(&split, &deleted, &added).is_empty());
    }

    /// A tree of `files` written into `repo`, with folders.
    fn tree(repo: &Repository, files: &[(&str, &str)]) -> String {
        let mut index = git2::Index::new().unwrap();
        for (path, text) in files {
            let blob = repo.blob(text.as_bytes()).unwrap();
            let mut entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: text.len() as u32,
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            entry.flags = entry.path.len().min(0xfff) as u16;
            index.add(&entry).unwrap();
        }
        index.write_tree_to(repo).unwrap().to_string()
    }

    const LONG: &str = "# Permissions\n\nWho may create issues, who may subscribe channels, and which Jira projects each team sees.\n\n## Admins\n\nSystem admins may do everything.\n";

    #[test]
    fn a_renamed_folder_s_pages_are_found_in_subfolders_and_a_rewritten_page_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let older = tree(
            &repo,
            &[
                ("admininstrator-guide/permissions.md", LONG),
                (
                    "gone.md",
                    "# Gone\n\nSomething else entirely, quite short.\n",
                ),
                ("same.md", "# Same\n"),
                ("image.png", "not markdown"),
            ],
        );
        let newer = tree(
            &repo,
            &[
                (
                    "administrator-guide/permissions.md",
                    &LONG.replace("everything", "everything here"),
                ),
                (
                    "new.md",
                    "# New\n\nA different page with different words in it.\n",
                ),
                ("same.md", "# Same, edited\n"),
                ("images/image.png", "not markdown"),
            ],
        );
        assert_eq!(
            moves(&repo, &older, &newer).unwrap(),
            [(
                "admininstrator-guide/permissions.md".to_string(),
                "administrator-guide/permissions.md".to_string()
            )]
        );
    }
}
