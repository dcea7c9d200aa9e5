//! Naming the key a `site.toml` read error is about: writers edit the file by hand, and
//! "unknown variant" at a line and column does not say which value, in which of twenty
//! `[[integrations]]` tables, is wrong.
//!
//! Input: the file's text and the span and message of the `toml` crate's error. Output: the
//! message prefixed with the key path at that span (`integrations[2] ("jira").managed_by`),
//! found in `toml_edit`'s spanned document, and reworded for writers (`unknown value
//! "comunity": expected "mattermost" or "community" (did you mean "community"?)`). Reads
//! nothing but the text.

use std::fmt;
use std::ops::Range;

use toml_edit::{Item, TableLike, Value};

/// One step from the document's root to a value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    /// An index into an array, with the `id` of the table there (for `[[integrations]]`).
    Index(usize, Option<String>),
}

/// Where in the document a value is: `integrations[2] ("jira").managed_by`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct KeyPath(Vec<Step>);

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) => {
                    if at > 0 {
                        f.write_str(".")?;
                    }
                    if !key.is_empty()
                        && key
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{key:?}")?;
                    }
                }
                Step::Index(index, None) => write!(f, "[{index}]")?,
                Step::Index(index, Some(id)) => write!(f, "[{index}] ({id:?})")?,
            }
        }
        Ok(())
    }
}

/// The message of a `toml` deserialization error of `text`, naming the key at `span` and
/// worded for the person who edits the file.
pub(super) fn describe(text: &str, span: Option<Range<usize>>, message: &str) -> String {
    let message = message.trim();
    // No path for a syntax error (the text is not a document) or an error of the whole file.
    let path = span
        .and_then(|span| key_path_at(text, span))
        .unwrap_or_default();
    let reworded = match missing_key(message) {
        Some(key) if path.0.is_empty() => {
            format!("the required table or key {key:?} is missing; add it")
        }
        Some(key) => format!("the required key {key:?} is missing; add it"),
        None => unknown_value(message)
            .or_else(|| unknown_key(message))
            .or_else(|| wrong_type(message))
            .unwrap_or_else(|| message.to_string()),
    };
    if path.0.is_empty() {
        reworded
    } else {
        format!("{path}: {reworded}")
    }
}

/// The deepest key or array element of `text` whose key or value holds `error`, else the
/// table whose header holds it, else the root (an error of the whole file, such as a
/// missing `[site]`, has an empty span). `None` when the text is not a TOML document.
fn key_path_at(text: &str, error: Range<usize>) -> Option<KeyPath> {
    let document = toml_edit::Document::parse(text).ok()?;
    let mut path = KeyPath::default();
    if error.is_empty() {
        return Some(path);
    }
    find_in_table(document.as_table(), &error, &mut path);
    Some(path)
}

fn holds(span: Option<Range<usize>>, error: &Range<usize>) -> bool {
    span.is_some_and(|span| span.start <= error.start && error.end <= span.end)
}

fn find_in_table(table: &dyn TableLike, error: &Range<usize>, path: &mut KeyPath) -> bool {
    for (name, item) in table.iter() {
        path.0.push(Step::Key(name.to_string()));
        let key_span = table.get_key_value(name).and_then(|(key, _)| key.span());
        if holds(key_span, error) || find_in_item(item, error, path) {
            return true;
        }
        path.0.pop();
    }
    false
}

fn find_in_item(item: &Item, error: &Range<usize>, path: &mut KeyPath) -> bool {
    match item {
        Item::None => false,
        Item::Value(value) => find_in_value(value, error, path),
        // A table's span is its header: its keys are looked at first.
        Item::Table(table) => find_in_table(table, error, path) || holds(table.span(), error),
        Item::ArrayOfTables(tables) => tables.iter().enumerate().any(|(index, table)| {
            let id = table.get("id").and_then(Item::as_str).map(str::to_string);
            path.0.push(Step::Index(index, id));
            let found = find_in_table(table, error, path) || holds(table.span(), error);
            if !found {
                path.0.pop();
            }
            found
        }),
    }
}

fn find_in_value(value: &Value, error: &Range<usize>, path: &mut KeyPath) -> bool {
    if !holds(value.span(), error) {
        return false;
    }
    match value {
        Value::Array(array) => {
            for (index, element) in array.iter().enumerate() {
                path.0.push(Step::Index(index, None));
                if find_in_value(element, error, path) {
                    return true;
                }
                path.0.pop();
            }
        }
        Value::InlineTable(table) => {
            find_in_table(table, error, path);
        }
        _ => {}
    }
    true
}

