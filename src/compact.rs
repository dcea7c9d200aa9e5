//! Compacting the default theme's stylesheets and scripts as they are published: what a
//! reader downloads on every page stays small (CSS and JavaScript under 60 KB a page) while
//! the theme's sources keep their comments and layout.
//!
//! Input: a built-in static file's name and bytes; output: the bytes to publish. Only the
//! embedded default theme goes through here (a portal's own theme files are published as
//! they are), and only in ways that cannot change meaning: CSS loses comments and the
//! whitespace around `{`, `}`, `;` and `,` (strings kept as written); a script loses its
//! whole-line `//` comments and indentation, unless it holds a string spanning lines
//! (a template literal, a line continued with `\`), whose lines are text. Each file keeps its opening comment, which names it.

/// The bytes to publish for the built-in static file `name`.
pub(crate) fn default_static_file(name: &str, bytes: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    if name.ends_with(".css") {
        compact_css(text).into_bytes()
    } else if name.ends_with(".js") && !has_multiline_string(text) {
        compact_script(text).into_bytes()
    } else {
        bytes.to_vec()
    }
}

/// `css` without its comments but the first, and without whitespace that separates
/// nothing; a rule per line.
fn compact_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut space = false;
    let mut rest = css;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("/*") {
            let end = rest[2..].find("*/").map_or(rest.len(), |at| at + 4);
            if out.is_empty() {
                out.push_str(&rest[..end]);
                out.push('\n');
            }
            space = true;
            rest = &rest[end..];
            continue;
        }
        let length = match c {
            '"' | '\'' => string_length(rest, c),
            _ => c.len_utf8(),
        };
        if c.is_whitespace() {
            space = true;
        } else if matches!(c, '{' | '}' | ';' | ',') {
            if c == '}' && out.ends_with(';') {
                out.pop();
            }
            out.push(c);
            if c == '}' {
                out.push('\n');
            }
            space = false;
        } else {
            // After a colon a space never matters (declarations, pseudo-classes, media
            // features), so it goes too; one before a colon is a combinator and stays.
            let after_separator = out.is_empty() || out.ends_with(['{', '}', ';', ',', ':', '\n']);
            if space && !after_separator {
                out.push(' ');
            }
            out.push_str(&rest[..length]);
            space = false;
        }
        rest = &rest[length..];
    }
    out
}

/// The length of the CSS string opening `text` with `quote`, quotes included (to the end
/// of `text` when it is not closed).
fn string_length(text: &str, quote: char) -> usize {
    let mut escaped = false;
    for (at, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            _ if c == quote => return at + 1,
            _ => {}
        }
    }
    text.len()
}

/// Whether `script` has a string spanning lines, whose lines may not be touched: a backtick
/// outside its whole-line comments (a template literal), or a line continued with `\`.
fn has_multiline_string(script: &str) -> bool {
    script.lines().any(|line| {
        let code = !line.trim_start().starts_with("//");
        code && (line.contains('`') || line.ends_with('\\'))
    })
}

/// `script` without its whole-line comments (but the opening ones), blank lines and
/// indentation.
fn compact_script(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut opening = true;
    for line in script.lines() {
        let trimmed = line.trim();
        let comment = trimmed.starts_with("//");
        opening &= comment;
        if opening {
            out.push_str(line);
            out.push('\n');
        } else if !trimmed.is_empty() && !comment {
            out.push_str(trimmed);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_loses_comments_and_spacing_but_keeps_strings_selectors_and_calc() {
        let css = "/* Theme. */\n.a :is(h1, h2) > b {\n  content: \" · \" ;\n  margin: calc(var(--x) + .5rem) 0;\n}\n/* Why. */\n@media (max-width: 72rem) { .c { font: 1rem/1.5 a, b; } }\n.d::before { content: attr(data-label) \": \"; }\n";
        assert_eq!(
            compact_css(css),
            "/* Theme. */\n.a :is(h1,h2) > b{content:\" · \";margin:calc(var(--x) + .5rem) 0}\n@media (max-width:72rem){.c{font:1rem/1.5 a,b}\n}\n.d::before{content:attr(data-label) \": \"}\n"
        );
    }

    #[test]
    fn scripts_lose_comment_lines_and_indentation_but_keep_their_opening_comment() {
        let js = "// Theme script.\n// Second line.\n(function () {\n  // why\n  var a = \"// not a comment\";\n\n  return a; // kept\n})();\n";
        assert_eq!(
            compact_script(js),
            "// Theme script.\n// Second line.\n(function () {\nvar a = \"// not a comment\";\nreturn a; // kept\n})();\n"
        );
    }

    #[test]
    fn scripts_with_template_literals_and_other_files_are_published_as_they_are() {
        let module = b"// M.\nconst a = `\n  // text\n`;\n";
        assert_eq!(default_static_file("search.js", module), module);
        let continued = b"// M.\nvar a = \"x\\\n  y\";\n";
        assert_eq!(default_static_file("a.js", continued), continued);
        let commented = b"// M.\nvar a;\n  // `code` in a comment\n  var b;\n";
        assert_eq!(
            default_static_file("a.js", commented),
            b"// M.\nvar a;\nvar b;\n"
        );
        let svg = b"<svg>  </svg>";
        assert_eq!(default_static_file("favicon.svg", svg), svg);
    }

    #[test]
    fn the_default_theme_compacts_to_less_and_keeps_every_rule() {
        let css = include_str!("../themes/default/static/portico.css");
        let compact = compact_css(css);
        assert!(compact.len() < css.len() * 9 / 10);
        assert_eq!(compact.matches('{').count(), css.matches('{').count());
        assert!(compact.starts_with("/* Portico default theme"));
        let js = include_str!("../themes/default/static/portico.js");
        assert!(compact_script(js).starts_with("// Portico default theme"));
    }
}
