//! `site.toml`: loading it, and the configuration types every other stage reads.
//!
//! Input: the text of `site.toml` and the folder holding it. Output: a validated
//! [`SiteConfig`] whose paths are resolved and whose version patterns are parsed, or every
//! problem found, each naming the key with its line and column. Unknown keys are errors
//! (a typo must not silently change a published portal). Reads nothing but `site.toml`.
//!
//! The parts: `schema` (the file as written), `key_path` (the key a read error is about),
//! `validate` (defaults and checks, located), `settings` (the validated types), `urls` (base
//! URL and repository URL policy) and `sizes` (size limits as text).

mod key_path;
mod schema;
mod settings;
mod sizes;
mod urls;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostics::line_and_column;

pub use settings::{
    BuildSettings, Deployment, IntegrationConfig, ManagedBy, RepoLocation, RepositoryLimits,
    SiteConfig,
};
pub(crate) use sizes::describe_size;
pub use urls::{BaseUrl, redact_url};
pub(crate) use validate::{ID_RULE, is_valid_id};

pub const CONFIG_FILE: &str = "site.toml";

/// One problem in `site.toml`, located by line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Everything wrong with a `site.toml`, reported together so a user fixes it in one pass.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    pub problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                problem.line,
                problem.column,
                problem.message
            )?;
        }
        Ok(())
    }
}

impl ConfigError {
    /// One located error per problem, for reports and CI annotations.
    pub fn diagnostics(&self) -> Vec<crate::diagnostics::Diagnostic> {
        use crate::diagnostics::{Diagnostic, Location};
        self.problems
            .iter()
            .map(|problem| {
                Diagnostic::error(
                    Location::file(CONFIG_FILE)
                        .with_line(problem.line)
                        .with_column(problem.column),
                    problem.message.clone(),
                )
            })
            .collect()
    }
}

/// Reads and validates `<root>/site.toml`.
pub fn load(root: &Path) -> anyhow::Result<SiteConfig> {
    let file = root.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&file).map_err(|err| {
        anyhow::anyhow!(
            "cannot read {}: {err}; run portico in the folder holding site.toml, pass --root DIR, or try `portico demo`",
            file.display()
        )
    })?;
    Ok(parse(&text, root, &file)?)
}

/// What is valid but probably not what the author wants.
pub fn warnings(config: &SiteConfig) -> Vec<crate::diagnostics::Diagnostic> {
    use crate::diagnostics::{Diagnostic, Location};
    let mut found = Vec::new();
    if !config.site.base_url.has_host() {
        found.push(Diagnostic::warning(
            Location::file(CONFIG_FILE),
            format!(
                "site.base_url {:?} has no host, so canonical links and sitemap.xml hold paths only; set it to the portal's public address (https://…)",
                config.site.base_url.full
            ),
        ));
    }
    for integration in &config.integrations {
        if integration.deployments.is_empty() {
            found.push(Diagnostic::warning(
                Location::file(CONFIG_FILE),
                format!(
                    "integration {} lists no deployments; add deployments = [\"cloud\", \"self-managed\"] (or one of them)",
                    integration.id
                ),
            ));
        }
    }
    found
}

