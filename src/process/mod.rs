//! The documentation process as commands (content/process/): `version cut` archives a
//! version's docs as a branch (`cut`), `audit` checks every integration against the
//! branching policy (`audit`); both find releases the same way (`releases`).
//!
//! Repositories are read through the build's own rules (`source::inspect` for branches,
//! labels and the docs folder, `version` for patterns and ordering), so that what these
//! commands say matches what `build` publishes. Only `version cut` writes, and only one
//! branch ref of a local repository; nothing here pushes or fetches on its own.

pub mod audit;
pub mod cut;
mod releases;

use std::path::Path;

use crate::escape::shell_word;

/// The `portico version cut` command line with `words` after `cut` (the id, the version,
/// options), and `--root` when the portal is not the current folder.
fn cut_command(root: &Path, words: &[&str]) -> String {
    let mut command = "portico version cut".to_string();
    for word in words {
        command.push(' ');
        command.push_str(&shell_word(word));
    }
    if root != Path::new(".") {
        command.push_str(" --root ");
        command.push_str(&shell_word(&root.to_string_lossy()));
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_commands_name_the_root_only_when_it_is_not_the_current_folder() {
        assert_eq!(
            cut_command(Path::new("."), &["jira", "2.4"]),
            "portico version cut jira 2.4"
        );
        assert_eq!(
            cut_command(
                Path::new("/srv/my portal"),
                &["jira", "2.4", "--repo", "CLONE"]
            ),
            "portico version cut jira 2.4 --repo CLONE --root '/srv/my portal'"
        );
    }

    #[test]
    fn shell_words_quote_anything_a_shell_would_interpret() {
        assert_eq!(shell_word("repos/jira-2.4"), "repos/jira-2.4");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("$(rm -rf)"), "'$(rm -rf)'");
        assert_eq!(shell_word(""), "''");
    }
}
