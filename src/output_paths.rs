//! Whether a site path can be written: the file system's limits on names and whole paths,
//! and claims that keep two files, or a file and a folder, from meeting at one path.
//!
//! `catalog` asks before it gives a repository's file an output path, so that a file that
//! cannot be written is left out with a warning (and `check` finds it) instead of failing
//! `publish` halfway. Paths are compared ignoring case: most Mac and Windows file systems
//! do not tell `Setup.html` from `setup.html`, and a site must publish the same everywhere.
//! Pure apart from reading the current folder; imports nothing of ours.

use std::collections::HashMap;
use std::path::Path;

/// The longest file or folder name common file systems accept, in bytes (ext4, APFS,
/// NTFS in UTF-16 units, which is never fewer).
pub(crate) const NAME_MAX: usize = 255;
/// The longest path Linux system calls accept, in bytes, with its terminating NUL.
pub(crate) const PATH_MAX: usize = 4096;
/// Room kept for the staging folder `publish` writes into beside the output folder
/// (`.<name>.portico-staging-<pid>`: the output path plus about 25 bytes), with margin for
/// a longer tag.
const STAGING_HEADROOM: usize = 64;

/// How long a site-relative path may be under one output folder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PathBudget {
    longest_site_path: usize,
}

impl PathBudget {
    /// The budget under `out`, as `publish` will name it (made absolute against the
    /// current folder).
    pub(crate) fn for_output(out: &Path) -> Self {
        let absolute = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
        // The staging folder's path, a `/`, the site path, a NUL.
        let used = absolute.as_os_str().len() + STAGING_HEADROOM + 2;
        PathBudget {
            longest_site_path: PATH_MAX.saturating_sub(used),
        }
    }

