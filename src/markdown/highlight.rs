//! Code highlighting with syntect, into CSS classes (not inline colours) so one stylesheet
//! serves light and dark themes.
//!
//! The syntax set (syntect's defaults extended by `two-face`, which adds TypeScript, TOML,
//! Dockerfile, … that real plugin docs use) is loaded once per process. Unknown languages
//! fall back to plain, escaped text without a warning: a fence label is a hint, not a contract.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};

use crate::escape::escape_html;

/// Every highlighted token's class starts with this, so theme CSS cannot clash with ours.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

/// Fence labels writers use that are not syntect tokens.
fn canonical_token(lang: &str) -> &str {
    match lang {
        "sh" | "shell" | "console" | "shell-session" | "zsh" | "terminal" => "bash",
        "yml" => "yaml",
        "golang" => "go",
        "js" | "jsx" | "node" => "javascript",
        "ts" => "typescript",
        "py" => "python",
        "docker" => "dockerfile",
        "patch" => "diff",
        "csharp" | "c#" => "cs",
        "jsonc" | "json5" => "json",
        "text" | "txt" | "plain" | "plaintext" | "none" | "output" => "",
        other => other,
    }
}

fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_ascii_lowercase();
    let token = canonical_token(&lang);
    if token.is_empty() {
        return None;
    }
    let set = syntaxes();
    set.find_syntax_by_token(token)
        .or_else(|| set.find_syntax_by_extension(token))
}

/// The language of a fence info string: its first word, without `{…}` attributes.
pub fn fence_language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or_default()
}

/// Highlighted blocks by (language, code). Archived versions repeat most code blocks of
/// the versions around them, and highlighting is the costliest part of rendering.
type BlockCache = Mutex<HashMap<(String, String), Arc<str>>>;

fn block_cache() -> &'static BlockCache {
    static CACHE: OnceLock<BlockCache> = OnceLock::new();
    CACHE.get_or_init(BlockCache::default)
}

/// A complete `<pre>` block for `code` in `lang` (plain text when unknown).
pub fn code_block(code: &str, lang: &str) -> Arc<str> {
    let lang = fence_language(lang);
    let key = (lang.to_string(), code.to_string());
    if let Some(html) = block_cache()
        .lock()
        .ok()
        .and_then(|cache| cache.get(&key).cloned())
    {
        return html;
    }
    let html: Arc<str> = render_block(code, lang).into();
    if let Ok(mut cache) = block_cache().lock() {
        cache.insert(key, html.clone());
    }
    html
}

fn render_block(code: &str, lang: &str) -> String {
    let body = find_syntax(lang)
        .and_then(|syntax| highlight(code, syntax))
        .unwrap_or_else(|| escape_html(code));
    let lang_class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape_html(lang))
    };
    // Focusable, so that a code block wider than the page scrolls from the keyboard, and
    // named, so that a screen reader says what it reached (a `group`: a plain `<pre>` may
    // not carry a name).
    let name =
        language_label(lang).map_or_else(|| "Code".to_string(), |label| format!("{label} code"));
    format!(
        "<pre class=\"code\" tabindex=\"0\" role=\"group\" aria-label=\"{name}\"><code{lang_class}>{body}</code></pre>\n"
    )
}

/// The language a fence names, as shown on its code block (`go`, `sh`, `json`): the fence's
/// first word when it is a plausible language name, else nothing (a fence info string is
/// free text in untrusted docs; plain-text labels say nothing worth showing).
pub fn language_label(info: &str) -> Option<&str> {
    let lang = fence_language(info);
    let plausible = (1..=20).contains(&lang.len())
        && lang
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'#' | b'.'));
    (plausible && !canonical_token(&lang.to_ascii_lowercase()).is_empty()).then_some(lang)
}

