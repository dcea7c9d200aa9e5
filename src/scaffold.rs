//! The contribution template: the docs a new integration starts from (`portico new`) and the
//! sections every integration's docs are expected to have (`portico check --repo`).
//!
//! The built-in template is `themes/default/scaffold/` in this repository, embedded in the
//! binary. A portal's own `themes/<name>/scaffold/` overrides it file by file, like the rest
//! of a theme: `template.toml` (where the docs go, the required sections) and the pages under
//! `docs/`. Pages are plain markdown with `{{ id }}`-style placeholders filled by plain text
//! replacement (not tera: the pages hold GitBook `{% hint %}` blocks that tera would read).
//! Reads files only; writes nothing.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use crate::theme::THEMES_DIR;

/// The folder of a theme holding the template.
pub(crate) const SCAFFOLD_DIR: &str = "scaffold";
const TEMPLATE_FILE: &str = "template.toml";
/// Pages live under this folder of the scaffold, and are written under `docs_dir`.
const PAGES_DIR: &str = "docs";

/// (path relative to the scaffold folder, contents) of the built-in template.
const DEFAULT_FILES: &[(&str, &str)] = &[
    (
        "template.toml",
        include_str!("../themes/default/scaffold/template.toml"),
    ),
    (
        "docs/README.md",
        include_str!("../themes/default/scaffold/docs/README.md"),
    ),
    (
        "docs/SUMMARY.md",
        include_str!("../themes/default/scaffold/docs/SUMMARY.md"),
    ),
    (
        "docs/setup.md",
        include_str!("../themes/default/scaffold/docs/setup.md"),
    ),
    (
        "docs/configuration.md",
        include_str!("../themes/default/scaffold/docs/configuration.md"),
    ),
    (
        "docs/user-guide.md",
        include_str!("../themes/default/scaffold/docs/user-guide.md"),
    ),
    (
        "docs/troubleshooting.md",
        include_str!("../themes/default/scaffold/docs/troubleshooting.md"),
    ),
];

/// A portal's contribution template, loaded.
#[derive(Debug)]
pub(crate) struct Template {
    /// Where `portico new` writes the pages, relative to the repository root.
    pub docs_dir: String,
    /// The sections the docs should have, in the template's order.
    pub sections: Vec<RequiredSection>,
    /// (path relative to the docs folder, text with placeholders), sorted by path.
    pub pages: Vec<(String, String)>,
}

/// A section the template asks every integration's docs to have.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequiredSection {
    /// How the section is named in messages ("Installation").
    pub name: String,
    /// Lowercase word starts, any of which in a heading means the section is there.
    pub headings: Vec<String>,
    /// What the section should say, for the warning.
    #[serde(default)]
    pub hint: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    #[serde(default = "default_docs_dir")]
    docs_dir: String,
    #[serde(default)]
    sections: Vec<RequiredSection>,
}

fn default_docs_dir() -> String {
    PAGES_DIR.to_string()
}

/// The values a template's placeholders are filled with.
pub(crate) struct Fill<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    /// "Mattermost" or "the community".
    pub managed_by: &'a str,
    /// Human names: "Cloud and self-managed servers".
    pub deployments: &'a str,
    /// The integration's deployments: the template's `{% deployment %}` blocks for any
    /// other are left out (they would be warnings in the new docs).
    pub available: &'a [crate::config::Deployment],
}

impl Template {
    /// The built-in template, as embedded.
    pub(crate) fn builtin() -> Template {
        let files = DEFAULT_FILES
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect();
        // The embedded template is part of the binary: a unit test proves it parses.
        Template::from_files(files, Path::new("<built-in template>"))
            .unwrap_or_else(|err| unreachable!("the built-in template is invalid: {err:#}"))
    }

