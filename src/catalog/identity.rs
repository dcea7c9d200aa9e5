//! The same page across an integration's versions, computed once: which page of each
//! version a page is, following renames and moves.
//!
//! Input: the classified versions (newest first), the moves git found between consecutive
//! versions' docs trees (`source::TreeRenames`) and the pages' front matter `aliases`.
//! Output: [`SamePages`], read by the version switcher, the archived banner, the canonical
//! link, the 404 page's map and legacy-URL links. Pages are joined in order of authority,
//! each join refused when it would give one version two pages of the same identity:
//! aliases first (written by hand, they override), then version pairs nearest first, by
//! the same output path and, between consecutive versions, by git's renames. So a page
//! renamed A → B → C over three versions is one page, and a new page reusing an old name
//! does not steal the renamed page's history. No I/O.

use std::collections::HashMap;

use super::{Integration, Page, Version};
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::links as markdown_links;
use crate::source::TreeRenames;

/// The front matter key naming a page's older paths.
const ALIASES: &str = "aliases";

/// Which page of each version every page of an integration is.
#[derive(Debug, Default)]
pub struct SamePages {
    /// Page id → its identity (index in `identities`).
    identity_of: HashMap<usize, usize>,
    /// Each identity's pages as (version index, page id), by version, newest first.
    identities: Vec<Vec<(usize, usize)>>,
}

impl SamePages {
    /// The page that `page` is in the version at `version` (an index in
    /// `Integration::versions`), if that version has it.
    pub fn in_version(&self, page: usize, version: usize) -> Option<usize> {
        self.pages_of(page)
            .iter()
            .find(|&&(v, _)| v == version)
            .map(|&(_, page)| page)
    }

    /// The newest version's copy of `page` (itself when no newer version has it).
    pub fn newest(&self, page: usize) -> usize {
        self.pages_of(page).first().map_or(page, |&(_, page)| page)
    }

    /// Every version's copy of `page`, as (version index, page id), newest first.
    pub fn pages_of(&self, page: usize) -> &[(usize, usize)] {
        self.identity_of
            .get(&page)
            .map_or(&[], |&identity| &self.identities[identity])
    }

    /// Every identity, in the order first met (newest version first).
    pub fn identities(&self) -> &[Vec<(usize, usize)>] {
        &self.identities
    }
}

/// Pages joined into identities: a union-find whose roots hold their members by version.
struct Joiner {
    node_of: HashMap<usize, usize>,
    parent: Vec<usize>,
    /// A root's members, (version, page) sorted by version.
    members: Vec<Vec<(usize, usize)>>,
}

impl Joiner {
    fn new(versions: &[Version]) -> Self {
        let mut joiner = Joiner {
            node_of: HashMap::new(),
            parent: Vec::new(),
            members: Vec::new(),
        };
        for (index, version) in versions.iter().enumerate() {
            for &page in &version.docs.pages {
                joiner.node_of.insert(page, joiner.parent.len());
                joiner.parent.push(joiner.parent.len());
                joiner.members.push(vec![(index, page)]);
            }
        }
        joiner
    }

    fn root(&mut self, page: usize) -> Option<usize> {
        let mut node = *self.node_of.get(&page)?;
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        Some(node)
    }

    /// Makes `a` and `b` one page, unless that would give a version two pages of it.
    fn join(&mut self, a: usize, b: usize) {
        let (Some(a), Some(b)) = (self.root(a), self.root(b)) else {
            return;
        };
        if a == b {
            return;
        }
        let (small, large) = match self.members[a].len() < self.members[b].len() {
            true => (a, b),
            false => (b, a),
        };
        let clash = self.members[small]
            .iter()
            .any(|(version, _)| self.members[large].iter().any(|(v, _)| v == version));
        if clash {
            return;
        }
        let moved = std::mem::take(&mut self.members[small]);
        self.members[large].extend(moved);
        self.members[large].sort_unstable();
        self.parent[small] = large;
    }

    fn finish(mut self, versions: &[Version]) -> SamePages {
        let mut same = SamePages::default();
        let mut identity_of_root: HashMap<usize, usize> = HashMap::new();
        for version in versions {
            for &page in &version.docs.pages {
                let Some(root) = self.root(page) else {
                    continue;
                };
                let identity = *identity_of_root.entry(root).or_insert_with(|| {
                    same.identities
                        .push(std::mem::take(&mut self.members[root]));
                    same.identities.len() - 1
                });
                same.identity_of.insert(page, identity);
            }
        }
        same
    }
}

/// Which page of each version every page of `integration` is (see the module header).
pub(super) fn link(
    integration: &Integration,
    renames: &[TreeRenames],
    pages: &[Page],
    diagnostics: &mut Vec<Diagnostic>,
) -> SamePages {
    let versions = &integration.versions;
    let mut joiner = Joiner::new(versions);
    join_aliases(integration, pages, &mut joiner, diagnostics);
    for distance in 1..versions.len() {
        for (newer, older) in versions.iter().zip(&versions[distance..]) {
            for &page in &newer.docs.pages {
                if let Some(same) = older.docs.page_at(&pages[page].rel_path) {
                    joiner.join(same, page);
                }
            }
            if distance > 1 {
                continue;
            }
            // No moves between versions whose docs trees are the same, or that were not
            // consecutive when read (a version between them left out): paths alone join.
            let moves = renames.iter().find(|r| {
                Some(&r.newer) == newer.docs_tree.as_ref()
                    && Some(&r.older) == older.docs_tree.as_ref()
            });
            for (from, to) in moves.iter().flat_map(|r| r.moves.iter()) {
                let was = older
                    .docs
                    .page_by_path
                    .get(&in_docs(&older.docs.root, from));
                let is = newer.docs.page_by_path.get(&in_docs(&newer.docs.root, to));
                if let (Some(&was), Some(&is)) = (was, is) {
                    joiner.join(was, is);
                }
            }
        }
    }
    joiner.finish(versions)
}

