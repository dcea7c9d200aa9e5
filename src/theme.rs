//! Themes: the tera templates and static files pages are dressed in.
//!
//! The default theme (`themes/default/` in this repository) is embedded in the binary. A
//! portal's own `themes/<name>/` overrides it file by file, as mdBook does: a theme that
//! only changes `static/portico.css` keeps every default template. Loaded once per build;
//! templates are parsed here so that a broken template fails before anything is rendered.

use std::path::Path;

use anyhow::Context;
use tera::Tera;
use walkdir::WalkDir;

pub const THEMES_DIR: &str = "themes";
pub const DEFAULT_THEME: &str = "default";

/// (name, contents) of the built-in templates.
const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../themes/default/templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../themes/default/templates/macros.html"),
    ),
    (
        "page.html",
        include_str!("../themes/default/templates/page.html"),
    ),
    (
        "content.html",
        include_str!("../themes/default/templates/content.html"),
    ),
    (
        "integrations.html",
        include_str!("../themes/default/templates/integrations.html"),
    ),
    (
        "redirect.html",
        include_str!("../themes/default/templates/redirect.html"),
    ),
    (
        "versions.html",
        include_str!("../themes/default/templates/versions.html"),
    ),
    (
        "404.html",
        include_str!("../themes/default/templates/404.html"),
    ),
    (
        "contents.html",
        include_str!("../themes/default/templates/contents.html"),
    ),
];

/// (name, contents) of the built-in static files.
const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    (
        "portico.css",
        include_bytes!("../themes/default/static/portico.css"),
    ),
    (
        "portico.js",
        include_bytes!("../themes/default/static/portico.js"),
    ),
    (
        "favicon.svg",
        include_bytes!("../themes/default/static/favicon.svg"),
    ),
    (
        "favicon.png",
        include_bytes!("../themes/default/static/favicon.png"),
    ),
    (
        "search.css",
        include_bytes!("../themes/default/static/search.css"),
    ),
    (
        "search.js",
        include_bytes!("../themes/default/static/search.js"),
    ),
    (
        "search-text.js",
        include_bytes!("../themes/default/static/search-text.js"),
    ),
    (
        "full-nav.js",
        include_bytes!("../themes/default/static/full-nav.js"),
    ),
    (
        "deployments.js",
        include_bytes!("../themes/default/static/deployments.js"),
    ),
    (
        "deployments.css",
        include_bytes!("../themes/default/static/deployments.css"),
    ),
];

pub struct Theme {
    pub templates: Tera,
    /// Static files by path relative to the theme's `static/` folder, sorted.
    pub static_files: Vec<(String, Vec<u8>)>,
    /// `'sha256-…'` of every inline script the templates write, sorted: the only inline
    /// scripts the pages' Content-Security-Policy lets run.
    pub inline_script_hashes: Vec<String>,
    /// A hash of every template's text: two themes with the same identity write the same
    /// page from the same data.
    pub identity: u64,
}

/// Loads theme `name` from `<root>/themes/<name>/` over the embedded default.
pub fn load(root: &Path, name: &str) -> anyhow::Result<Theme> {
    let dir = root.join(THEMES_DIR).join(name);
    if name != DEFAULT_THEME && !dir.is_dir() {
        anyhow::bail!(
            "theme {name:?} not found: {} does not exist; create it or set site.theme = \"default\"",
            dir.display()
        );
    }
    let mut templates: Vec<(String, String)> = DEFAULT_TEMPLATES
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let mut static_files: Vec<(String, Vec<u8>)> = DEFAULT_STATIC
        .iter()
        .map(|(name, bytes)| {
            let published = crate::compact::default_static_file(name, bytes);
            (name.to_string(), published)
        })
        .collect();
    for (relative, bytes) in read_folder(&dir.join("templates"))? {
        let text = String::from_utf8(bytes).with_context(|| {
            format!(
                "template {} is not UTF-8",
                dir.join("templates").join(&relative).display()
            )
        })?;
        replace_or_add(&mut templates, relative, text);
    }
    for (relative, bytes) in read_folder(&dir.join("static"))? {
        replace_or_add(&mut static_files, relative, bytes);
    }
    static_files.sort_by(|a, b| a.0.cmp(&b.0));

    let mut inline_script_hashes = Vec::new();
    for (name, text) in &templates {
        let hashes = inline_script_hashes_of(text).map_err(|problem| {
            anyhow::anyhow!(
                "template {} {problem}",
                dir.join("templates").join(name).display()
            )
        })?;
        inline_script_hashes.extend(hashes);
    }
    inline_script_hashes.sort();
    inline_script_hashes.dedup();
    let identity = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let mut sorted: Vec<&(String, String)> = templates.iter().collect();
        sorted.sort();
        sorted.hash(&mut hasher);
        hasher.finish()
    };

    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default also escapes `/`, which is valid but makes every URL unreadable.
    tera.set_escape_fn(crate::escape::escape_html);
    tera.add_raw_templates(templates)
        .map_err(|err| anyhow::anyhow!("{}", describe_tera_error(&err)))
        .with_context(|| {
            format!(
                "cannot load the templates of theme {name:?} ({})",
                dir.display()
            )
        })?;
    Ok(Theme {
        templates: tera,
        static_files,
        inline_script_hashes,
        identity,
    })
}

