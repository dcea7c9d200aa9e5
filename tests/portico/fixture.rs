//! Test fixtures: real git repositories and portals in temporary folders, and a runner for
//! the real `portico` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::Oid;
use portico::testing::demo::git::{FileSet, RepoWriter, SYMLINK_PREFIX};

/// A portal folder (`site.toml`, `content/`, `repos/`) in a temporary directory.
pub struct Fixture {
    dir: tempfile::TempDir,
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Warning lines printed on stderr.
    pub fn warnings(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .collect()
    }
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// A new non-bare repository at `repos/<name>` whose HEAD names `default_branch`.
    pub fn repo(&self, name: &str, default_branch: &str) -> Repo {
        Repo::init(&self.path(&format!("repos/{name}")), default_branch, false)
    }

    /// A new non-bare repository at any path inside the fixture (`upstream/jira`).
    pub fn repo_at(&self, relative: &str, default_branch: &str) -> Repo {
        Repo::init(&self.path(relative), default_branch, false)
    }

    /// A new bare repository at `repos/<name>`.
    pub fn bare_repo(&self, name: &str, default_branch: &str) -> Repo {
        Repo::init(&self.path(&format!("repos/{name}")), default_branch, true)
    }

    /// Writes `site.toml`: a `[site]` header followed by `body`.
    pub fn site(&self, body: &str) -> &Self {
        let text = format!(
            "[site]\ntitle = \"Test Portal\"\nbase_url = \"https://docs.example.com/\"\ndescription = \"Tests\"\n\n{body}"
        );
        self.write("site.toml", &text)
    }

    pub fn write(&self, relative: &str, text: &str) -> &Self {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Runs `portico --root <fixture> <args>`.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.root(), args)
    }

    /// Builds and asserts success; returns the run.
    pub fn build_ok(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        run
    }

    /// The text of an output file under `public/`.
    pub fn output(&self, relative: &str) -> String {
        let path = self.path(&format!("public/{relative}"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
    }

    /// The bytes of an output file under `public/`.
    pub fn output_bytes(&self, relative: &str) -> Vec<u8> {
        let path = self.path(&format!("public/{relative}"));
        std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
    }

    pub fn has_output(&self, relative: &str) -> bool {
        self.path(&format!("public/{relative}")).exists()
    }
}

pub fn run_in(root: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("run portico");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A real PNG image (1×1, transparent): community-managed repositories publish images only
/// when their content is what their name says.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// A git repository being written: a linear history, one commit per call.
pub struct Repo {
    writer: RepoWriter,
    last: Option<Oid>,
    time: i64,
    bare: bool,
}

impl Repo {
    fn init(path: &Path, default_branch: &str, bare: bool) -> Self {
        std::fs::create_dir_all(path).unwrap();
        let writer = if bare {
            RepoWriter::init_bare(path, default_branch)
        } else {
            RepoWriter::init(path, default_branch)
        }
        .unwrap();
        Repo {
            writer,
            last: None,
            time: 1_600_000_000,
            bare,
        }
    }

    /// An existing repository, to add commits to.
    pub fn open(path: &Path) -> Self {
        let repo = git2::Repository::open(path).unwrap();
        let bare = repo.is_bare();
        Repo {
            writer: RepoWriter { repo },
            last: None,
            time: 1_700_000_000,
            bare,
        }
    }

    /// Commits `files` as a child of the tip of `base` and points `branch` at it.
    pub fn commit_on_top(&mut self, branch: &str, base: &str, files: &[(&str, &str)]) -> &mut Self {
        let base = self
            .writer
            .repo
            .find_reference(&format!("refs/heads/{base}"))
            .and_then(|r| r.peel_to_commit())
            .unwrap()
            .id();
        self.last = Some(base);
        self.commit(branch, files)
    }

    /// Commits exactly `files` (the whole tree) on top of the previous commit and points
    /// `branch` at it. A branch name starting with `refs/` is used as a full ref name.
    pub fn commit(&mut self, branch: &str, files: &[(&str, &str)]) -> &mut Self {
        let mut set = FileSet::new();
        for (path, text) in files {
            set.insert(path.to_string(), text.as_bytes().to_vec());
        }
        self.commit_set(branch, set)
    }

    /// [`Repo::commit`] for files that are not text (images, UTF-16).
    pub fn commit_bytes(&mut self, branch: &str, files: &[(&str, &[u8])]) -> &mut Self {
        let set = files
            .iter()
            .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
            .collect();
        self.commit_set(branch, set)
    }

    pub fn commit_set(&mut self, branch: &str, files: FileSet) -> &mut Self {
        self.time += 86_400;
        let id = self
            .writer
            .commit(&files, self.last, &format!("docs for {branch}"), self.time)
            .unwrap();
        self.writer.set_ref(branch, id).unwrap();
        self.last = Some(id);
        self
    }

    /// Tags the last commit.
    pub fn tag(&mut self, name: &str) -> &mut Self {
        self.writer
            .tag(name, self.last.expect("a commit to tag"))
            .unwrap();
        self
    }

    /// Fills the working tree from HEAD.
    pub fn checkout(&mut self) -> &mut Self {
        if !self.bare {
            self.writer.checkout_head().unwrap();
        }
        self
    }
}

/// A symlink entry for [`Repo::commit`] files: `("docs/LICENSE", &symlink("../LICENSE"))`.
pub fn symlink(target: &str) -> String {
    format!("{}{target}", String::from_utf8_lossy(SYMLINK_PREFIX))
}

/// Every file under `dir` with its bytes, sorted by path, for comparing two builds.
pub fn tree_snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The entries of a page's version switcher, in order: (label, href, has "(no such page)").
pub fn switcher(html: &str) -> Vec<(String, String, bool)> {
    let start = html
        .find("class=\"version-switcher\"")
        .expect("a version switcher");
    let end = start
        + html[start..]
            .find("</details>")
            .expect("end of the switcher");
    html[start..end]
        .split("<li")
        .skip(1)
        .filter(|item| !item.contains("all-versions"))
        .map(|item| {
            let href_start = item.find("href=\"").expect("a link") + 6;
            let href = item[href_start..].split('"').next().unwrap().to_string();
            let text = strip_tags(&format!("<li{item}"));
            let label = text
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            (label, href, text.contains("no such page"))
        })
        .collect()
}

/// Text content of an HTML fragment.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every relative `href`/`src` in the site's HTML that points at no file of the site, as
/// (page, link). Links written in `allowed` (left as written because the source is
/// broken) are skipped.
pub fn dangling_links(site: &Path, allowed: &[&str]) -> Vec<(String, String)> {
    let mut dangling = Vec::new();
    for entry in walkdir::WalkDir::new(site).into_iter().flatten() {
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let page = entry
            .path()
            .strip_prefix(site)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for attribute in ["href=\"", "src=\""] {
            for (at, _) in html.match_indices(attribute) {
                let value = &html[at + attribute.len()..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                if value.is_empty()
                    || value.starts_with('#')
                    || value.contains("://")
                    || value.starts_with("mailto:")
                    || value.starts_with('/')
                    || allowed.contains(&value)
                {
                    continue;
                }
                let path = value.split(['#', '?']).next().unwrap_or_default();
                let decoded = portico::testing::paths::percent_decode(path);
                let mut target = entry.path().parent().unwrap().join(&decoded);
                if decoded.ends_with('/') || decoded.is_empty() {
                    target = target.join("index.html");
                }
                if !target.exists() {
                    dangling.push((page.clone(), value.to_string()));
                }
            }
        }
    }
    dangling.sort();
    dangling.dedup();
    dangling
}