/// The names written between backticks in `text`, in order.
fn quoted_names(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// `unknown variant `comunity`, expected `mattermost` or `community``.
fn unknown_value(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown variant ")?;
    let (written, expected) = rest.split_once(", expected ")?;
    let written = quoted_names(written).first().copied().unwrap_or(written);
    let allowed = quoted_names(expected);
    Some(format!(
        "unknown value {written:?}: expected {}{}",
        either(&allowed),
        did_you_mean(written, &allowed)
    ))
}

/// `unknown field `deploymnts`, expected one of `id`, `repo`, …` (the path ends with the key).
fn unknown_key(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field ")?;
    let (written, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    let written = quoted_names(written).first().copied().unwrap_or(written);
    let allowed = quoted_names(expected);
    let hint = match did_you_mean(written, &allowed) {
        hint if !hint.is_empty() || allowed.is_empty() => hint,
        _ => format!(" (this table takes {})", either(&allowed)),
    };
    Some(format!(
        "unknown key {written:?}{hint}; remove or correct it (README.md, section `site.toml`, lists them all)"
    ))
}

/// `invalid type: string "x", expected a sequence`, in TOML's words.
fn wrong_type(message: &str) -> Option<String> {
    if message == "wanted string or table" {
        // What serde says of a number or list where a name (`managed_by`) is expected.
        return Some("wrong type: expected a quoted value".to_string());
    }
    let rest = message.strip_prefix("invalid type: ")?;
    let (found, expected) = rest.split_once(", expected ")?;
    // serde's words for the kinds of value; only they are translated, never what the
    // writer typed (`found string "roadmap"` keeps "roadmap" as written).
    fn kind_in_toml_words(kind: &str) -> &str {
        match kind {
            "sequence" => "list",
            "map" => "table",
            "i64" | "u64" | "i32" | "u32" | "u16" | "u8" => "integer",
            other => other,
        }
    }
    let expected_words: Vec<&str> = expected
        .split(' ')
        .map(|word| match word {
            "a" | "an" => word,
            kind => kind_in_toml_words(kind),
        })
        .collect();
    let expected = expected_words.join(" ").replace("a integer", "an integer");
    let (kind, value) = found.split_once(' ').unwrap_or((found, ""));
    let value = value
        .strip_prefix('`')
        .and_then(|inner| inner.strip_suffix('`'))
        .unwrap_or(value);
    let found = [kind_in_toml_words(kind), value]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    Some(format!("wrong type: expected {expected}, found {found}"))
}

/// `missing field `repo`` → `repo`.
fn missing_key(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field ")?;
    Some(quoted_names(rest).first().copied().unwrap_or(rest))
}

/// `"a"`, `"a" or "b"`, `one of "a", "b", "c"`.
fn either(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|name| format!("{name:?}")).collect();
    match quoted.as_slice() {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [first, second] => format!("{first} or {second}"),
        many => format!("one of {}", many.join(", ")),
    }
}

/// ` (did you mean "community"?)` when one allowed name is a likely typo of `written`.
fn did_you_mean(written: &str, allowed: &[&str]) -> String {
    let written_lower = written.to_lowercase();
    let limit = (written.chars().count() / 3).max(2);
    allowed
        .iter()
        .map(|name| (strsim::levenshtein(&written_lower, name), *name))
        .filter(|&(distance, _)| distance <= limit)
        .min()
        .map(|(_, name)| format!(" (did you mean {name:?}?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::tests::THREE;

    fn path_at(text: &str, written: &str) -> String {
        let start = text.find(written).expect("the text holds it");
        key_path_at(text, start..start + 1).unwrap().to_string()
    }

    #[test]
    fn the_path_names_the_table_its_index_and_id_and_the_key() {
        assert_eq!(
            path_at(THREE, "\"community\"\ndeployments"),
            "integrations[2] (\"jira\").managed_by"
        );
        assert_eq!(
            path_at(THREE, "\"self-managed\""),
            "integrations[2] (\"jira\").deployments[1]"
        );
        assert_eq!(path_at(THREE, "title"), "site.title");
        assert_eq!(
            path_at(THREE, "[[integrations]]\nid = \"zoom\""),
            "integrations[1] (\"zoom\")"
        );
        let build = "[build]\nversion_branches = [\"{version}-docs\"]\n";
        assert_eq!(path_at(build, "[\"{version}"), "build.version_branches");
    }

    #[test]
    fn keys_that_are_not_bare_are_quoted_and_inline_tables_are_entered() {
        let text = "[site]\ntitle = \"x\"\n\"odd key\" = { inner = 3 }\n";
        assert_eq!(path_at(text, "3"), "site.\"odd key\".inner");
    }

    #[test]
    fn an_unknown_value_names_the_allowed_ones_and_the_likely_one() {
        assert_eq!(
            unknown_value("unknown variant `comunity`, expected `mattermost` or `community`")
                .unwrap(),
            "unknown value \"comunity\": expected \"mattermost\" or \"community\" (did you mean \"community\"?)"
        );
        assert_eq!(
            unknown_value("unknown variant `staff`, expected `mattermost` or `community`").unwrap(),
            "unknown value \"staff\": expected \"mattermost\" or \"community\""
        );
    }

    #[test]
    fn an_unknown_key_suggests_the_closest_key_else_lists_them() {
        let message =
            unknown_key("unknown field `deploymnts`, expected one of `id`, `repo`, `deployments`")
                .unwrap();
        assert!(
            message
                .starts_with("unknown key \"deploymnts\" (did you mean \"deployments\"?); remove"),
            "{message}"
        );
        let message = unknown_key("unknown field `colour`, expected `title` or `theme`").unwrap();
        assert!(
            message.contains("(this table takes \"title\" or \"theme\")"),
            "{message}"
        );
    }

    #[test]
    fn the_value_written_is_quoted_as_written() {
        assert_eq!(
            wrong_type("invalid type: string \"roadmap sequence i64\", expected a sequence")
                .unwrap(),
            "wrong type: expected a list, found string \"roadmap sequence i64\""
        );
        assert_eq!(
            wrong_type("invalid type: integer `5`, expected a string").unwrap(),
            "wrong type: expected a string, found integer 5"
        );
    }

    #[test]
    fn wrong_types_are_said_in_toml_words() {
        assert_eq!(
            wrong_type("invalid type: string \"x\", expected a sequence").unwrap(),
            "wrong type: expected a list, found string \"x\""
        );
        assert_eq!(
            wrong_type("invalid type: integer `3`, expected a string").unwrap(),
            "wrong type: expected a string, found integer 3"
        );
    }

    #[test]
    fn a_syntax_error_keeps_its_message() {
        assert_eq!(
            describe("[site\n", Some(5..6), "invalid table header"),
            "invalid table header"
        );
    }
}