    /// The template of theme `theme` in the portal at `root`: its `scaffold/` files over the
    /// built-in ones. A theme without a `scaffold/` folder uses the built-in template.
    pub(crate) fn load(root: &Path, theme: &str) -> anyhow::Result<Template> {
        let dir = root.join(THEMES_DIR).join(theme).join(SCAFFOLD_DIR);
        let mut files: Vec<(String, String)> = DEFAULT_FILES
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect();
        for (relative, bytes) in crate::theme::read_folder(&dir)? {
            let text = String::from_utf8(bytes)
                .with_context(|| format!("{} is not UTF-8 text", dir.join(&relative).display()))?;
            match files.iter_mut().find(|(path, _)| *path == relative) {
                Some(file) => file.1 = text,
                None => files.push((relative, text)),
            }
        }
        Template::from_files(files, &dir)
    }

    fn from_files(files: Vec<(String, String)>, dir: &Path) -> anyhow::Result<Template> {
        let settings_path = dir.join(TEMPLATE_FILE);
        let settings_text = files
            .iter()
            .find(|(path, _)| path == TEMPLATE_FILE)
            .map(|(_, text)| text.as_str())
            .unwrap_or_default();
        let settings: TemplateFile = toml::from_str(settings_text)
            .map_err(|err| anyhow::anyhow!("{}: {}", settings_path.display(), err.message()))?;
        for section in &settings.sections {
            if section.headings.iter().all(|words| words.trim().is_empty()) {
                anyhow::bail!(
                    "{}: section {:?} has no `headings`: list the words a heading of that section starts with",
                    settings_path.display(),
                    section.name
                );
            }
        }
        let prefix = format!("{PAGES_DIR}/");
        let mut pages: Vec<(String, String)> = files
            .into_iter()
            .filter_map(|(path, text)| Some((path.strip_prefix(&prefix)?.to_string(), text)))
            .collect();
        pages.sort();
        Ok(Template {
            docs_dir: settings.docs_dir,
            sections: settings.sections,
            pages,
        })
    }

    /// The pages with their placeholders filled: (path relative to the docs folder, text).
    pub(crate) fn filled_pages(&self, fill: &Fill) -> Vec<(String, String)> {
        self.pages
            .iter()
            .map(|(path, text)| (path.clone(), fill.apply(text)))
            .collect()
    }

    /// The sections that none of `headings` (page titles and headings, as written) names.
    pub(crate) fn missing_sections<'t, 'h>(
        &'t self,
        headings: impl IntoIterator<Item = &'h str> + Clone,
    ) -> Vec<&'t RequiredSection> {
        self.sections
            .iter()
            .filter(|section| {
                !headings
                    .clone()
                    .into_iter()
                    .any(|heading| section.is_named_by(heading))
            })
            .collect()
    }
}

impl RequiredSection {
    /// Whether `heading` names this section: one of its words starts with one of the
    /// section's `headings`, ignoring case ("Installing the plugin" for "install").
    pub(crate) fn is_named_by(&self, heading: &str) -> bool {
        let heading = heading.to_lowercase();
        let word_starts = heading
            .char_indices()
            .filter(|&(at, _)| {
                heading[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|before| !before.is_alphanumeric())
            })
            .map(|(at, _)| &heading[at..]);
        word_starts.into_iter().any(|rest| {
            self.headings.iter().any(|words| {
                let words = words.trim().to_lowercase();
                !words.is_empty() && rest.starts_with(&words)
            })
        })
    }
}

impl Fill<'_> {
    fn apply(&self, text: &str) -> String {
        let mut filled = text.to_string();
        for (name, value) in [
            ("id", self.id),
            ("name", self.name),
            ("description", self.description),
            ("managed_by", self.managed_by),
            ("deployments", self.deployments),
        ] {
            for spelling in [format!("{{{{ {name} }}}}"), format!("{{{{{name}}}}}")] {
                filled = filled.replace(&spelling, value);
            }
        }
        without_other_deployments(&filled, self.available)
    }
}

