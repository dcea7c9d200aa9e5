//! Deployment marking in a page: front matter `deployments: [cloud]` marks the whole page,
//! `{% deployment "cloud" %} … {% enddeployment %}` marks a section (the block itself is
//! rewritten by `gitbook`). Owns the values a page may name, the labels and wrappers the
//! HTML contract gives them, and what the parse stage records ([`PageDeployments`]): the
//! values and their lines, which the link stage checks against the integration's own
//! `deployments` in `site.toml` (the rendering stays keyed by the page's text alone).

use serde::{Deserialize, Serialize};

use crate::config::Deployment;
use crate::escape::escape_html;

/// What a page marks: its own deployments (front matter) and each marked section's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageDeployments {
    /// The page's deployments from front matter, each once, sorted; empty if unmarked.
    pub page: Vec<Deployment>,
    /// Source line of the front matter's `deployments:` key.
    pub page_line: u32,
    /// Every marked section, as (source line of its opening tag, deployment).
    pub sections: Vec<(u32, Deployment)>,
}

impl PageDeployments {
    /// Whether the page or any section of it is marked.
    pub fn is_marked(&self) -> bool {
        !self.page.is_empty() || !self.sections.is_empty()
    }
}

/// Deployments joined by spaces (`data-deployments`, `data-deployment` on links), or `None`
/// for none.
pub fn attribute_value(deployments: &[Deployment]) -> Option<String> {
    (!deployments.is_empty()).then(|| {
        deployments
            .iter()
            .map(|deployment| deployment.id())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The deployment a page writes, or `None` for a value Portico does not know.
pub fn known(value: &str) -> Option<Deployment> {
    match value.trim() {
        "cloud" => Some(Deployment::Cloud),
        "self-managed" => Some(Deployment::SelfManaged),
        _ => None,
    }
}

/// Why an unknown value is ignored, naming the values that work.
pub fn unknown_value_message(value: &str, written_in: &str) -> String {
    format!(
        "unknown deployment {:?} in {written_in}; write \"cloud\" or \"self-managed\" (it is ignored)",
        value
    )
}

/// The opening lines of a marked section (one HTML block): the wrapper and its label.
pub fn section_open_html(deployment: Deployment) -> [String; 2] {
    [
        format!(
            "<div class=\"deployment-section\" data-deployment=\"{}\">",
            deployment.id()
        ),
        format!(
            "<p class=\"deployment-label\">{} only</p>",
            deployment.label()
        ),
    ]
}

/// The label a marked page starts with: `This page is for Cloud only`.
pub fn page_label_html(deployments: &[Deployment]) -> String {
    let names = deployments
        .iter()
        .map(|deployment| deployment.label())
        .collect::<Vec<_>>()
        .join(" and ");
    let only = if deployments.len() == 1 { " only" } else { "" };
    format!(
        "<p class=\"deployment-label deployment-page-label\">This page is for {}{only}</p>\n",
        escape_html(&names)
    )
}

/// Front matter `deployments:` as written: one value or a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Written {
    One(String),
    Many(Vec<String>),
}

impl Written {
    /// The values written (`deployments: cloud, self-managed` read as two).
    pub fn values(&self) -> Vec<&str> {
        match self {
            Written::One(value) => value.split(',').map(str::trim).collect(),
            Written::Many(values) => values.iter().map(String::as_str).collect(),
        }
    }
}

/// The page's deployments from its front matter, with a problem (at `line`) for each
/// unknown value.
pub fn from_front_matter(
    written: Option<&Written>,
    line: u32,
    problems: &mut Vec<(u32, String)>,
) -> Vec<Deployment> {
    let mut page = Vec::new();
    for value in written.map(Written::values).unwrap_or_default() {
        match known(value) {
            Some(deployment) => page.push(deployment),
            None => problems.push((
                line,
                unknown_value_message(value, "front matter deployments"),
            )),
        }
    }
    page.sort();
    page.dedup();
    page
}

/// The source line of the `deployments:` key in front matter `yaml` (whose first line is
/// the file's second), or 1.
pub fn front_matter_line(yaml: &str) -> u32 {
    yaml.lines()
        .position(|line| line.trim_start().starts_with("deployments:"))
        .map(|index| index as u32 + 2)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_labels_name_the_deployments() {
        assert_eq!(
            page_label_html(&[Deployment::Cloud]),
            "<p class=\"deployment-label deployment-page-label\">This page is for Cloud only</p>\n"
        );
        assert!(
            page_label_html(&[Deployment::Cloud, Deployment::SelfManaged])
                .contains("This page is for Cloud and Self-managed<")
        );
    }

    #[test]
    fn front_matter_takes_one_value_or_a_list_and_reports_unknown_ones() {
        let mut problems = Vec::new();
        let many = Written::Many(vec!["self-managed".into(), "cloud".into(), "moon".into()]);
        assert_eq!(
            from_front_matter(Some(&many), 3, &mut problems),
            [Deployment::Cloud, Deployment::SelfManaged]
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 3);
        assert!(problems[0].1.contains("\"moon\""));
        let one = Written::One("cloud".into());
        assert_eq!(
            from_front_matter(Some(&one), 2, &mut problems),
            [Deployment::Cloud]
        );
        let listed = Written::One("self-managed, cloud".into());
        assert_eq!(
            from_front_matter(Some(&listed), 2, &mut problems),
            [Deployment::Cloud, Deployment::SelfManaged]
        );
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn the_key_line_is_found_in_front_matter() {
        assert_eq!(front_matter_line("title: A\ndeployments: [cloud]\n"), 3);
        assert_eq!(front_matter_line("title: A\n"), 1);
    }
}