/// A path relative to the docs folder `root` as a repository path.
fn in_docs(root: &str, path: &str) -> String {
    match root.is_empty() {
        true => path.to_string(),
        false => format!("{root}/{path}"),
    }
}

/// Joins every page with the pages its front matter `aliases` name in older versions (the
/// nearest first); an alias naming no page of another version is a warning.
fn join_aliases(
    integration: &Integration,
    pages: &[Page],
    joiner: &mut Joiner,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let versions = &integration.versions;
    // (claiming version, page claimed) → the claiming page's path and line: two pages of one
    // version cannot both be the same older page.
    let mut claimed: HashMap<(usize, usize), (String, u32)> = HashMap::new();
    for (index, version) in versions.iter().enumerate() {
        for &page in &version.docs.pages {
            let source = &pages[page].source;
            if !source.bytes.starts_with(b"---") {
                continue;
            }
            let here = || {
                Location::integration(&integration.id)
                    .with_version(version.describe())
                    .with_file(&source.path)
            };
            let aliases = match aliases(&source.text()) {
                None => continue,
                Some(Err((line, message))) => {
                    diagnostics.push(Diagnostic::warning(here().with_line(line), message));
                    continue;
                }
                Some(Ok(aliases)) => aliases,
            };
            for (alias, line) in aliases {
                let mut known = false;
                for (other_index, other) in versions.iter().enumerate() {
                    let path = alias.trim_start_matches('/');
                    let found = crate::paths::join(&other.docs.root, path).and_then(|path| {
                        other
                            .docs
                            .find_page(&path, markdown_links::names_folder(&alias))
                    });
                    let Some(found) = found.filter(|_| other_index != index) else {
                        continue;
                    };
                    known = true;
                    if let Some((first, first_line)) = claimed.get(&(index, found))
                        && *first != source.path
                    {
                        diagnostics.push(Diagnostic::warning(
                            here().with_line(line),
                            format!(
                                "{ALIASES}: {alias:?} is claimed by {first} (line {first_line}) too; one page of a version can be the same page as {alias:?}, so this alias is ignored: remove it from one of them",
                            ),
                        ));
                        continue;
                    }
                    claimed.insert((index, found), (source.path.clone(), line));
                    if other_index > index {
                        joiner.join(page, found);
                    }
                }
                if !known {
                    diagnostics.push(Diagnostic::warning(
                        here().with_line(line),
                        format!(
                            "{ALIASES}: {alias:?} is not a page of any other version of {}; write the page's older path relative to the docs folder (as in `{ALIASES}: [old/path.md]`), or remove it",
                            integration.name
                        ),
                    ));
                }
            }
        }
    }
}

/// A line of a file, and what is wrong there.
type LinedMessage = (u32, String);

/// A page's front matter `aliases` with the line each is on, or the line and message of
/// why they cannot be read; `None` without any (front matter that is not YAML at all is
/// the renderer's to report).
fn aliases(text: &str) -> Option<Result<Vec<(String, u32)>, LinedMessage>> {
    let yaml = crate::markdown::front_matter_yaml(text)?;
    if !yaml.contains(ALIASES) {
        return None;
    }
    let value: serde_yaml_ng::Value = crate::yaml::from_slice(yaml.as_bytes()).ok()?;
    let listed = value.get(ALIASES)?;
    // The front matter starts on the file's second line.
    let lines: Vec<&str> = yaml.lines().collect();
    let key_index = lines
        .iter()
        .position(|line| {
            line.strip_prefix(ALIASES)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .unwrap_or(0);
    let line_of = |index: usize| index as u32 + 2;
    let not_a_list = || {
        (
            line_of(key_index),
            format!(
                "{ALIASES} must be a list of the paths this page had in older versions, relative to the docs folder: `{ALIASES}: [old/path.md]`; it is ignored"
            ),
        )
    };
    let Some(items) = listed.as_sequence() else {
        return Some(Err(not_a_list()));
    };
    let mut found = Vec::new();
    for item in items {
        let Some(alias) = item.as_str().filter(|alias| !alias.trim().is_empty()) else {
            return Some(Err(not_a_list()));
        };
        let index = lines
            .iter()
            .enumerate()
            .skip(key_index + 1)
            .find(|(_, line)| line.contains(alias))
            .map_or(key_index, |(index, _)| index);
        found.push((alias.to_string(), line_of(index)));
    }
    Some(Ok(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_read_with_the_line_each_is_on() {
        let text = "---\ntitle: Permissions\naliases:\n  - admininstrator-guide/permissions.md\n  - old.md\n---\n# Permissions\n";
        assert_eq!(
            aliases(text),
            Some(Ok(vec![
                ("admininstrator-guide/permissions.md".to_string(), 4),
                ("old.md".to_string(), 5)
            ]))
        );
        assert_eq!(
            aliases("---\naliases: [a.md]\n---\n"),
            Some(Ok(vec![("a.md".to_string(), 2)]))
        );
    }

    #[test]
    fn aliases_that_are_not_a_list_of_paths_are_refused_at_their_line() {
        let (line, message) = aliases("---\ntitle: T\naliases: old.md\n---\n")
            .unwrap()
            .unwrap_err();
        assert_eq!(line, 3);
        assert!(message.starts_with("aliases must be a list"), "{message}");
        assert!(
            aliases("---\naliases: [1, {a: b}]\n---\n")
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn pages_without_aliases_have_none() {
        assert_eq!(aliases("# Title\n\naliases: [x.md]\n"), None);
        assert_eq!(aliases("---\ntitle: aliases of it\n---\n"), None);
    }
}
