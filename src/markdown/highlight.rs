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
///
/// Every text colour reads at [`MIN_CONTRAST`] on whatever can be behind it: a rule with its
/// own background on that background; any other on the code background and on every background
/// a token can have (a diff's deleted and inserted lines wrap other tokens).
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let (Some(light_theme), Some(dark_theme)) = (
        themes.themes.get(LIGHT_THEME),
        themes.themes.get(DARK_THEME),
    ) else {
        return String::new();
    };
    let css = |theme: &Theme, behind: &[Color]| {
        css_for_theme_with_class_style(&readable_on(theme, behind), CLASS_STYLE).unwrap_or_default()
    };
    let light_behind = [
        &[LIGHT_CODE_BACKGROUND][..],
        &token_backgrounds(light_theme, LIGHT_CODE_BACKGROUND),
    ]
    .concat();
    let (light, palette) = colours_as_variables(&minify(&css(light_theme, &light_behind)));
    // The dark theme does not style every scope the light one does: in dark mode the light
    // rules still apply, with their colours made readable on the dark background and their
    // backgrounds (a diff's red and green lines) turned into the same tints of it.
    let dark_tints: Vec<Color> = palette.backgrounds.iter().map(|bg| in_dark(*bg)).collect();
    let dark_behind = [
        &[DARK_CODE_BACKGROUND][..],
        &dark_tints,
        &token_backgrounds(dark_theme, DARK_CODE_BACKGROUND),
    ]
    .concat();
    let dark = minify(&css(dark_theme, &dark_behind));
    let light_variables = palette.variables(&palette.backgrounds, &light_behind);
    let dark_variables = palette.variables(&dark_tints, &dark_behind);

    let mut out =
        String::from("/* Code highlighting (generated by Portico from syntect themes). */\n");
    out.push_str(&format!(":root{{{light_variables}}}\n"));
    out.push_str(&light);
    out.push_str(&format!(
        "\nhtml[data-theme=\"dark\"]{{{dark_variables}}}\nhtml[data-theme=\"dark\"] pre.code {{ background: {}; }}\n",
        hex(DARK_CODE_BACKGROUND)
    ));
    out.push_str(&scope_rules(&dark, "html[data-theme=\"dark\"] "));
    out.push_str(&format!(
        "\n@media (prefers-color-scheme: dark) {{\nhtml:not([data-theme=\"light\"]){{{dark_variables}}}\nhtml:not([data-theme=\"light\"]) pre.code {{ background: {}; }}\n",
        hex(DARK_CODE_BACKGROUND)
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

fn hex(Color { r, g, b, .. }: Color) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The red, green and blue channels of `color` (0–255), for [`contrast`].
fn channels(color: Color) -> [f64; 3] {
    [color.r, color.g, color.b].map(f64::from)
}

/// The backgrounds `theme`'s scopes give their tokens, as [`calm`] makes them.
fn token_backgrounds(theme: &Theme, code_background: Color) -> Vec<Color> {
    theme
        .settings
        .background
        .iter()
        .chain(
            theme
                .scopes
                .iter()
                .filter_map(|item| item.style.background.as_ref()),
        )
        .map(|bg| calm(*bg, code_background))
        .collect()
}

/// A token background as seen on the code background, moved towards it until the two differ
/// by at most 1.3:1: a tint that marks the token, on which the theme's text colours can read
/// (base16-ocean's `invalid` red is a mid tone that neither black nor white reads at 4.5:1 on).
fn calm(background: Color, code_background: Color) -> Color {
    let (seen, code) = (
        channels(seen_on(background, code_background)),
        channels(code_background),
    );
    let mut step = 0.0;
    loop {
        let candidate: [f64; 3] = std::array::from_fn(|i| seen[i] + (code[i] - seen[i]) * step);
        if contrast(candidate, code) <= 1.3 || step >= 1.0 {
            let [r, g, b] = candidate.map(|c| c.round().clamp(0.0, 255.0) as u8);
            return Color { r, g, b, a: 0xff };
        }
        step += 0.02;
    }
}

/// A light theme's token background as the same tint of the dark code background (a pale red
/// line becomes a dark red one).
fn in_dark(background: Color) -> Color {
    let shift = |light: u8, code_light: u8, code_dark: u8| {
        (i16::from(code_dark) + i16::from(light) - i16::from(code_light)).clamp(0, 255) as u8
    };
    let (l, d) = (LIGHT_CODE_BACKGROUND, DARK_CODE_BACKGROUND);
    Color {
        r: shift(background.r, l.r, d.r),
        g: shift(background.g, l.g, d.g),
        b: shift(background.b, l.b, d.b),
        a: 0xff,
    }
}

/// `theme` with every token background [`calm`] and every text colour moved towards black or
/// white just enough to read at [`MIN_CONTRAST`] (the stock themes have comments and some
/// scopes at under 3:1, which readers with low vision cannot read, and axe reports as
/// serious): on its scope's own background if it has one, else on each of `behind` (the code
/// background first, then every token background a token can sit on).
fn readable_on(theme: &Theme, behind: &[Color]) -> Theme {
    let mut theme = theme.clone();
    let code_background = behind.first().copied().unwrap_or(LIGHT_CODE_BACKGROUND);
    let make_readable = |foreground: Option<&mut Color>, background: Option<&mut Color>| {
        let on = match background {
            Some(own) => {
                *own = calm(*own, code_background);
                vec![*own]
            }
            None => behind.to_vec(),
        };
        if let Some(foreground) = foreground {
            *foreground = readable(*foreground, &on);
        }
    };
    make_readable(
        theme.settings.foreground.as_mut(),
        theme.settings.background.as_mut(),
    );
    for item in &mut theme.scopes {
        make_readable(
            item.style.foreground.as_mut(),
            item.style.background.as_mut(),
        );
    }
    theme
}

/// A translucent colour as it is seen, blended with what is behind it.
fn seen_on(color: Color, behind: Color) -> Color {
    let alpha = f64::from(color.a) / 255.0;
    let blend = |c: u8, b: u8| (f64::from(c) * alpha + f64::from(b) * (1.0 - alpha)).round() as u8;
    Color {
        r: blend(color.r, behind.r),
        g: blend(color.g, behind.g),
        b: blend(color.b, behind.b),
        a: 0xff,
    }
}

/// `color` moved towards black or white (whichever reads better on the first background) until
/// it reads at [`MIN_CONTRAST`] on every one of `backgrounds`.
fn readable(color: Color, backgrounds: &[Color]) -> Color {
    let Some(first) = backgrounds.first().copied() else {
        return color;
    };
    let seen = channels(seen_on(color, first));
    let target = if contrast([0.0; 3], channels(first)) >= contrast([255.0; 3], channels(first)) {
        0.0
    } else {
        255.0
    };
    let mut step = 0.0;
    loop {
        let candidate = seen.map(|c| c + (target - c) * step);
        let worst = backgrounds
            .iter()
            .map(|bg| contrast(candidate, channels(*bg)))
            .fold(f64::INFINITY, f64::min);
        if worst >= MIN_CONTRAST || step >= 1.0 {
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

/// The light theme's distinct text colours (`--hlN`) and token backgrounds (`--hlbN`), which
/// its rules use as variables so that dark mode can give them other values.
#[derive(Default)]
struct Palette {
    text: Vec<Color>,
    backgrounds: Vec<Color>,
}

impl Palette {
    /// The variables' declarations for a scheme: the token backgrounds it gives the light
    /// rules, and each text colour made readable on everything `behind` a token.
    fn variables(&self, backgrounds: &[Color], behind: &[Color]) -> String {
        let text = self
            .text
            .iter()
            .enumerate()
            .map(|(index, colour)| format!("--hl{index}:{}", hex(readable(*colour, behind))));
        let backgrounds = backgrounds
            .iter()
            .enumerate()
            .map(|(index, colour)| format!("--hlb{index}:{}", hex(*colour)));
        text.chain(backgrounds).collect::<Vec<_>>().join(";")
    }
}

/// `css` with each colour (`color:#rrggbb` and `background-color:#rrggbb`) replaced by a
/// variable (`var(--hlN)`, `var(--hlbN)`), and the distinct colours in order of N.
fn colours_as_variables(css: &str) -> (String, Palette) {
    let mut palette = Palette::default();
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("color:#") {
        let is_background = rest[..at].ends_with("background-");
        let hex = rest
            .get(at + 7..at + 13)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(hex) = hex else {
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
        let (colours, name) = if is_background {
            (&mut palette.backgrounds, "hlb")
        } else {
            (&mut palette.text, "hl")
        };
        let index = colours
            .iter()
            .position(|known| *known == colour)
            .unwrap_or_else(|| {
                colours.push(colour);
                colours.len() - 1
            });
        out.push_str(&rest[..at]);
        out.push_str(&format!("color:var(--{name}{index})"));
        rest = &rest[at + 13..];
    }
    out.push_str(rest);
    (out, palette)
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

    /// One rule of the stylesheet: its text colour and background, as written (`#rrggbb` or
    /// `var(--name)`).
    struct Rule {
        color: Option<String>,
        background: Option<String>,
    }

    /// A part of the stylesheet as browsers see it in one theme: its variables and the rules
    /// that apply.
    #[derive(Default)]
    struct Scheme {
        variables: HashMap<String, String>,
        rules: Vec<Rule>,
        code_background: Option<String>,
    }

    fn declaration<'a>(body: &'a str, name: &str) -> Option<&'a str> {
        body.split(';')
            .filter_map(|d| d.split_once(':'))
            .find(|(key, _)| key.trim() == name)
            .map(|(_, value)| value.trim().trim_end_matches('}').trim())
    }

    /// Reads a flat part of the stylesheet (no `@media`) into `scheme`.
    fn read_rules(css: &str, scheme: &mut Scheme) {
        for rule in css.split_inclusive('}') {
            let Some((selectors, body)) = rule.split_once('{') else {
                continue;
            };
            let body = body.trim_end_matches('}');
            if selectors.trim().ends_with("pre.code") {
                scheme.code_background = declaration(body, "background").map(str::to_string);
            } else if body.trim_start().starts_with("--") {
                for (name, value) in body.split(';').filter_map(|d| d.split_once(':')) {
                    scheme
                        .variables
                        .insert(name.trim().to_string(), value.trim().to_string());
                }
            } else {
                scheme.rules.push(Rule {
                    color: declaration(body, "color").map(str::to_string),
                    background: declaration(body, "background-color").map(str::to_string),
                });
            }
        }
    }

    /// The stylesheet as seen in light mode, with `data-theme="dark"`, and with a dark system
    /// preference: in the dark ones the light rules still apply, with the dark variables.
    fn schemes(css: &str) -> [Scheme; 3] {
        let (light, dark) = css.split_once("\nhtml[data-theme=\"dark\"]{").unwrap();
        let (dark_attribute, dark_media) = dark
            .split_once("@media (prefers-color-scheme: dark) {")
            .unwrap();
        let dark_media = dark_media.trim_end().strip_suffix('}').unwrap();
        let mut schemes: [Scheme; 3] = Default::default();
        for (scheme, own) in schemes.iter_mut().zip([
            String::new(),
            format!("html[data-theme=\"dark\"]{{{dark_attribute}"),
            dark_media.to_string(),
        ]) {
            read_rules(light, scheme);
            read_rules(&own, scheme);
        }
        schemes
    }

    fn rgb(value: &str, scheme: &Scheme) -> [f64; 3] {
        let value = match value.strip_prefix("var(").and_then(|v| v.strip_suffix(')')) {
            Some(name) => scheme
                .variables
                .get(name)
                .unwrap_or_else(|| panic!("{name} undefined")),
            None => value,
        };
        let hex = value
            .strip_prefix('#')
            .filter(|h| h.len() == 6)
            .unwrap_or_else(|| panic!("not #rrggbb: {value}"));
        let channel = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
        [channel(0), channel(2), channel(4)]
    }

    /// `--code-bg` of portico.css in light mode and in dark mode.
    fn theme_code_backgrounds() -> (String, String) {
        let css = include_str!("../../themes/default/static/portico.css");
        let values: Vec<&str> = css
            .match_indices("--code-bg:")
            .map(|(at, m)| css[at + m.len()..].split(';').next().unwrap().trim())
            .collect();
        assert!(
            values.len() >= 2 && values[1..].iter().all(|v| *v == values[1]),
            "{values:?}"
        );
        (values[0].to_string(), values[1].to_string())
    }

    #[test]
    fn every_syntax_colour_reads_at_4_5_to_1_on_what_is_behind_it_in_light_and_dark() {
        let css = stylesheet();
        let (light_code, dark_code) = theme_code_backgrounds();
        for (scheme, name) in schemes(&css)
            .iter()
            .zip(["light", "dark", "dark by preference"])
        {
            let code = scheme.code_background.clone().unwrap_or(light_code.clone());
            assert_eq!(
                &code,
                if name == "light" {
                    &light_code
                } else {
                    &dark_code
                },
                "{name}"
            );
            // A token without a background of its own can sit on the code or on any token
            // background (a diff's deleted line wraps the tokens in it).
            let behind: Vec<[f64; 3]> = std::iter::once(rgb(&code, scheme))
                .chain(
                    scheme
                        .rules
                        .iter()
                        .filter_map(|r| r.background.as_ref())
                        .map(|bg| rgb(bg, scheme)),
                )
                .collect();
            let mut measured = 0;
            for rule in &scheme.rules {
                let Some(color) = &rule.color else { continue };
                let on = match &rule.background {
                    Some(own) => vec![rgb(own, scheme)],
                    None => behind.clone(),
                };
                for background in on {
                    let ratio = contrast(rgb(color, scheme), background);
                    assert!(
                        ratio >= 4.5,
                        "{name}: {color} on {background:?}: {ratio:.2}"
                    );
                    measured += 1;
                }
            }
            assert!(measured > 100, "{name}: only {measured} pairs");
        }
    }

    fn opaque(rgb: u32) -> Color {
        let [_, r, g, b] = rgb.to_be_bytes();
        Color { r, g, b, a: 0xff }
    }

    #[test]
    fn readable_colours_change_only_as_much_as_needed() {
        let black = opaque(0x000000);
        let on_code = [LIGHT_CODE_BACKGROUND];
        assert_eq!(readable(black, &on_code), black, "already readable");
        let fixed = readable(opaque(0x969896), &on_code);
        let ratio = contrast(channels(fixed), channels(LIGHT_CODE_BACKGROUND));
        assert!((4.5..5.2).contains(&ratio), "{ratio}");
    }

    #[test]
    fn text_on_a_mid_tone_background_turns_to_whichever_extreme_reads() {
        let red = opaque(0xbf616a);
        let fixed = readable(opaque(0x999ca1), &[red]);
        assert!(contrast(channels(fixed), channels(red)) >= 4.5);
        let darker = fixed.r < 0x60;
        assert!(darker, "white cannot reach 4.5:1 on it: {fixed:?}");
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