/// The value of attribute `name` in a start tag (`<script type = "module">`), `""` for a
/// bare attribute (`<script async>`), `None` when absent.
fn attribute_value<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let bytes = tag.as_bytes();
    tag.match_indices(name).find_map(|(at, _)| {
        if !at
            .checked_sub(1)
            .is_some_and(|i| bytes[i].is_ascii_whitespace())
        {
            return None;
        }
        let after = &tag[at + name.len()..];
        let rest = after.trim_start();
        let Some(value) = rest.strip_prefix('=') else {
            let ends_name = after.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/');
            return ends_name.then_some("");
        };
        let value = value.trim_start();
        Some(match value.chars().next() {
            Some(quote @ ('"' | '\'')) => value[1..].split(quote).next().unwrap_or_default(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or_default(),
        })
    })
}

/// The CSP hashes (`'sha256-…'`) of the inline scripts in a template's text. A script
/// whose text uses template syntax would differ from page to page and could carry page
/// data into code: refused (such code belongs in `static/`). `<script src>` and data
/// blocks (`type="application/json"`) are not inline code and need no hash.
fn inline_script_hashes_of(template: &str) -> Result<Vec<String>, String> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let lower = template.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<script") {
        let start = from + found;
        let Some(tag_end) = lower[start..].find('>').map(|end| start + end + 1) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|end| tag_end + end) else {
            return Err("has a <script> that is never closed".to_string());
        };
        from = close;
        let tag = &lower[start..tag_end];
        if attribute_value(tag, "src").is_some() || !runs_as_script(tag) {
            continue;
        }
        let code = &template[tag_end..close];
        if ["{{", "{%", "{#"]
            .iter()
            .any(|syntax| code.contains(syntax))
            || tag.contains("{{")
        {
            return Err(format!(
                "has an inline script that uses template syntax (line {}); the pages' Content-Security-Policy only lets fixed inline scripts run: move the code to a file under static/ and load it with <script src>, passing data in a <script type=\"application/json\"> block",
                1 + template[..start].matches('\n').count()
            ));
        }
        // Browsers hash the script's text after the HTML parser normalized line ends.
        let code = code.replace("\r\n", "\n").replace('\r', "\n");
        let digest = Sha256::digest(code.as_bytes());
        hashes.push(format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
    }
    Ok(hashes)
}

/// Whether a `<script …>` start tag (lowercased) is code, not a data block.
fn runs_as_script(tag: &str) -> bool {
    let Some(value) = attribute_value(tag, "type") else {
        return true;
    };
    matches!(
        value.trim(),
        "" | "module"
            | "text/javascript"
            | "application/javascript"
            | "text/ecmascript"
            | "application/ecmascript"
            | "text/jscript"
            | "text/livescript"
            | "application/x-javascript"
            | "application/x-ecmascript"
            | "text/x-javascript"
            | "text/x-ecmascript"
    )
}

fn replace_or_add<T>(list: &mut Vec<(String, T)>, name: String, value: T) {
    match list.iter_mut().find(|(existing, _)| *existing == name) {
        Some(entry) => entry.1 = value,
        None => list.push((name, value)),
    }
}

