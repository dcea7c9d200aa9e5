//! Site and repository paths as strings: percent-encoding and decoding, joining and
//! normalizing `/`-separated paths, relative URLs between output files, which file names
//! are markdown pages or a folder's landing page, and the title a file name suggests.
//!
//! A leaf: pure functions on `&str` that import nothing else of Portico, so that reading
//! (`source`), addressing (`catalog`), rendering (`markdown`), composing and serving can
//! all use them without depending on each other. No I/O.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// What [`percent_encode_path`] escapes: every byte but ASCII letters and digits, `/` and
/// the unreserved `-`, `_`, `.`, `~`.
const PATH_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Decodes `%20`-style escapes; invalid escapes and invalid UTF-8 are kept as written.
pub fn percent_decode(text: &str) -> String {
    match percent_decode_str(text).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => text.to_string(),
    }
}

/// Encodes a site path for use in `href`: keeps `/` and unreserved characters, escapes the
/// rest (spaces and parentheses in GitBook asset names) as `%XX` in upper case.
pub fn percent_encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH_ESCAPED).to_string()
}

/// What [`percent_encode_query_value`] escapes: every byte but ASCII letters and digits and
/// the unreserved `-`, `_`, `.`, `~` (so `&`, `=`, `#`, `+` and `/` inside a value are safe).
const QUERY_VALUE_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Encodes one value of a URL's query string (`?title=<value>`).
pub fn percent_encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE_ESCAPED).to_string()
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

/// `docs/setup/getting-started.md` → `getting-started`; a folder's README takes the folder's name.
pub fn file_stem(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    if is_landing_name(name)
        && let Some(folder) = parts.pop()
    {
        return folder.to_string();
    }
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string()
}

/// `getting-started` → `Getting started`: a title for a page or folder with none.
pub fn humanize(file_stem: &str) -> String {
    let words = file_stem.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_decoded_and_invalid_ones_kept() {
        assert_eq!(
            percent_decode("../.gitbook/assets/image%20%281%29.png"),
            "../.gitbook/assets/image (1).png"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("bad%FF"), "bad%FF");
    }

    #[test]
    fn paths_keep_unreserved_characters_and_escape_the_rest_in_upper_case() {
        assert_eq!(
            percent_encode_path("a/B-9_.~/x y(1)#?%&é\u{7f}"),
            "a/B-9_.~/x%20y%281%29%23%3F%25%26%C3%A9%7F"
        );
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
    fn file_names_become_readable_titles() {
        assert_eq!(humanize("getting-started"), "Getting started");
        assert_eq!(humanize("faq_and_help"), "Faq and help");
    }
}
