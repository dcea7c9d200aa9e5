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
];

pub struct Theme {
    pub templates: Tera,
    /// Static files by path relative to the theme's `static/` folder, sorted.
    pub static_files: Vec<(String, Vec<u8>)>,
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
        .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
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

    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default also escapes `/`, which is valid but makes every URL unreadable.
    tera.set_escape_fn(crate::markdown::highlight::escape_html);
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
    })
}

fn replace_or_add<T>(list: &mut Vec<(String, T)>, name: String, value: T) {
    match list.iter_mut().find(|(existing, _)| *existing == name) {
        Some(entry) => entry.1 = value,
        None => list.push((name, value)),
    }
}

/// Files under `dir` (recursively) as (relative path, bytes); none when it does not exist.
fn read_folder(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
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
