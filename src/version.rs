//! Version labels: what a version is called and how versions are ordered.
//!
//! Owns parsing branch and tag names against `version_branches` / `version_tags` patterns
//! (`{version}-docs`, `jira-docs-{version}`, `v{version}`), deriving a `major.minor` label
//! from a manifest version, and the numeric ordering (`2.10` is newer than `2.9`). Pure: no
//! git, no I/O. Nothing else in the crate compares version strings.

use std::cmp::Ordering;
use std::fmt;

/// The placeholder a pattern must contain exactly once.
pub const VERSION_PLACEHOLDER: &str = "{version}";

/// The name of a version as users see it in URLs and the switcher: `3.2`, `2.10`, `latest`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionLabel {
    text: String,
    /// Numeric components; empty for a label that is not a number (`latest`).
    numbers: Vec<u64>,
}

impl VersionLabel {
    /// The label of a current version whose number is unknown.
    pub fn latest() -> Self {
        VersionLabel {
            text: "latest".to_string(),
            numbers: Vec::new(),
        }
    }

    /// Parses dotted numbers with an optional leading `v` (`v2.0` → `2.0`).
    pub fn parse(text: &str) -> Option<Self> {
        let digits = text.strip_prefix('v').unwrap_or(text);
        let numbers = parse_dotted_numbers(digits)?;
        Some(VersionLabel {
            text: digits.to_string(),
            numbers,
        })
    }