fn highlight(code: &str, syntax: &SyntaxReference) -> Option<String> {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
    for line in syntect::util::LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// The stylesheet for highlighted code: light colours, and dark ones under
/// `prefers-color-scheme: dark` and `html[data-theme="dark"]`.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str, background: Color| {
        themes
            .themes
            .get(name)
            .map(|theme| readable_on(theme, background))
            .and_then(|theme| css_for_theme_with_class_style(&theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    let (light, light_colours) =
        colours_as_variables(&minify(&css(LIGHT_THEME, LIGHT_CODE_BACKGROUND)));
    let dark = minify(&css(DARK_THEME, DARK_CODE_BACKGROUND));
    // The dark theme does not style every scope the light one does: in dark mode, the light
    // theme's own colours, made readable on the dark background, fill the gaps.
    let variables = |background: Color| {
        let values: Vec<String> = light_colours
            .iter()
            .enumerate()
            .map(|(index, colour)| {
                let Color { r, g, b, .. } = readable(*colour, background);
                format!("--hl{index}:#{r:02x}{g:02x}{b:02x}")
            })
            .collect();
        values.join(";")
    };
    let mut out =
        String::from("/* Code highlighting (generated by Portico from syntect themes). */\n");
    out.push_str(&format!(":root{{{}}}\n", variables(LIGHT_CODE_BACKGROUND)));
    out.push_str(&light);
    let dark_variables = variables(DARK_CODE_BACKGROUND);
    out.push_str(&format!(
        "\nhtml[data-theme=\"dark\"]{{{dark_variables}}}\nhtml[data-theme=\"dark\"] pre.code {{ background: #2b303b; }}\n"
    ));
    out.push_str(&scope_rules(&dark, "html[data-theme=\"dark\"] "));
    out.push_str(&format!(
        "\n@media (prefers-color-scheme: dark) {{\nhtml:not([data-theme=\"light\"]){{{dark_variables}}}\nhtml:not([data-theme=\"light\"]) pre.code {{ background: #2b303b; }}\n"
    ));
    out.push_str(&scope_rules(&dark, "html:not([data-theme=\"light\"]) "));
    out.push_str("}\n");
    out
}

/// The code block backgrounds of the default theme (`--code-bg` in portico.css, light and
/// dark).
const LIGHT_CODE_BACKGROUND: Color = Color {
    r: 0xf6,
    g: 0xf8,
    b: 0xfa,
    a: 0xff,
};
const DARK_CODE_BACKGROUND: Color = Color {
    r: 0x2b,
    g: 0x30,
    b: 0x3b,
    a: 0xff,
};

/// WCAG's contrast for normal text (AA), with a little margin for rounding.
const MIN_CONTRAST: f64 = 4.6;

/// `theme` with every colour moved towards black (on a light background) or white (on a dark
/// one) just enough to read at [`MIN_CONTRAST`] on `background`: the stock themes have
/// comments and some scopes at under 3:1, which readers with low vision cannot read (and
/// axe reports as serious).
fn readable_on(theme: &Theme, background: Color) -> Theme {
    let mut theme = theme.clone();
    if let Some(foreground) = theme.settings.foreground.as_mut() {
        *foreground = readable(*foreground, background);
    }
    for item in &mut theme.scopes {
        if let Some(foreground) = item.style.foreground.as_mut() {
            *foreground = readable(*foreground, background);
        }
    }
    theme
}

fn readable(color: Color, background: Color) -> Color {
    // A translucent colour is seen blended with the background.
    let alpha = f64::from(color.a) / 255.0;
    let blend = |c: u8, b: u8| f64::from(c) * alpha + f64::from(b) * (1.0 - alpha);
    let seen = [
        blend(color.r, background.r),
        blend(color.g, background.g),
        blend(color.b, background.b),
    ];
    let background_rgb = [background.r, background.g, background.b].map(f64::from);
    let target = if luminance(background_rgb) > 0.5 {
        0.0
    } else {
        255.0
    };
    let mut step = 0.0;
    loop {
        let candidate = seen.map(|c| c + (target - c) * step);
        if contrast(candidate, background_rgb) >= MIN_CONTRAST || step >= 1.0 {
            let [r, g, b] = candidate.map(|c| c.round().clamp(0.0, 255.0) as u8);
            return Color { r, g, b, a: 0xff };
        }
        step += 0.02;
    }
}

/// WCAG relative luminance of an sRGB colour (0–255 channels).
fn luminance(rgb: [f64; 3]) -> f64 {
    let linear = |c: f64| {
        let c = c / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `css` with each text colour (`color:#rrggbb`, not backgrounds) replaced by a variable
/// `var(--hlN)`, and the distinct colours in order of N.
fn colours_as_variables(css: &str) -> (String, Vec<Color>) {
    let mut colours: Vec<Color> = Vec::new();
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("color:#") {
        let is_text = !rest[..at].ends_with("background-");
        let hex = rest
            .get(at + 7..at + 13)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()));
        let (Some(hex), true) = (hex, is_text) else {
            out.push_str(&rest[..at + 7]);
            rest = &rest[at + 7..];
            continue;
        };
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        let colour = Color {
            r: channel(0),
            g: channel(2),
            b: channel(4),
            a: 0xff,
        };
        let index = match colours.iter().position(|known| *known == colour) {
            Some(index) => index,
            None => {
                colours.push(colour);
                colours.len() - 1
            }
        };
        out.push_str(&rest[..at]);
        out.push_str(&format!("color:var(--hl{index})"));
        rest = &rest[at + 13..];
    }
    out.push_str(rest);
    (out, colours)
}

/// syntect's stylesheet without comments and layout whitespace, one rule per line.
fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len() / 2);
    let mut in_comment = false;
    for line in css.lines() {
        let line = line.trim();
        if in_comment {
            in_comment = !line.contains("*/");
            continue;
        }
        if line.starts_with("/*") {
            in_comment = !line.contains("*/");
            continue;
        }
        if line.is_empty() {
            continue;
        }
        out.push_str(&line.replace(": ", ":"));
        if line.ends_with('}') {
            out.push('\n');
        }
    }
    out
}

