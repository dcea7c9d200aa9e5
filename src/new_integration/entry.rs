//! The `[[integrations]]` entry `portico new` adds to `site.toml`, written by editing the
//! TOML document (`toml_edit`) so that the file's comments, blank lines and key order stay
//! byte for byte as the writer left them: the new table is appended at the end, after a
//! blank line, with the file's line endings. Works on text only; writes nothing.

use std::ops::Range;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::config::{Deployment, ManagedBy};
use crate::diagnostics::line_and_column;

/// The key under which integrations are listed.
const INTEGRATIONS: &str = "integrations";

/// The values of a new `[[integrations]]` table, in the order they are written.
pub(super) struct Entry<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// As written in `site.toml`: relative to its folder, or absolute.
    pub repo: &'a str,
    pub managed_by: ManagedBy,
    pub deployments: &'a [Deployment],
    pub description: Option<&'a str>,
    /// Only when the build would not find the docs by itself.
    pub docs_dir: Option<&'a str>,
}

/// The line of the `id` of the `[[integrations]]` table whose id is `id`, if any.
pub(super) fn line_of_id(text: &str, id: &str) -> Option<u32> {
    let document = toml_edit::Document::parse(text).ok()?;
    let tables = document.get(INTEGRATIONS)?.as_array_of_tables()?;
    let span: Range<usize> = tables
        .iter()
        .filter_map(|table| table.get("id")?.as_value())
        .find(|written| written.as_str() == Some(id))?
        .span()?;
    Some(line_and_column(text, span.start).0)
}

/// `text` with `entry` appended as its last `[[integrations]]` table; everything before it
/// is unchanged. The error says why the entry cannot be added this way.
pub(super) fn append(text: &str, entry: &Entry) -> Result<String, String> {
    // toml_edit writes line ends as `\n`: the entry is made on that form of the file, then
    // appended to the file as it is, with the file's line ends.
    let line_end = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let unix_text = text.replace("\r\n", "\n");
    let mut document: DocumentMut = unix_text
        .parse()
        .map_err(|err| format!("site.toml is not a TOML document: {err}"))?;
    let mut table = new_table(entry);
    // Comments after the last key belong to the document's end; they stay before the new
    // table so that the existing text is kept as it is. As written out, a last key-value
    // line always ends; a last comment line may not.
    let trailing = document.trailing().as_str().unwrap_or_default().to_string();
    let as_written = document.to_string();
    let separator = if as_written.is_empty() || as_written.ends_with("\n\n") {
        ""
    } else if as_written.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    table
        .decor_mut()
        .set_prefix(format!("{trailing}{separator}"));
    document.set_trailing("");
    // A new table takes the position of the one before it in the document; give it the
    // last place so that it is written after every table, not after the last integration.
    table.set_position(Some(last_position(document.as_table()) + 1));
    match document.get_mut(INTEGRATIONS) {
        None => {
            let mut tables = ArrayOfTables::new();
            tables.push(table);
            document.insert(INTEGRATIONS, Item::ArrayOfTables(tables));
        }
        Some(Item::ArrayOfTables(tables)) => tables.push(table),
        Some(_) => {
            return Err(format!(
                "site.toml writes `{INTEGRATIONS}` as an inline array, which cannot be extended without rewriting it; add the entry yourself:\n{}",
                new_table_text(entry)
            ));
        }
    }
    let written = document.to_string();
    let added = written.strip_prefix(unix_text.as_str()).ok_or_else(|| {
        format!(
            "site.toml cannot be extended without changing its existing text; add the entry yourself:\n{}",
            new_table_text(entry)
        )
    })?;
    Ok(format!("{text}{}", added.replace('\n', line_end)))
}

/// The entry alone, as it is appended (for messages).
pub(super) fn new_table_text(entry: &Entry) -> String {
    let mut tables = ArrayOfTables::new();
    tables.push(new_table(entry));
    let mut document = DocumentMut::new();
    document.insert(INTEGRATIONS, Item::ArrayOfTables(tables));
    document.to_string()
}

