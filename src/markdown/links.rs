//! Link destinations as docs write them, and how they map to repository paths.
//!
//! Pure helpers shared by `source` (which files a page references, so they are read from
//! git) and `catalog`/`markdown` (what URL a reference becomes): classifying a destination,
//! resolving it inside the repository, and the candidate files a link may mean
//! (`setup/configuration` → `setup/configuration.md`, `setup/` → `setup/README.md`). The
//! string work on paths themselves is `crate::paths`. No I/O.

use crate::paths::{is_markdown, join, parent_dir, percent_decode};

/// What a link destination points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Another site or scheme (`https://`, `mailto:`, `//host`): left alone.
    External,
    /// An anchor on the same page (`#install`).
    Fragment(String),
    /// A path relative to the linking file, percent-decoded, with its fragment.
    Relative {
        path: String,
        fragment: Option<String>,
    },
    /// A path from the site root (`/integrations/`), as written, with its fragment.
    Rooted {
        path: String,
        fragment: Option<String>,
    },
}

/// Classifies a destination as written in markdown or HTML (`<…>` already removed by the parser).
pub fn classify(dest: &str) -> Destination {
    let dest = dest.trim();
    if dest.is_empty() {
        return Destination::Fragment(String::new());
    }
    if let Some(fragment) = dest.strip_prefix('#') {
        return Destination::Fragment(percent_decode(fragment));
    }
    if dest.starts_with("//") || has_scheme(dest) {
        return Destination::External;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(percent_decode(fragment))),
        None => (dest, None),
    };
    // A query string means nothing to a static file; keep only the path.
    let path = path.split('?').next().unwrap_or_default();
    let path = percent_decode(path);
    if let Some(rooted) = path.strip_prefix('/') {
        Destination::Rooted {
            path: rooted.to_string(),
            fragment,
        }
    } else {
        Destination::Relative { path, fragment }
    }
}

/// Where a link written in a repository file points inside the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoTarget {
    /// Normalized repository path: no `.`/`..`, no leading or trailing `/` (`""` is the root).
    pub path: String,
    /// Written as a folder (`setup/`): the folder's landing page is meant.
    pub folder: bool,
    pub fragment: Option<String>,
}

/// Resolves a destination written in the repository file `from`: relative paths against
/// its folder, rooted paths (`/docs/a.md`) against the repository root (as GitHub does).
/// `None` for other sites, same-page anchors, and paths that would leave the repository.
/// This is the one place that decides what a link in the docs means; `source` uses it to
/// know which files to read, `catalog` to know what URL a link becomes.
pub fn resolve_in_repo(from: &str, dest: &str) -> Option<RepoTarget> {
    let (base, path, fragment) = match classify(dest) {
        Destination::Relative { path, fragment } => (parent_dir(from), path, fragment),
        Destination::Rooted { path, fragment } => ("", path, fragment),
        Destination::External | Destination::Fragment(_) => return None,
    };
    Some(RepoTarget {
        folder: names_folder(&path),
        path: join(base, &path)?,
        fragment,
    })
}

/// The repository path an `{% include %}` in file `from` names; the one rule both reading
/// (`source`) and rendering (`catalog`) follow.
pub fn include_path(from: &str, target: &str) -> Result<String, String> {
    resolve_in_repo(from, target)
        .map(|target| target.path)
        .filter(|path| !path.is_empty())
        .ok_or_else(|| "the path leaves the repository".to_string())
}

/// True for `https:`, `mailto:`, `javascript:` … (a scheme is letters then `:` before any `/`).
pub fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(colon) if colon > 0 => {
            let scheme = &dest[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        _ => false,
    }
}

/// True when the written path ends with `/` (a folder link such as `setup/`).
pub fn names_folder(relative: &str) -> bool {
    relative.is_empty() || relative.ends_with('/') || relative.ends_with("/.")
}

/// The files a resolved link may mean, most literal first: the path itself, then as a
/// markdown page without its extension, then as a folder's landing page. A link written
/// as a folder (`setup/`) means the folder's landing page (or, as on GitHub, the
/// markdown file itself when it names one: `README.md/`).
pub fn candidates(path: &str, folder: bool) -> Vec<String> {
    let path = path.trim_end_matches('/');
    let mut out = Vec::with_capacity(5);
    if !path.is_empty() && (!folder || is_markdown(path)) {
        out.push(path.to_string());
        if !folder && !is_markdown(path) {
            out.push(format!("{path}.md"));
        }
    }
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    for landing in ["README.md", "readme.md", "index.md"] {
        out.push(format!("{prefix}{landing}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_classified() {
        assert_eq!(classify("https://x.org/a.md"), Destination::External);
        assert_eq!(classify("mailto:a@b.c"), Destination::External);
        assert_eq!(classify("//cdn.example.com/x.js"), Destination::External);
        assert_eq!(
            classify("#get-help"),
            Destination::Fragment("get-help".into())
        );
        assert_eq!(
            classify("../setup.md#install"),
            Destination::Relative {
                path: "../setup.md".into(),
                fragment: Some("install".into())
            }
        );
        assert_eq!(
            classify("/integrations/"),
            Destination::Rooted {
                path: "integrations/".into(),
                fragment: None
            }
        );
    }

    #[test]
    fn url_encoded_gitbook_asset_names_are_decoded() {
        assert_eq!(
            classify("../.gitbook/assets/image%20%281%29.png"),
            Destination::Relative {
                path: "../.gitbook/assets/image (1).png".into(),
                fragment: None
            }
        );
    }

    #[test]
    fn repository_links_resolve_relative_and_rooted_paths() {
        let target = resolve_in_repo("docs/setup/a.md", "../b.md#x").unwrap();
        assert_eq!(
            (
                target.path.as_str(),
                target.folder,
                target.fragment.as_deref()
            ),
            ("docs/b.md", false, Some("x"))
        );
        assert_eq!(
            resolve_in_repo("docs/a.md", "/assets/logo.png")
                .unwrap()
                .path,
            "assets/logo.png"
        );
        assert!(resolve_in_repo("docs/a.md", "setup/").unwrap().folder);
        assert_eq!(resolve_in_repo("docs/a.md", "../../x.md"), None);
        assert_eq!(resolve_in_repo("a.md", "https://x.org/a.md"), None);
        assert_eq!(resolve_in_repo("a.md", "#top"), None);
    }

    #[test]
    fn extensionless_and_folder_links_have_candidates() {
        assert_eq!(
            candidates("setup/configuration", false),
            [
                "setup/configuration",
                "setup/configuration.md",
                "setup/configuration/README.md",
                "setup/configuration/readme.md",
                "setup/configuration/index.md"
            ]
        );
        assert_eq!(candidates("", false)[0], "README.md");
        assert_eq!(candidates("setup/", true)[0], "setup/README.md");
    }

    #[test]
    fn schemes_are_recognised() {
        assert!(has_scheme("javascript:alert(1)"));
        assert!(has_scheme("HTTPS://x"));
        assert!(!has_scheme("setup/a:b.md"));
    }
}