/// Prefixes every selector of a flat stylesheet (syntect's output has no nesting).
fn scope_rules(css: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    for rule in css.lines() {
        let Some((selectors, body)) = rule.split_once('{') else {
            continue;
        };
        let scoped: Vec<String> = selectors
            .split(',')
            .map(|s| format!("{prefix}{}", s.trim()))
            .collect();
        out.push_str(&scoped.join(","));
        out.push('{');
        out.push_str(body);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text colours a stylesheet part sets: `color:#…` (not backgrounds) and the
    /// `--hlN:#…` variables the light theme's rules use.
    fn text_colours(css: &str) -> Vec<[f64; 3]> {
        css.match_indices(":#")
            .filter(|(at, _)| {
                let before = &css[..*at];
                (before.ends_with("color") && !before.ends_with("background-color"))
                    || before
                        .rsplit(['{', ';'])
                        .next()
                        .is_some_and(|name| name.starts_with("--hl"))
            })
            .map(|(at, _)| {
                let hex = &css[at + 2..at + 8];
                let channel = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
                [channel(0), channel(2), channel(4)]
            })
            .collect()
    }

    #[test]
    fn every_syntax_colour_reads_at_4_5_to_1_in_light_and_dark() {
        let css = stylesheet();
        let (light, dark) = css.split_once("html[data-theme=\"dark\"]").unwrap();
        let rgb = |c: Color| [c.r, c.g, c.b].map(f64::from);
        for (part, background) in [(light, LIGHT_CODE_BACKGROUND), (dark, DARK_CODE_BACKGROUND)] {
            let colours = text_colours(part);
            assert!(colours.len() > 10, "{part}");
            for colour in colours {
                let ratio = contrast(colour, rgb(background));
                assert!(ratio >= 4.5, "{colour:?} on {background:?}: {ratio:.2}");
            }
        }
    }

    #[test]
    fn readable_colours_change_only_as_much_as_needed() {
        let black = Color {
            r: 0,
            g: 0,
            b: 0,
            a: 0xff,
        };
        assert_eq!(
            readable(black, LIGHT_CODE_BACKGROUND),
            black,
            "already readable"
        );
        let pale = Color {
            r: 0x96,
            g: 0x98,
            b: 0x96,
            a: 0xff,
        };
        let fixed = readable(pale, LIGHT_CODE_BACKGROUND);
        let rgb = |c: Color| [c.r, c.g, c.b].map(f64::from);
        let ratio = contrast(rgb(fixed), rgb(LIGHT_CODE_BACKGROUND));
        assert!((4.5..5.2).contains(&ratio), "{ratio}");
    }

    #[test]
    fn corpus_languages_are_highlighted() {
        for lang in [
            "go",
            "json",
            "yaml",
            "sh",
            "bash",
            "shell",
            "console",
            "typescript",
            "tsx",
            "javascript",
            "toml",
            "dockerfile",
            "diff",
            "sql",
            "http",
        ] {
            assert!(find_syntax(lang).is_some(), "no syntax for {lang}");
        }
        let html = code_block("package main\n", "go");
        assert!(html.contains("hl-"), "{html}");
    }

    #[test]
    fn unknown_languages_fall_back_to_escaped_text() {
        let html = code_block("<b>x</b>\n", "no-such-language");
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(!html.contains("hl-"));
        assert!(code_block("x", "text").contains("<code class=\"language-text\">x</code>"));
    }

    #[test]
    fn language_labels_are_the_fence_s_language_when_it_names_one() {
        assert_eq!(language_label("go"), Some("go"));
        assert_eq!(language_label("sh {.line-numbers}"), Some("sh"));
        assert_eq!(language_label("c++"), Some("c++"));
        assert_eq!(language_label("text"), None);
        assert_eq!(language_label(""), None);
        assert_eq!(language_label("<script>"), None);
        assert_eq!(language_label(&"x".repeat(21)), None);
    }

    #[test]
    fn the_stylesheet_covers_light_and_dark() {
        let css = stylesheet();
        assert!(css.contains(".hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(css.contains("html[data-theme=\"dark\"] .hl-"));
    }
}
