//! `portico demo`: a complete sample portal, generated on the fly with no network.
//!
//! Writes `site.toml`, the portal's `content/` pages (the same ones this repository
//! publishes), and sample integrations as real git repositories whose history follows the
//! documentation branching policy: the default branch holds the current docs and each
//! older release's docs are archived as a `<version>-docs` branch. The sample docs are
//! embedded in the binary as "bundles": one text file per integration describing its
//! commits (see [`parse_bundle`]).

pub(crate) mod git;

use std::path::Path;

use anyhow::{Context, bail};

use git::{FileSet, RepoWriter, SYMLINK_PREFIX};

/// Marks a folder as written by `portico demo`, so a second run may replace it.
const DEMO_MARKER: &str = ".portico-demo";
/// What the marker says: a folder is a previous demo only when its marker says exactly this.
const DEMO_MARKER_TEXT: &str = "written by `portico demo`; safe to delete\n";

struct Sample {
    id: &'static str,
    name: Option<&'static str>,
    managed_by: &'static str,
    deployments: &'static [&'static str],
    description: Option<&'static str>,
    default_branch: &'static str,
    extra_config: &'static str,
    bundle: &'static str,
}

const SAMPLES: &[Sample] = &[
    Sample {
        id: "jira",
        name: Some("Jira"),
        managed_by: "mattermost",
        deployments: &["cloud", "self-managed"],
        description: None,
        default_branch: "master",
        extra_config: "web_url = \"https://github.com/example/mattermost-plugin-jira\"\n",
        bundle: include_str!("samples/jira.txt"),
    },
    Sample {
        id: "github",
        name: Some("GitHub"),
        managed_by: "mattermost",
        deployments: &["cloud", "self-managed"],
        description: None,
        default_branch: "master",
        extra_config: "",
        bundle: include_str!("samples/github.txt"),
    },
    Sample {
        id: "zoom",
        name: None,
        managed_by: "mattermost",
        deployments: &["cloud", "self-managed"],
        description: Some("Start Zoom meetings from any channel and see who joined."),
        default_branch: "main",
        extra_config: "",
        bundle: include_str!("samples/zoom.txt"),
    },
    Sample {
        id: "welcomebot",
        name: Some("Welcome Bot"),
        managed_by: "community",
        deployments: &["self-managed"],
        description: None,
        default_branch: "master",
        extra_config: "",
        bundle: include_str!("samples/welcomebot.txt"),
    },
    Sample {
        id: "dice-roller",
        name: None,
        managed_by: "community",
        deployments: &["self-managed"],
        description: None,
        default_branch: "master",
        extra_config: "",
        bundle: include_str!("samples/dice-roller.txt"),
    },
];

/// The portal's own pages, shared with this repository's `content/`.
const CONTENT: &[(&str, &str)] = &[
    ("_index.md", include_str!("../../content/_index.md")),
    (
        "process/documentation-process.md",
        include_str!("../../content/process/documentation-process.md"),
    ),
    (
        "process/branching.md",
        include_str!("../../content/process/branching.md"),
    ),
    (
        "process/contributing.md",
        include_str!("../../content/process/contributing.md"),
    ),
];

/// Writes the demo portal into `dir` (replacing a previous demo there).
pub fn write(dir: &Path) -> anyhow::Result<()> {
    prepare_folder(dir)?;
    std::fs::write(dir.join(DEMO_MARKER), DEMO_MARKER_TEXT)?;
    std::fs::write(dir.join(crate::config::CONFIG_FILE), site_toml())?;
    for (path, text) in CONTENT {
        let target = dir.join("content").join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, text)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    for sample in SAMPLES {
        write_repository(&dir.join("repos").join(sample.id), sample)
            .with_context(|| format!("cannot create the sample repository {}", sample.id))?;
    }
    Ok(())
}