/// Parses `site.toml` text; `root` resolves relative paths and `file` names it in errors.
pub fn parse(text: &str, root: &Path, file: &Path) -> Result<SiteConfig, ConfigError> {
    let fail = |problems| ConfigError {
        file: file.to_path_buf(),
        problems,
    };
    let raw: schema::RawConfig = toml::from_str(text).map_err(|err| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| line_and_column(text, span.start));
        fail(vec![ConfigProblem {
            line,
            column,
            message: key_path::describe(text, err.span(), err.message()),
        }])
    })?;
    let mut validator = validate::Validator::new(text);
    let config = validator.validate(raw, root);
    if validator.problems.is_empty() {
        Ok(config)
    } else {
        Err(fail(validator.problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::{DEFAULT_MAX_VERSIONS, Located};

    const MINIMAL: &str = r#"
[site]
title = "Portal"
base_url = "https://integrations.example.com/docs"

[[integrations]]
id = "jira"
repo = "repos/jira"
managed_by = "mattermost"
deployments = ["cloud", "self-managed"]
"#;

    fn parse_text(text: &str) -> Result<SiteConfig, ConfigError> {
        parse(text, Path::new("/portal"), Path::new("/portal/site.toml"))
    }

    fn only_problem(text: &str) -> ConfigProblem {
        let err = parse_text(text).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        err.problems[0].clone()
    }

    #[test]
    fn a_minimal_site_gets_the_documented_defaults() {
        let config = parse_text(MINIMAL).unwrap();
        assert_eq!(
            config.site.base_url.full,
            "https://integrations.example.com/docs/"
        );
        assert_eq!(config.site.base_url.path, "/docs/");
        assert_eq!(config.site.theme, "default");
        assert_eq!(config.build.output_dir, Path::new("/portal/public"));
        let jira = &config.integrations[0];
        assert_eq!(jira.repo, RepoLocation::Local("/portal/repos/jira".into()));
        assert_eq!(jira.version_branches.len(), 1);
        assert!(jira.version_branches[0].match_name("2.1-docs").is_some());
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key_and_line() {
        let problem = only_problem(&MINIMAL.replace("deployments", "deployment"));
        assert_eq!(problem.line, 10);
        assert!(
            problem.message.contains("deployment"),
            "{}",
            problem.message
        );
    }

    /// Three integrations, the third (`jira`) at lines 12-15, its `managed_by` at 14:14.
    pub(super) const THREE: &str = r#"[site]
title = "Portal"

[[integrations]]
id = "github"
repo = "repos/github"
managed_by = "mattermost"
[[integrations]]
id = "zoom"
repo = "repos/zoom"
managed_by = "community"
[[integrations]]
id = "jira"
managed_by = "community"
deployments = ["cloud", "self-managed"]
repo = "repos/jira"
"#;

    fn error_text(text: &str) -> String {
        parse_text(text).unwrap_err().to_string()
    }

    #[test]
    fn a_wrong_value_names_its_key_path_and_the_likely_value() {
        assert_eq!(
            error_text(&THREE.replace("\"community\"\ndeployments", "\"comunity\"\ndeployments")),
            "/portal/site.toml:14:14: integrations[2] (\"jira\").managed_by: unknown value \"comunity\": expected \"mattermost\" or \"community\" (did you mean \"community\"?)"
        );
        assert_eq!(
            error_text(&THREE.replace("\"self-managed\"", "\"selfmanaged\"")),
            "/portal/site.toml:15:25: integrations[2] (\"jira\").deployments[1]: unknown value \"selfmanaged\": expected \"cloud\" or \"self-managed\" (did you mean \"self-managed\"?)"
        );
    }

    #[test]
    fn a_wrong_type_an_unknown_key_and_a_missing_key_are_named() {
        let text = THREE.replace(
            "[[integrations]]\nid = \"github\"",
            "[build]\nversion_branches = \"x\"\n\n[[integrations]]\nid = \"github\"",
        );
        assert_eq!(
            error_text(&text),
            "/portal/site.toml:5:20: build.version_branches: wrong type: expected a list, found string \"x\""
        );
        let message = error_text(&THREE.replace("repo = \"repos/zoom\"", "repos = \"repos/zoom\""));
        assert!(
            message.starts_with("/portal/site.toml:10:1: integrations[1] (\"zoom\").repos: unknown key \"repos\" (did you mean \"repo\"?)"),
            "{message}"
        );
        assert_eq!(
            error_text(&THREE.replace("repo = \"repos/zoom\"\n", "")),
            "/portal/site.toml:8:1: integrations[1] (\"zoom\"): the required key \"repo\" is missing; add it"
        );
        assert!(
            error_text("[build]\n")
                .ends_with(": the required table or key \"site\" is missing; add it"),
            "{}",
            error_text("[build]\n")
        );
    }

    #[test]
    fn default_version_keeps_where_it_is_written_and_docs_url_must_be_absolute() {
        let text = format!(
            "{MINIMAL}default_version = \"3.0.1\"\ndocs_url = \"https://docs.mattermost.com/jira\"\n"
        );
        let jira = parse_text(&text).unwrap().integrations.remove(0);
        assert_eq!(
            jira.default_version,
            Some(Located {
                value: "3.0.1".to_string(),
                line: 11,
                column: 19,
            })
        );
        assert_eq!(
            jira.docs_url.as_deref(),
            Some("https://docs.mattermost.com/jira")
        );
        let problem = only_problem(&format!("{MINIMAL}docs_url = \"docs/jira\"\n"));
        assert_eq!((problem.line, problem.column), (11, 12));
        assert!(
            problem
                .message
                .starts_with("integrations.docs_url \"docs/jira\" is not an absolute URL"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn duplicate_ids_name_both_lines() {
        let text = format!(
            "{MINIMAL}\n[[integrations]]\nid = \"jira\"\nrepo = \"x\"\nmanaged_by = \"community\"\n"
        );
        let problem = only_problem(&text);
        assert_eq!(problem.line, 13);
        assert!(
            problem.message.contains("first at line 7"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn bad_managed_by_and_deployments_values_are_rejected_with_their_line() {
        let problem = only_problem(&MINIMAL.replace("\"mattermost\"", "\"staff\""));
        assert_eq!(problem.line, 9);
        assert!(problem.message.contains("staff"), "{}", problem.message);
        let problem = only_problem(&MINIMAL.replace("\"cloud\"", "\"saas\""));
        assert_eq!(problem.line, 10);
        assert!(problem.message.contains("saas"), "{}", problem.message);
    }

    #[test]
    fn ids_must_be_url_segments() {
        let problem = only_problem(&MINIMAL.replace("\"jira\"", "\"Jira Plugin\""));
        assert_eq!(problem.line, 7);
        assert!(problem.message.contains("Jira Plugin"));
    }

    #[test]
    fn version_patterns_need_the_placeholder() {
        let text = MINIMAL.replace(
            "[[integrations]]",
            "[build]\nversion_branches = [\"docs\"]\n\n[[integrations]]",
        );
        let problem = only_problem(&text);
        assert!(problem.message.contains("{version}"), "{}", problem.message);
    }

    #[test]
    fn credentials_never_belong_in_site_toml() {
        let problem = only_problem(
            &MINIMAL.replace("repos/jira", "https://bot:ghp_secret@github.com/o/r.git"),
        );
        assert!(
            problem.message.contains("credentials"),
            "{}",
            problem.message
        );
        for (secret, why) in [
            ("https://ghp_secret@github.com/o/r.git", "user name"),
            (
                "https://github.com/o/r.git?access_token=ghp_secret",
                "query",
            ),
            ("https://user:pa/ss@github.com/o/r.git", "not a valid URL"),
            ("ftp://github.com/o/r.git", "URLs only"),
            (
                "https://user:123/ghp_secret@github.com/o/r.git",
                "after the host",
            ),
            ("ghp_secret@github.com:o/r.git", "looks like a token"),
        ] {
            let problem = only_problem(&MINIMAL.replace("repos/jira", secret));
            assert!(
                problem.message.contains(why),
                "{secret}: {}",
                problem.message
            );
            assert!(
                !problem.message.contains("ghp_secret") && !problem.message.contains("pa/ss"),
                "{}",
                problem.message
            );
        }
        assert!(parse_text(&MINIMAL.replace("repos/jira", "ssh://git@github.com/o/r.git")).is_ok());
        assert!(parse_text(&MINIMAL.replace("repos/jira", "git@github.com:o/r.git")).is_ok());
    }

    #[test]
    fn token_hosts_are_compared_as_the_url_parser_writes_them() {
        let with_hosts = |hosts: &str| {
            MINIMAL.replace(
                "[[integrations]]",
                &format!("[build]\ntoken_hosts = {hosts}\n\n[[integrations]]"),
            )
        };
        let config = parse_text(&with_hosts(r#"["GitHub.com", "bücher.de", "[::1]"]"#)).unwrap();
        assert_eq!(
            config.build.token_hosts,
            ["github.com", "xn--bcher-kva.de", "[::1]"]
        );
        for bad in ["*.github.com", "github.com:443", "https://github.com"] {
            let problem = only_problem(&with_hosts(&format!("[{bad:?}]")));
            assert!(
                problem.message.contains("not a host name"),
                "{bad}: {}",
                problem.message
            );
        }
        assert_eq!(
            parse_text(MINIMAL).unwrap().build.token_hosts,
            ["github.com"]
        );
    }

    #[test]
    fn web_url_is_derived_from_an_https_repository() {
        let text = MINIMAL.replace(
            "repos/jira",
            "https://github.com/mattermost/mattermost-plugin-jira.git",
        );
        let config = parse_text(&text).unwrap();
        assert_eq!(
            config.integrations[0].web_url.as_deref(),
            Some("https://github.com/mattermost/mattermost-plugin-jira")
        );
    }

    #[test]
    fn a_bad_base_url_is_located_and_the_rest_still_checked() {
        let text = MINIMAL
            .replace("https://integrations.example.com/docs", "ftp://x.org/")
            .replace("\"jira\"", "\"Jira\"");
        let err = parse_text(&text).unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        assert_eq!((err.problems[0].line, err.problems[0].column), (4, 12));
        assert!(
            err.problems[0].message.starts_with("site.base_url: "),
            "{err}"
        );
        assert_eq!(err.problems[1].line, 7, "{err}");
    }

    #[test]
    fn size_limits_default_to_ten_and_a_hundred_megabytes_and_read_units() {
        let config = parse_text(MINIMAL).unwrap();
        assert_eq!(config.build.limits, RepositoryLimits::default());
        assert_eq!(config.build.limits.page, 10_000_000);
        assert_eq!(config.build.limits.asset, 100_000_000);

        let text = MINIMAL.replace(
            "[[integrations]]",
            "[build]\nmax_page_size = \"1 KB\"\nmax_asset_size = 2048\n\n[[integrations]]",
        );
        let config = parse_text(&text).unwrap();
        assert_eq!(
            config.build.limits,
            RepositoryLimits {
                page: 1_000,
                asset: 2048,
                versions: DEFAULT_MAX_VERSIONS,
            }
        );
    }

    #[test]
    fn max_versions_is_a_count_with_a_default() {
        assert_eq!(
            parse_text(MINIMAL).unwrap().build.limits.versions,
            DEFAULT_MAX_VERSIONS
        );
        let text = MINIMAL.replace(
            "[[integrations]]",
            "[build]\nmax_versions = 3\n\n[[integrations]]",
        );
        assert_eq!(parse_text(&text).unwrap().build.limits.versions, 3);
        let text = MINIMAL.replace(
            "[[integrations]]",
            "[build]\nmax_versions = -2\n\n[[integrations]]",
        );
        let problem = only_problem(&text);
        assert_eq!(problem.line, 7);
        assert!(
            problem.message.starts_with("build.max_versions:"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn a_bad_size_limit_names_its_key_and_line() {
        let text = MINIMAL.replace(
            "[[integrations]]",
            "[build]\nmax_asset_size = \"lots\"\n\n[[integrations]]",
        );
        let problem = only_problem(&text);
        assert_eq!(problem.line, 7);
        assert!(
            problem.message.starts_with("build.max_asset_size:"),
            "{}",
            problem.message
        );
        let text = MINIMAL.replace(
            "[[integrations]]",
            "[build]\nmax_page_size = -1\n\n[[integrations]]",
        );
        assert!(only_problem(&text).message.contains("above zero"));
        let text = MINIMAL.replace(
            "[[integrations]]",
            "[build]\nmax_page_size = 1.5\n\n[[integrations]]",
        );
        assert!(
            only_problem(&text).message.contains("\"1.5 MB\""),
            "{}",
            only_problem(&text).message
        );
    }
}
