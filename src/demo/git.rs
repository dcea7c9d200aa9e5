//! Writing git history with git2: commits built from in-memory file sets, branches, tags.
//!
//! Used by `portico demo` to create its sample repositories, and by the tests to build
//! fixture repositories. Commits have fixed authors and the given times, so the same input
//! always gives the same commit ids.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use git2::{FileMode, Oid, Repository, Signature, Time};

/// The files of one commit: path → contents. A path whose contents start with
/// [`SYMLINK_PREFIX`] is written as a symbolic link to the rest.
pub type FileSet = BTreeMap<String, Vec<u8>>;

/// Contents that make a file a symlink: `b"symlink:../LICENSE"`.
pub const SYMLINK_PREFIX: &[u8] = b"symlink:";

/// A repository being written.
pub struct RepoWriter {
    pub repo: Repository,
}

impl RepoWriter {
    /// A new non-bare repository at `path` whose HEAD will name `default_branch`.
    pub fn init(path: &Path, default_branch: &str) -> anyhow::Result<Self> {
        let repo = Repository::init(path)
            .with_context(|| format!("cannot create a git repository at {}", path.display()))?;
        repo.set_head(&format!("refs/heads/{default_branch}"))?;
        Ok(RepoWriter { repo })
    }

    /// A new bare repository at `path`.
    pub fn init_bare(path: &Path, default_branch: &str) -> anyhow::Result<Self> {
        let repo = Repository::init_bare(path)
            .with_context(|| format!("cannot create a git repository at {}", path.display()))?;
        repo.set_head(&format!("refs/heads/{default_branch}"))?;
        Ok(RepoWriter { repo })
    }

    /// Commits `files` (the whole tree) on top of `parent`; returns the commit id.
    /// `time` is seconds since the epoch.
    pub fn commit(
        &self,
        files: &FileSet,
        parent: Option<Oid>,
        message: &str,
        time: i64,
    ) -> anyhow::Result<Oid> {
        let tree_id = self.write_tree(files)?;
        let tree = self.repo.find_tree(tree_id)?;
        let signature =
            Signature::new("Portico Demo", "demo@portico.invalid", &Time::new(time, 0))?;
        let parents = match parent {
            Some(id) => vec![self.repo.find_commit(id)?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        Ok(self
            .repo
            .commit(None, &signature, &signature, message, &tree, &parent_refs)?)
    }

    /// Points `refs/heads/<branch>` (or any full ref name starting with `refs/`) at `commit`.
    pub fn set_ref(&self, name: &str, commit: Oid) -> anyhow::Result<()> {
        let full = if name.starts_with("refs/") {
            name.to_string()
        } else {
            format!("refs/heads/{name}")
        };
        self.repo.reference(&full, commit, true, "portico")?;
        Ok(())
    }

    pub fn tag(&self, name: &str, commit: Oid) -> anyhow::Result<()> {
        let object = self.repo.find_object(commit, None)?;
        self.repo.tag_lightweight(name, &object, true)?;
        Ok(())
    }

    /// Fills the working tree from HEAD (non-bare repositories).
    pub fn checkout_head(&self) -> anyhow::Result<()> {
        self.repo
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .context("cannot check out the default branch")
    }

    fn write_tree(&self, files: &FileSet) -> anyhow::Result<Oid> {
        // Group by first path component: files here, folders recursively.
        let mut here: BTreeMap<&str, &Vec<u8>> = BTreeMap::new();
        let mut folders: BTreeMap<&str, FileSet> = BTreeMap::new();
        for (path, bytes) in files {
            match path.split_once('/') {
                Some((folder, rest)) => {
                    folders
                        .entry(folder)
                        .or_default()
                        .insert(rest.to_string(), bytes.clone());
                }
                None => {
                    here.insert(path.as_str(), bytes);
                }
            }
        }
        let mut builder = self.repo.treebuilder(None)?;
        for (name, bytes) in here {
            match bytes.strip_prefix(SYMLINK_PREFIX) {
                Some(target) => {
                    let blob = self.repo.blob(target)?;
                    builder.insert(name, blob, FileMode::Link.into())?;
                }
                None => {
                    let blob = self.repo.blob(bytes)?;
                    builder.insert(name, blob, FileMode::Blob.into())?;
                }
            }
        }
        for (name, sub) in folders {
            let tree = self.write_tree(&sub)?;
            builder.insert(name, tree, FileMode::Tree.into())?;
        }
        Ok(builder.write()?)
    }
}
