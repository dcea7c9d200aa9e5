//! Link destinations as docs write them, and how they map to repository paths.
//!
//! Pure helpers shared by `source` (which files a page references, so they are read from
//! git) and `catalog`/`markdown` (what URL a reference becomes): classifying a destination,
//! percent-decoding, joining and normalizing paths, the candidate files a link may mean
//! (`setup/configuration` → `setup/configuration.md`, `setup/` → `setup/README.md`), and
//! relative URLs between output files. No I/O.

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

/// Decodes `%20`-style escapes; invalid escapes and invalid UTF-8 are kept as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex_value(bytes[i + 1]), hex_value(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Encodes a site path for use in `href`: keeps `/` and unreserved characters, escapes the
/// rest (spaces and parentheses in GitBook asset names).
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The folder part of a repository path (`docs/setup/a.md` → `docs/setup`).
pub fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Joins a relative path onto a folder and resolves `.` and `..`. `None` when the result
/// would leave the root (a link must never reach outside the repository).
pub fn join(base_dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
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

/// Markdown files are pages; everything else is an asset.
pub fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// True for `README.md` / `readme.md` / `index.md` in any case: a folder's landing page.
pub fn is_landing_name(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    lower == "readme.md" || lower == "index.md" || lower == "readme.markdown"
}

/// The relative URL from one output file to another, both site-relative
/// (`a/b/c.html` → `a/d.html` gives `../d.html`), percent-encoded.
pub fn relative_url(from_file: &str, to_file: &str) -> String {
    percent_encode_path(&relative_path(from_file, to_file))
}

/// The relative path from one file to another (`docs/a/b.md` → `docs/c.md` gives `../c.md`).
pub fn relative_path(from_file: &str, to_file: &str) -> String {
    let from_dir: Vec<&str> = parent_dir(from_file)
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let to: Vec<&str> = to_file.split('/').filter(|p| !p.is_empty()).collect();
    let common = from_dir
        .iter()
        .zip(to.iter())
        .take_while(|(a, b)| a == b)
        .count();
    // Never share the file name itself as a "folder".
    let common = common.min(to.len().saturating_sub(1));
    let mut out = String::new();
    for _ in common..from_dir.len() {
        out.push_str("../");
    }
    out.push_str(&to[common..].join("/"));
    if out.is_empty() {
        // Linking a folder's index from inside that folder.
        out.push_str("./");
    }
    out
}

/// `../` repeated once per folder of `file`: the way back to the site root.
pub fn path_to_root(file: &str) -> String {
    "../".repeat(file.matches('/').count())
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
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
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
    fn joining_resolves_dots_and_refuses_to_leave_the_root() {
        assert_eq!(
            join("docs/setup", "../README.md").as_deref(),
            Some("docs/README.md")
        );
        assert_eq!(join("docs", "./a/./b.md").as_deref(), Some("docs/a/b.md"));
        assert_eq!(join("docs", "../../etc/passwd"), None);
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
    fn relative_urls_between_output_files() {
        assert_eq!(relative_url("a/b/c.html", "a/d.html"), "../d.html");
        assert_eq!(
            relative_url("index.html", "setup/install.html"),
            "setup/install.html"
        );
        assert_eq!(
            relative_url("setup/install.html", "setup/config.html"),
            "config.html"
        );
        assert_eq!(relative_url("x/index.html", "x/index.html"), "index.html");
        assert_eq!(
            relative_url("index.html", "_gitbook/assets/image (1).png"),
            "_gitbook/assets/image%20%281%29.png"
        );
        assert_eq!(
            path_to_root("integrations/jira/2.1/index.html"),
            "../../../"
        );
    }

    #[test]
    fn schemes_are_recognised() {
        assert!(has_scheme("javascript:alert(1)"));
        assert!(has_scheme("HTTPS://x"));
        assert!(!has_scheme("setup/a:b.md"));
    }
}