fn prepare_folder(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            let marked = std::fs::read_to_string(dir.join(DEMO_MARKER))
                .is_ok_and(|text| text == DEMO_MARKER_TEXT);
            if !marked {
                bail!(
                    "{} exists and is not a previous demo; choose another folder (`portico demo DIR`) or empty it",
                    dir.display()
                );
            }
            std::fs::remove_dir_all(dir).with_context(|| {
                format!("cannot replace the previous demo in {}", dir.display())
            })?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

fn site_toml() -> String {
    let mut text = String::from(
        "# A sample portal written by `portico demo`. Build it again with:\n#   portico build --root <this folder>\n\n[site]\ntitle = \"Mattermost Integrations (demo)\"\nbase_url = \"https://integrations.example.com/\"\ndescription = \"Documentation for every Mattermost integration, every version.\"\n\n[build]\noutput_dir = \"public\"\n",
    );
    for sample in SAMPLES {
        text.push_str(&format!("\n[[integrations]]\nid = \"{}\"\n", sample.id));
        if let Some(name) = sample.name {
            text.push_str(&format!("name = \"{name}\"\n"));
        }
        text.push_str(&format!(
            "repo = \"repos/{}\"\nmanaged_by = \"{}\"\n",
            sample.id, sample.managed_by
        ));
        let deployments: Vec<String> = sample
            .deployments
            .iter()
            .map(|d| format!("\"{d}\""))
            .collect();
        text.push_str(&format!("deployments = [{}]\n", deployments.join(", ")));
        if let Some(description) = sample.description {
            text.push_str(&format!("description = \"{description}\"\n"));
        }
        text.push_str(sample.extra_config);
    }
    text
}

fn write_repository(path: &Path, sample: &Sample) -> anyhow::Result<()> {
    let commits =
        parse_bundle(sample.bundle).with_context(|| format!("sample bundle {}", sample.id))?;
    let writer = RepoWriter::init(path, sample.default_branch)?;
    let mut files = FileSet::new();
    let mut parent = None;
    for commit in commits {
        for path in &commit.deleted {
            files.remove(path);
        }
        files.extend(commit.files);
        let id = writer.commit(&files, parent, &commit.message, commit.time)?;
        let reference = match commit.branch.strip_prefix("origin/") {
            // An archive that exists only as a remote-tracking branch, as in a CI checkout.
            Some(remote) => format!("refs/remotes/origin/{remote}"),
            None => format!("refs/heads/{}", commit.branch),
        };
        writer.set_ref(&reference, id)?;
        if let Some(tag) = &commit.tag {
            writer.tag(tag, id)?;
        }
        parent = Some(id);
    }
    writer.checkout_head()
}

/// One commit of a sample repository.
#[derive(Debug, Default)]
struct BundleCommit {
    branch: String,
    tag: Option<String>,
    time: i64,
    message: String,
    files: FileSet,
    deleted: Vec<String>,
}

/// Parses a bundle: a line-based description of a repository's mainline history.
///
/// ```text
/// %% commit 2.9-docs tag=v2.9.0 date=2021-03-01 Release 2.9 docs
/// %% file docs/README.md
/// # Jira
/// ...
/// %% delete docs/old.md
/// %% symlink docs/LICENSE -> ../LICENSE
/// ```
///
/// Each commit builds on the previous one (files carry over unless deleted); its ref is
/// the branch that points at it (the last commit is the default branch).
fn parse_bundle(text: &str) -> anyhow::Result<Vec<BundleCommit>> {
    let mut commits: Vec<BundleCommit> = Vec::new();
    let mut current_file: Option<(String, String)> = None;
    let finish_file = |commits: &mut Vec<BundleCommit>, file: Option<(String, String)>| {
        if let (Some((path, mut body)), Some(commit)) = (file, commits.last_mut()) {
            while body.ends_with("\n\n") {
                body.pop();
            }
            commit.files.insert(path, body.into_bytes());
        }
    };
    for (index, line) in text.lines().enumerate() {
        let Some(directive) = line.strip_prefix("%% ") else {
            match &mut current_file {
                Some((_, body)) => {
                    body.push_str(line);
                    body.push('\n');
                }
                None if line.trim().is_empty() => {}
                None => bail!("line {}: text outside a %% file", index + 1),
            }
            continue;
        };
        finish_file(&mut commits, current_file.take());
        let (verb, rest) = directive.split_once(' ').unwrap_or((directive, ""));
        match verb {
            "commit" => {
                let mut commit = BundleCommit::default();
                let mut message = Vec::new();
                for (i, word) in rest.split_whitespace().enumerate() {
                    if i == 0 {
                        commit.branch = word.to_string();
                    } else if let Some(tag) = word.strip_prefix("tag=") {
                        commit.tag = Some(tag.to_string());
                    } else if let Some(date) = word.strip_prefix("date=") {
                        commit.time = parse_date(date)
                            .with_context(|| format!("line {}: bad date {date}", index + 1))?;
                    } else {
                        message.push(word);
                    }
                }
                commit.message = message.join(" ");
                commits.push(commit);
            }
            "file" => current_file = Some((rest.trim().to_string(), String::new())),
            "delete" => match commits.last_mut() {
                Some(commit) => commit.deleted.push(rest.trim().to_string()),
                None => bail!("line {}: delete before any commit", index + 1),
            },
            "symlink" => {
                let (link, target) = rest.split_once(" -> ").with_context(|| {
                    format!("line {}: expected `symlink PATH -> TARGET`", index + 1)
                })?;
                let mut bytes = SYMLINK_PREFIX.to_vec();
                bytes.extend_from_slice(target.trim().as_bytes());
                match commits.last_mut() {
                    Some(commit) => {
                        commit.files.insert(link.trim().to_string(), bytes);
                    }
                    None => bail!("line {}: symlink before any commit", index + 1),
                }
            }
            other => bail!("line {}: unknown directive {other:?}", index + 1),
        }
    }
    finish_file(&mut commits, current_file.take());
    Ok(commits)
}

/// `YYYY-MM-DD` → Unix time at noon UTC.
fn parse_date(date: &str) -> anyhow::Result<i64> {
    let parts: Vec<i64> = date
        .split('-')
        .map(|p| p.parse::<i64>())
        .collect::<Result<_, _>>()?;
    let [year, month, day] = parts[..] else {
        bail!("expected YYYY-MM-DD");
    };
    // Howard Hinnant's days-from-civil algorithm.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Ok(days * 86_400 + 12 * 3_600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_describe_commits_files_and_refs() {
        let commits = parse_bundle("%% commit 1.0-docs tag=v1.0.0 date=2020-01-02 First\n%% file a.md\n# A\n\n%% commit master date=2021-01-01 Second\n%% delete a.md\n%% symlink b -> a.md\n").unwrap();
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].branch, "1.0-docs");
        assert_eq!(commits[0].tag.as_deref(), Some("v1.0.0"));
        assert_eq!(commits[0].message, "First");
        assert_eq!(commits[0].files["a.md"], b"# A\n");
        assert_eq!(commits[1].deleted, ["a.md"]);
        assert_eq!(commits[1].files["b"], b"symlink:a.md");
    }

    #[test]
    fn dates_round_trip_through_the_catalog_formatter() {
        for date in ["1970-01-01", "2000-02-29", "2026-11-29"] {
            assert_eq!(crate::catalog::format_date(parse_date(date).unwrap()), date);
        }
    }

    #[test]
    fn every_sample_bundle_parses_and_ends_on_its_default_branch() {
        for sample in SAMPLES {
            let commits =
                parse_bundle(sample.bundle).unwrap_or_else(|e| panic!("{}: {e:#}", sample.id));
            assert_eq!(
                commits.last().unwrap().branch,
                sample.default_branch,
                "{}",
                sample.id
            );
            let archives = commits
                .iter()
                .filter(|c| c.branch.contains("-docs"))
                .count();
            assert!(
                archives >= 2,
                "{} has {archives} archived versions",
                sample.id
            );
        }
    }
}