    /// `major.minor` of a release version such as `3.2.1`, `v4.7.0` or `1.0.0-rc1`.
    /// A bare major (`3`) becomes `3.0`.
    pub fn major_minor_of(release: &str) -> Option<Self> {
        let release = release.trim();
        let release = release.strip_prefix('v').unwrap_or(release);
        // Ignore pre-release and build suffixes: `1.0.0-rc1+build` → `1.0.0`.
        let core = release.split(['-', '+']).next().unwrap_or_default();
        let numbers = parse_dotted_numbers(core)?;
        let major = numbers[0];
        let minor = numbers.get(1).copied().unwrap_or(0);
        Some(VersionLabel {
            text: format!("{major}.{minor}"),
            numbers: vec![major, minor],
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `release` is this version or one of its releases: `4.2` covers `4.2`,
    /// `4.2.0` and `4.2.10`, not `4.20` or `4.3.0`; `4.2.3` covers only itself.
    pub fn covers(&self, release: &VersionLabel) -> bool {
        !self.numbers.is_empty() && release.numbers.starts_with(&self.numbers)
    }

    /// The same label reduced to `major.minor` (`4.7.2` → `4.7`).
    pub fn to_major_minor(&self) -> Self {
        if self.numbers.is_empty() {
            return self.clone();
        }
        let major = self.numbers[0];
        let minor = self.numbers.get(1).copied().unwrap_or(0);
        VersionLabel {
            text: format!("{major}.{minor}"),
            numbers: vec![major, minor],
        }
    }
}

impl fmt::Display for VersionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Ord for VersionLabel {
    /// Numeric, component by component; missing components count as zero, and of two equal
    /// numbers the longer spelling sorts higher (`2.0.0` after `2.0`) so the order is total.
    /// An unnumbered label (`latest`) is newer than every number.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.numbers.is_empty(), other.numbers.is_empty()) {
            (true, true) => return self.text.cmp(&other.text),
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        let width = self.numbers.len().max(other.numbers.len());
        for i in 0..width {
            let a = self.numbers.get(i).copied().unwrap_or(0);
            let b = other.numbers.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => continue,
                unequal => return unequal,
            }
        }
        self.numbers
            .len()
            .cmp(&other.numbers.len())
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl PartialOrd for VersionLabel {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A ref-name pattern such as `{version}-docs` or `jira-docs-{version}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionPattern {
    prefix: String,
    suffix: String,
}

/// Why a pattern string is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error(
        "pattern {0:?} must contain {VERSION_PLACEHOLDER} exactly once (for example \"{{version}}-docs\")"
    )]
    Placeholder(String),
}

impl VersionPattern {
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let mut parts = pattern.split(VERSION_PLACEHOLDER);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(prefix), Some(suffix), None) => Ok(VersionPattern {
                prefix: prefix.to_string(),
                suffix: suffix.to_string(),
            }),
            _ => Err(PatternError::Placeholder(pattern.to_string())),
        }
    }

    /// The ref name this pattern gives `label`: `orbit-docs-{version}` and `4.2` →
    /// `orbit-docs-4.2`.
    pub fn name_for(&self, label: &VersionLabel) -> String {
        format!("{}{}{}", self.prefix, label.as_str(), self.suffix)
    }

    /// The label of `name` when it matches: `jira-docs-3.0.1` with `jira-docs-{version}` → `3.0.1`.
    pub fn match_name(&self, name: &str) -> Option<VersionLabel> {
        let middle = name
            .strip_prefix(&self.prefix)?
            .strip_suffix(&self.suffix)?;
        VersionLabel::parse(middle)
    }
}

/// The first pattern that matches `name`, as a label.
pub fn match_any(patterns: &[VersionPattern], name: &str) -> Option<VersionLabel> {
    patterns.iter().find_map(|p| p.match_name(name))
}

/// The tag names that mark releases: the configured `version_tags`, else the usual shapes
/// `v{version}` and `{version}`.
pub fn release_tag_patterns(configured: &[VersionPattern]) -> Vec<VersionPattern> {
    if !configured.is_empty() {
        return configured.to_vec();
    }
    ["v", ""]
        .into_iter()
        .map(|prefix| VersionPattern {
            prefix: prefix.to_string(),
            suffix: String::new(),
        })
        .collect()
}

/// Branches shaped like archives (`*-docs*`) are worth mentioning when no pattern matched them.
pub fn looks_like_docs_branch(name: &str) -> bool {
    name.contains("-docs")
}

fn parse_dotted_numbers(text: &str) -> Option<Vec<u64>> {
    if text.is_empty() {
        return None;
    }
    text.split('.')
        .map(|part| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                part.parse::<u64>().ok()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> VersionLabel {
        VersionLabel::parse(s).unwrap()
    }

    #[test]
    fn archive_branches_sort_numerically_not_lexically() {
        let mut labels = [label("2.9"), label("2.10"), label("10.0"), label("2.1.4")];
        labels.sort_by(|a, b| b.cmp(a));
        let texts: Vec<_> = labels.iter().map(|l| l.as_str()).collect();
        assert_eq!(texts, ["10.0", "2.10", "2.9", "2.1.4"]);
    }

    #[test]
    fn leading_v_is_dropped_from_labels() {
        assert_eq!(label("v2.0").as_str(), "2.0");
        assert_eq!(label("v2.0"), label("2.0"));
    }

    #[test]
    fn non_numeric_text_is_not_a_version() {
        for bad in ["", "setup", "1.x", "1..2", "v", "1.2-rc1", ".1", "1."] {
            assert!(VersionLabel::parse(bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn patterns_match_prefix_and_suffix_around_the_version() {
        let docs = VersionPattern::parse("{version}-docs").unwrap();
        assert_eq!(docs.match_name("1.2-docs").unwrap().as_str(), "1.2");
        assert_eq!(docs.match_name("v2.0-docs").unwrap().as_str(), "2.0");
        assert_eq!(docs.match_name("3.1.4-docs").unwrap().as_str(), "3.1.4");
        assert!(docs.match_name("jira-setup-docs").is_none());
        assert!(docs.match_name("docs-cleanup").is_none());
        assert!(docs.match_name("1.2-docs-old").is_none());

        let jira = VersionPattern::parse("jira-docs-{version}").unwrap();
        assert_eq!(
            jira.match_name("jira-docs-3.0.1").unwrap().as_str(),
            "3.0.1"
        );
        assert!(jira.match_name("jira-docs-next").is_none());
    }

    #[test]
    fn a_pattern_needs_exactly_one_placeholder() {
        assert!(VersionPattern::parse("docs").is_err());
        assert!(VersionPattern::parse("{version}-{version}").is_err());
    }

    #[test]
    fn manifest_versions_reduce_to_major_minor() {
        let mm = |s| VersionLabel::major_minor_of(s).map(|l| l.as_str().to_string());
        assert_eq!(mm("3.2.1").as_deref(), Some("3.2"));
        assert_eq!(mm("v4.7.0").as_deref(), Some("4.7"));
        assert_eq!(mm("1.0.0-rc1").as_deref(), Some("1.0"));
        assert_eq!(mm("3").as_deref(), Some("3.0"));
        assert_eq!(mm("next"), None);
    }

    #[test]
    fn latest_is_newer_than_any_number() {
        assert!(VersionLabel::latest() > label("99.0"));
    }

    #[test]
    fn equal_numbers_with_different_spelling_still_order_totally() {
        assert!(label("2.0.0") > label("2.0"));
        assert_ne!(label("2.0.0").cmp(&label("2.0")), Ordering::Equal);
    }

    #[test]
    fn a_version_covers_its_releases_and_nothing_else() {
        assert!(label("4.2").covers(&label("4.2.10")));
        assert!(label("4.2").covers(&label("4.2")));
        assert!(!label("4.2").covers(&label("4.20.1")));
        assert!(!label("4.2").covers(&label("4.3.0")));
        assert!(label("4.2.3").covers(&label("4.2.3")));
        assert!(!label("4.2.3").covers(&label("4.2.30")));
        assert!(!VersionLabel::latest().covers(&label("1.0")));
    }

    #[test]
    fn patterns_name_a_label_the_way_they_match_it() {
        let orbit = VersionPattern::parse("orbit-docs-{version}").unwrap();
        let name = orbit.name_for(&label("4.2"));
        assert_eq!(name, "orbit-docs-4.2");
        assert_eq!(orbit.match_name(&name), Some(label("4.2")));
    }

    #[test]
    fn release_tags_default_to_v_and_bare_versions() {
        let defaults = release_tag_patterns(&[]);
        assert_eq!(match_any(&defaults, "v4.2.3"), Some(label("4.2.3")));
        assert_eq!(match_any(&defaults, "4.2.3"), Some(label("4.2.3")));
        let configured = [VersionPattern::parse("jira-{version}").unwrap()];
        assert!(match_any(&release_tag_patterns(&configured), "v4.2.3").is_none());
    }

    #[test]
    fn docs_shaped_branch_names_are_recognised() {
        assert!(looks_like_docs_branch("jira-setup-docs"));
        assert!(looks_like_docs_branch("2.1-docs-draft"));
        assert!(!looks_like_docs_branch("docs-cleanup"));
    }
}