    /// Why `site_path` cannot be written, if it cannot.
    pub(crate) fn check(&self, site_path: &str) -> Result<(), String> {
        // A repository written on Linux can name a file `..\..\x.md`: one name here, but
        // a path leaving its folder where `\` separates folders (Windows, some servers).
        if site_path.contains('\\') {
            return Err(
                "its output path holds a backslash, which Windows and some web servers read as a folder separator (a\\..\\x would be written elsewhere)".to_string(),
            );
        }
        // Legal in git and on Linux, but a line break or an escape sequence in a published
        // name breaks deploy scripts, manifests and logs, and can forge HTTP headers.
        if site_path.chars().any(char::is_control) {
            return Err(
                "its output path holds a control character (a line break, tab or escape), which breaks deploy tools and logs".to_string(),
            );
        }
        if let Some(name) = site_path.split('/').find(|name| name.len() > NAME_MAX) {
            return Err(format!(
                "its output name is {} bytes long, more than the {NAME_MAX} a file system allows (\"{}…\")",
                name.len(),
                truncate(name, 40)
            ));
        }
        if site_path.len() > self.longest_site_path {
            return Err(format!(
                "its output path is {} bytes long, and under the output folder it would be longer than the {PATH_MAX} bytes a file system path may have",
                site_path.len()
            ));
        }
        Ok(())
    }
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Output paths taken so far in one folder of the site, each with who took it (a source
/// path, for messages). First come, first served: callers claim in order of importance.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    /// Files, by path folded to lowercase: (path as written, owner).
    files: HashMap<String, (String, String)>,
    /// Folders some file needs, by path folded to lowercase: (path as written, owner of
    /// the first file inside).
    folders: HashMap<String, (String, String)>,
}

impl Claims {
    /// Takes `path` for `owner`, or says why it cannot be had: the end of a sentence
    /// such as "would be written to foo.html, {reason}".
    pub(crate) fn claim(&mut self, path: &str, owner: &str) -> Result<(), String> {
        let key = path.to_lowercase();
        if let Some((taken, other)) = self.files.get(&key) {
            return Err(if taken == path {
                format!("like {other}")
            } else {
                format!(
                    "like {other} ({taken}: the names differ only in case, which most Mac and Windows file systems do not tell apart)"
                )
            });
        }
        if let Some((_, other)) = self.folders.get(&key) {
            return Err(format!("where {other} needs a folder of that name"));
        }
        // Folders are cut from `path` itself and folded one by one: folding can change a
        // name's length in bytes (the Kelvin sign K is 3 bytes, k is 1), so positions in
        // the folded path are not positions in `path`.
        let folders: Vec<(&str, String)> = path
            .match_indices('/')
            .map(|(at, _)| (&path[..at], path[..at].to_lowercase()))
            .collect();
        for (_, folder_key) in &folders {
            if let Some((taken, other)) = self.files.get(folder_key) {
                return Err(format!(
                    "inside a folder {taken}, where {other} is written as a file"
                ));
            }
        }
        for (folder, folder_key) in folders {
            self.folders
                .entry(folder_key)
                .or_insert_with(|| (folder.to_string(), owner.to_string()));
        }
        self.files
            .insert(key, (path.to_string(), owner.to_string()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslashes_are_not_written() {
        let budget = PathBudget {
            longest_site_path: 1000,
        };
        assert!(budget.check("integrations/x/1.0/a b (1).html").is_ok());
        for odd in [
            "integrations/x/1.0/..\\..\\..\\evil.html",
            "integrations/x/1.0/a\\b.html",
        ] {
            assert!(budget.check(odd).is_err(), "{odd:?} accepted");
        }
    }

    #[test]
    fn folders_whose_names_change_length_when_folded_are_claimed_without_panicking() {
        let mut claims = Claims::default();
        assert!(claims.claim("\u{212A}/a.html", "K/a.md").is_ok());
        assert!(claims.claim("İ/x.html", "İ/x.md").is_ok());
        // The folded Kelvin folder is `k`: a file named `k` clashes with it.
        let err = claims.claim("k", "k.md").unwrap_err();
        assert!(err.contains("needs a folder"), "{err}");
        assert!(claims.claim("\u{212A}/b.html", "K/b.md").is_ok());
    }

    #[test]
    fn control_characters_are_not_written_but_other_unicode_is() {
        let budget = PathBudget {
            longest_site_path: 1000,
        };
        assert!(
            budget
                .check("integrations/x/1.0/café ünïcode 日本.html")
                .is_ok()
        );
        for odd in [
            "a/x\r\nSet-Cookie: y/index.html",
            "a/tab\there.html",
            "a/\u{1b}[2J.html",
            "a/\u{85}.html",
        ] {
            let err = budget.check(odd).unwrap_err();
            assert!(err.contains("control character"), "{odd:?}: {err}");
        }
    }

    #[test]
    fn names_longer_than_name_max_are_refused_whatever_the_folder() {
        let budget = PathBudget::for_output(Path::new("/srv/site/public"));
        assert!(budget.check("integrations/x/1.0/ok.html").is_ok());
        let long = format!("integrations/x/1.0/{}.html", "n".repeat(251));
        let err = budget.check(&long).unwrap_err();
        assert!(err.contains("256 bytes"), "{err}");
        assert!(budget.check(&format!("a/{}.html", "n".repeat(250))).is_ok());
    }

    #[test]
    fn whole_paths_count_the_output_folder_and_the_staging_folder() {
        let short = PathBudget::for_output(Path::new("/p"));
        let deep = PathBudget::for_output(&Path::new("/").join("o".repeat(2000)));
        let path = vec!["d".repeat(200); 15].join("/");
        assert!(short.check(&path).is_ok());
        let err = deep.check(&path).unwrap_err();
        assert!(err.contains("4096"), "{err}");
        assert!(
            short.check(&vec!["d".repeat(200); 21].join("/")).is_err(),
            "no output folder makes 4,220 bytes fit"
        );
    }

    #[test]
    fn a_file_and_a_folder_cannot_share_a_path_in_either_order() {
        let mut claims = Claims::default();
        claims
            .claim("foo.html/bar.html", "docs/foo.html/bar.md")
            .unwrap();
        let err = claims.claim("foo.html", "docs/foo.md").unwrap_err();
        assert_eq!(
            err,
            "where docs/foo.html/bar.md needs a folder of that name"
        );

        let mut claims = Claims::default();
        claims.claim("foo.html", "docs/foo.md").unwrap();
        let err = claims
            .claim("foo.html/deeper/bar.html", "docs/foo.html/deeper/bar.md")
            .unwrap_err();
        assert_eq!(
            err,
            "inside a folder foo.html, where docs/foo.md is written as a file"
        );
        claims.claim("foo/bar.html", "docs/foo/bar.md").unwrap();
    }

    #[test]
    fn the_same_path_in_any_case_is_claimed_once() {
        let mut claims = Claims::default();
        claims.claim("setup.html", "docs/setup.md").unwrap();
        assert_eq!(
            claims
                .claim("setup.html", "docs/setup.markdown")
                .unwrap_err(),
            "like docs/setup.md"
        );
        let err = claims.claim("Setup.html", "docs/Setup.md").unwrap_err();
        assert!(err.contains("differ only in case"), "{err}");
        claims.claim("img/a.png", "docs/img/a.png").unwrap();
        assert!(
            claims.claim("Img", "docs/Img").is_err(),
            "a folder in another case"
        );
        assert!(claims.claim("img.png", "docs/img.png").is_ok());
    }
}