/// Files under `dir` (recursively) as (relative path, bytes); none when it does not exist.
pub(crate) fn read_folder(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        if !entry.file_type().is_file() || crate::source::is_hidden_or_temporary(entry.file_name())
        {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(entry.path())
            .with_context(|| format!("cannot read {}", entry.path().display()))?;
        files.push((relative, bytes));
    }
    Ok(files)
}

/// Tera's error with its causes (the cause names the template, line and column).
pub fn describe_tera_error(err: &tera::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids the default theme writes: `(literal start, whether numbers follow at run time)`,
    /// from `id="…"` in the templates and the ids its scripts set or look up.
    fn default_theme_ids() -> Vec<(String, bool)> {
        let mut ids = Vec::new();
        let mut collect = |text: &str, marker: &str| {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                let end = rest.find(['"', '`', '$']).unwrap_or(rest.len());
                let numbered = rest[end..].starts_with("\" +") || rest[end..].starts_with("${");
                ids.push((rest[..end].to_string(), numbered));
            }
        };
        for (_, template) in DEFAULT_TEMPLATES {
            collect(template, " id=\"");
        }
        for (name, bytes) in DEFAULT_STATIC {
            if name.ends_with(".js") {
                let script = String::from_utf8_lossy(bytes);
                for marker in [
                    "id = \"",
                    "id: \"",
                    "id: `",
                    ".id || \"",
                    "getElementById(\"",
                ] {
                    collect(&script, marker);
                }
            }
        }
        ids
    }

    #[test]
    fn every_id_the_default_theme_gives_its_elements_is_kept_from_pages() {
        let ids = default_theme_ids();
        assert!(ids.len() >= 10, "{ids:?}");
        for (id, numbered) in ids {
            // `home-{{ group.id }}`: the integration groups of `compose::views`.
            let examples: Vec<String> = if let Some((start, _)) = id.split_once("{{") {
                ["mattermost", "community"]
                    .map(|group| format!("{start}{group}"))
                    .into()
            } else if numbered {
                vec![format!("{id}0"), format!("{id}0-0")]
            } else {
                vec![id.clone()]
            };
            assert!(
                examples
                    .iter()
                    .any(|example| crate::markdown::sanitize::is_theme_id(example)),
                "the theme's id {id:?} is not in markdown::sanitize's THEME_IDS: a heading could take it"
            );
        }
    }

    #[test]
    fn inline_scripts_are_hashed_as_browsers_hash_them() {
        let hashes = inline_script_hashes_of(
            "<head><script>alert(1)</script>\n<SCRIPT type='text/javascript'>a\r\nb</SCRIPT></head>",
        );
        assert_eq!(
            hashes,
            Ok(vec![
                "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='".to_string(),
                "'sha256-fhj3NzEbLcOy8mndeDlrA1HxT7Zu+oefdoyyMYGIPHg='".to_string(),
            ])
        );
    }

    #[test]
    fn external_scripts_and_data_blocks_need_no_hash() {
        let hashes = inline_script_hashes_of(
            r#"<script src="{{ site.static_root }}portico.js" defer></script><script type="application/json" id="page-map">{{ page_map | safe }}</script><script async
src=x.js></script>"#,
        );
        assert_eq!(hashes, Ok(Vec::new()));
    }

    #[test]
    fn inline_scripts_built_from_template_data_are_refused() {
        let refused = inline_script_hashes_of(
            "<p>\n</p>\n<script>var title = \"{{ page.title }}\";</script>",
        )
        .unwrap_err();
        assert!(
            refused.contains("line 3") && refused.contains("static/"),
            "{refused}"
        );
    }

    #[test]
    fn the_default_theme_has_one_inline_script_to_allow() {
        let theme = load(Path::new("/nonexistent"), DEFAULT_THEME).expect("default theme");
        assert_eq!(theme.inline_script_hashes.len(), 1);
    }

    #[test]
    fn attribute_values_are_read_in_every_spelling() {
        assert_eq!(
            attribute_value("<script type = 'module'>", "type"),
            Some("module")
        );
        assert_eq!(
            attribute_value("<script\ttype=module>", "type"),
            Some("module")
        );
        assert_eq!(attribute_value("<script async src>", "src"), Some(""));
        assert_eq!(attribute_value("<script data-src=x>", "src"), None);
        assert_eq!(attribute_value("<script srcdoc=x>", "src"), None);
    }
}