fn new_table(entry: &Entry) -> Table {
    let mut table = Table::new();
    table.insert("id", value(entry.id));
    table.insert("name", value(entry.name));
    table.insert("repo", value(entry.repo));
    table.insert("managed_by", value(managed_by_value(entry.managed_by)));
    let deployments: toml_edit::Array = entry.deployments.iter().map(|d| d.id()).collect();
    table.insert("deployments", value(deployments));
    if let Some(description) = entry.description {
        table.insert("description", value(description));
    }
    if let Some(docs_dir) = entry.docs_dir {
        table.insert("docs_dir", value(docs_dir));
    }
    table
}

/// The value as written in `site.toml`.
fn managed_by_value(managed_by: ManagedBy) -> &'static str {
    match managed_by {
        ManagedBy::Mattermost => "mattermost",
        ManagedBy::Community => "community",
    }
}

/// The highest position of any table in `table` (the root is 0).
fn last_position(table: &Table) -> isize {
    let mut last = table.position().unwrap_or(0);
    for (_, item) in table.iter() {
        let nested = match item {
            Item::Table(inner) => last_position(inner),
            Item::ArrayOfTables(tables) => tables.iter().map(last_position).max().unwrap_or(0),
            _ => 0,
        };
        last = last.max(nested);
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "# The portal.\n[site]\ntitle = \"P\"   # shown everywhere\n\n\
        [[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\n\n\
        # Builds go to public/.\n[build]\noutput_dir = \"public\"\n\n# zoom comes next quarter\n";

    fn orbit() -> Entry<'static> {
        Entry {
            id: "orbit",
            name: "Orbit \"beta\"",
            repo: "repos/orbit",
            managed_by: ManagedBy::Community,
            deployments: &[Deployment::Cloud, Deployment::SelfManaged],
            description: Some("Track satellites."),
            docs_dir: None,
        }
    }

    const ORBIT: &str = "[[integrations]]\nid = \"orbit\"\nname = 'Orbit \"beta\"'\nrepo = \"repos/orbit\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\", \"self-managed\"]\ndescription = \"Track satellites.\"\n";

    #[test]
    fn the_entry_is_appended_after_everything_and_the_rest_is_kept() {
        let written = append(SITE, &orbit()).unwrap();
        assert_eq!(written, format!("{SITE}\n{ORBIT}"));
    }

    #[test]
    fn the_file_gets_a_blank_line_before_the_entry_and_keeps_its_line_endings() {
        let text = "[site]\ntitle = \"P\"";
        assert_eq!(
            append(text, &orbit()).unwrap(),
            format!("{text}\n\n{ORBIT}")
        );
        let text = "[site]\ntitle = \"P\"\n\n";
        assert_eq!(append(text, &orbit()).unwrap(), format!("{text}{ORBIT}"));
        let text = "[site]\ntitle = \"P\"\n# the end";
        assert_eq!(
            append(text, &orbit()).unwrap(),
            format!("{text}\n\n{ORBIT}")
        );
        let text = "[site]\r\ntitle = \"P\"\r\n";
        assert_eq!(
            append(text, &orbit()).unwrap(),
            format!("{text}\r\n{}", ORBIT.replace('\n', "\r\n"))
        );
    }

    #[test]
    fn an_inline_array_of_integrations_is_left_alone() {
        let err = append("integrations = []\n[site]\ntitle = \"P\"\n", &orbit()).unwrap_err();
        assert!(
            err.contains("inline array") && err.contains("id = \"orbit\""),
            "{err}"
        );
    }

    #[test]
    fn the_line_of_an_existing_id_is_found() {
        assert_eq!(line_of_id(SITE, "jira"), Some(6));
        assert_eq!(line_of_id(SITE, "orbit"), None);
    }
}