/// `text` without its `{% deployment "…" %}` … `{% enddeployment %}` blocks (each tag on a
/// line of its own, as the template writes them) for deployments not in `available`.
fn without_other_deployments(text: &str, available: &[crate::config::Deployment]) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let tag = line.trim();
        if skipping {
            skipping = tag != "{% enddeployment %}";
            continue;
        }
        let other = tag
            .strip_prefix("{% deployment \"")
            .and_then(|rest| rest.strip_suffix("\" %}"))
            .and_then(crate::markdown::deployments::known)
            .is_some_and(|deployment| !available.contains(&deployment));
        if other {
            skipping = true;
        } else {
            kept.push_str(line);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Deployment;

    fn fill() -> Fill<'static> {
        Fill {
            id: "orbit",
            name: "Orbit",
            description: "Track satellites.",
            managed_by: "the community",
            deployments: "Cloud and self-managed servers",
            available: &[Deployment::Cloud, Deployment::SelfManaged],
        }
    }

    #[test]
    fn deployment_blocks_for_other_deployments_are_left_out() {
        let text = "a\n{% deployment \"self-managed\" %}\nupload\n{% enddeployment %}\nb\n{% deployment \"cloud\" %}\nc\n{% enddeployment %}\n";
        assert_eq!(
            without_other_deployments(text, &[Deployment::Cloud]),
            "a\nb\n{% deployment \"cloud\" %}\nc\n{% enddeployment %}\n"
        );
        let both = [Deployment::Cloud, Deployment::SelfManaged];
        assert_eq!(without_other_deployments(text, &both), text);
    }

    #[test]
    fn the_built_in_template_has_pages_and_sections() {
        let template = Template::builtin();
        assert_eq!(template.docs_dir, "docs");
        let paths: Vec<&str> = template.pages.iter().map(|(p, _)| p.as_str()).collect();
        assert!(paths.contains(&"README.md") && paths.contains(&"SUMMARY.md"));
        let names: Vec<&str> = template.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Prerequisites",
                "Installation",
                "Configuration",
                "Usage",
                "Troubleshooting"
            ]
        );
    }

    #[test]
    fn filled_pages_have_no_placeholder_left() {
        for (path, text) in Template::builtin().filled_pages(&fill()) {
            assert!(!text.contains("{{"), "{path} keeps a placeholder:\n{text}");
        }
    }

    #[test]
    fn the_built_in_pages_have_every_required_section() {
        let template = Template::builtin();
        let pages = template.filled_pages(&fill());
        let headings: Vec<&str> = pages
            .iter()
            .flat_map(|(_, text)| text.lines())
            .filter_map(|line| line.strip_prefix('#'))
            .map(|heading| heading.trim_start_matches('#').trim())
            .collect();
        let missing: Vec<&str> = template
            .missing_sections(headings.iter().copied())
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert!(missing.is_empty(), "missing {missing:?}");
    }

    #[test]
    fn a_section_is_named_at_the_start_of_a_word_ignoring_case() {
        let install = &Template::builtin().sections[1];
        assert!(install.is_named_by("Installing the plugin"));
        assert!(install.is_named_by("2. Set up Jira"));
        assert!(!install.is_named_by("Reinstall nothing"));
        assert!(!install.is_named_by("Usage"));
    }

    #[test]
    fn a_portal_template_overrides_files_and_adds_pages() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("themes/house/scaffold");
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(
            dir.join("template.toml"),
            "docs_dir = \"documentation\"\n[[sections]]\nname = \"Security\"\nheadings = [\"security\"]\n",
        )
        .unwrap();
        std::fs::write(dir.join("docs/security.md"), "# Security of {{ name }}\n").unwrap();
        let template = Template::load(root.path(), "house").unwrap();
        assert_eq!(template.docs_dir, "documentation");
        assert_eq!(template.sections.len(), 1);
        let pages = template.filled_pages(&fill());
        assert!(pages.contains(&("security.md".into(), "# Security of Orbit\n".into())));
        assert!(pages.iter().any(|(path, _)| path == "setup.md"));
    }

    #[test]
    fn a_broken_template_file_is_named() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("themes/house/scaffold");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("template.toml"), "docs_dir = 3\n").unwrap();
        let err = Template::load(root.path(), "house").unwrap_err();
        assert!(format!("{err:#}").contains("template.toml"), "{err:#}");
    }
}
