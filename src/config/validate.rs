//! Validation: the file as written (`schema`) becomes a [`SiteConfig`], with the documented
//! defaults applied, relative paths resolved and version patterns parsed.
//!
//! Every problem is collected with the line and column of the value at fault, so that a
//! user fixes the whole file in one pass; a value found wrong is replaced by its default so
//! that checking goes on. Which URLs are allowed is `urls`' policy; sizes are read by
//! `sizes`. Reads nothing but the text it is given.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::ConfigProblem;
use super::schema::{RawBuild, RawConfig, RawIntegration, RawSite, RawSize};
use super::settings::{
    BuildSettings, DEFAULT_MAX_ASSET_SIZE, DEFAULT_MAX_PAGE_SIZE, DEFAULT_MAX_VERSIONS, Deployment,
    IntegrationConfig, Located, RepoLocation, RepositoryLimits, SearchSettings, SiteConfig,
    SiteSettings,
};
use super::sizes::parse_size;
use super::urls::{
    BaseUrl, absolute_http_url, check_remote_url, is_http_url, is_url, redact_url, web_url_of,
};
use crate::diagnostics::line_and_column;
use crate::version::VersionPattern;

const DEFAULT_OUTPUT_DIR: &str = "public";
const DEFAULT_CACHE_DIR: &str = ".portico/cache";
const DEFAULT_TOKEN_HOST: &str = "github.com";
const DEFAULT_VERSION_BRANCHES: &str = "{version}-docs";
const DEFAULT_THEME: &str = "default";

/// Checks one `site.toml`, collecting its problems.
pub(super) struct Validator<'a> {
    /// The file's text, to turn spans into lines and columns.
    text: &'a str,
    pub(super) problems: Vec<ConfigProblem>,
}

/// Integration ids seen so far, with the line of each, to name both places of a duplicate.
type SeenIds = Vec<(String, u32)>;

impl<'a> Validator<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Validator {
            text,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, span: Range<usize>, message: String) {
        let (line, column) = line_and_column(self.text, span.start);
        self.problems.push(ConfigProblem {
            line,
            column,
            message,
        });
    }

    /// The whole configuration; `root` resolves relative paths.
    pub(super) fn validate(&mut self, raw: RawConfig, root: &Path) -> SiteConfig {
        let site = self.site_settings(raw.site);
        let build = self.build_settings(raw.build, root);
        let mut seen = SeenIds::new();
        let integrations = raw
            .integrations
            .into_iter()
            .map(|integration| {
                self.integration(integration, &build.version_branches, root, &mut seen)
            })
            .collect();
        SiteConfig {
            root: root.to_path_buf(),
            site,
            build,
            search: SearchSettings {
                enabled: raw.search.enabled,
            },
            integrations,
        }
    }

    // -----------------------------------------------------------------------------------
    // [site]

    fn site_settings(&mut self, raw: RawSite) -> SiteSettings {
        SiteSettings {
            base_url: self.base_url(raw.base_url),
            theme: self.theme(raw.theme),
            title: raw.title,
            description: raw.description,
            allow_embeds: raw.allow_embeds,
        }
    }

    fn base_url(&mut self, raw: Option<Spanned<String>>) -> BaseUrl {
        let Some(spanned) = raw else {
            return BaseUrl::root();
        };
        BaseUrl::parse(spanned.get_ref()).unwrap_or_else(|message| {
            self.problem(spanned.span(), format!("site.base_url: {message}"));
            BaseUrl::root()
        })
    }

    fn theme(&mut self, raw: Option<Spanned<String>>) -> String {
        let Some(theme) = raw else {
            return DEFAULT_THEME.to_string();
        };
        let name = theme.get_ref();
        if !is_safe_segment(name) {
            self.problem(
                theme.span(),
                format!("site.theme {name:?} must be a folder name under themes/ (letters, digits, '.', '-', '_')"),
            );
        }
        theme.into_inner()
    }

    // -----------------------------------------------------------------------------------
    // [build]

    fn build_settings(&mut self, raw: RawBuild, root: &Path) -> BuildSettings {
        let version_branches = match raw.version_branches {
            Some(patterns) => self.patterns("build.version_branches", patterns),
            None => vec![
                VersionPattern::parse(DEFAULT_VERSION_BRANCHES).expect("default pattern is valid"),
            ],
        };
        let limits = RepositoryLimits {
            page: self.size(
                "build.max_page_size",
                raw.max_page_size,
                DEFAULT_MAX_PAGE_SIZE,
            ),
            asset: self.size(
                "build.max_asset_size",
                raw.max_asset_size,
                DEFAULT_MAX_ASSET_SIZE,
            ),
            versions: self.max_versions(raw.max_versions),
        };
        let output_dir = raw.output_dir.as_deref().unwrap_or(DEFAULT_OUTPUT_DIR);
        let cache_dir = raw.cache_dir.as_deref().unwrap_or(DEFAULT_CACHE_DIR);
        BuildSettings {
            limits,
            output_dir: root.join(output_dir),
            cache_dir: root.join(cache_dir),
            version_branches,
            token_env: raw.token_env.map(|name| self.token_env(name)),
            token_hosts: match raw.token_hosts {
                None => vec![DEFAULT_TOKEN_HOST.to_string()],
                Some(hosts) => hosts
                    .into_iter()
                    .map(|host| self.token_host(host))
                    .collect(),
            },
        }
    }

    fn size(&mut self, key: &str, raw: Option<Spanned<RawSize>>, default: u64) -> u64 {
        let Some(raw) = raw else {
            return default;
        };
        let parsed = match raw.get_ref() {
            RawSize::Bytes(bytes) if *bytes > 0 => Ok(*bytes as u64),
            RawSize::Bytes(bytes) => Err(format!(
                "{bytes} would publish nothing; give a size above zero"
            )),
            RawSize::Fraction(number) => Err(format!(
                "{number} is not a whole number of bytes; write a text such as \"{number} MB\""
            )),
            RawSize::Text(text) => parse_size(text),
        };
        match parsed {
            Ok(bytes) => bytes,
            Err(message) => {
                self.problem(raw.span(), format!("{key}: {message}"));
                default
            }
        }
    }

    fn max_versions(&mut self, raw: Option<Spanned<i64>>) -> usize {
        let Some(count) = raw else {
            return DEFAULT_MAX_VERSIONS;
        };
        usize::try_from(*count.get_ref()).unwrap_or_else(|_| {
            self.problem(
                count.span(),
                format!(
                    "build.max_versions: {} is not a number of versions; give 0 or more",
                    count.get_ref()
                ),
            );
            DEFAULT_MAX_VERSIONS
        })
    }

    /// The name of the variable holding the token (never the token itself).
    fn token_env(&mut self, name: Spanned<String>) -> String {
        let valid = !name.get_ref().is_empty()
            && name
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            self.problem(
                name.span(),
                format!("build.token_env {:?} must be the name of an environment variable (letters, digits, '_'), not a token", name.get_ref()),
            );
        }
        name.into_inner()
    }

    /// Stored as the URL parser writes hosts (lowercase, punycode, bracketed IPv6), which
    /// is what it is compared with.
    fn token_host(&mut self, host: Spanned<String>) -> String {
        match url::Host::parse(host.get_ref()) {
            Ok(parsed) if !host.get_ref().contains('*') => parsed.to_string(),
            _ => {
                self.problem(
                    host.span(),
                    format!("build.token_hosts: {:?} is not a host name (write \"github.com\": no scheme, port, path or wildcard)", host.get_ref()),
                );
                String::new()
            }
        }
    }

    fn patterns(&mut self, key: &str, raw: Vec<Spanned<String>>) -> Vec<VersionPattern> {
        let mut patterns = Vec::new();
        for pattern in raw {
            match VersionPattern::parse(pattern.get_ref()) {
                Ok(parsed) => patterns.push(parsed),
                Err(err) => self.problem(pattern.span(), format!("{key}: {err}")),
            }
        }
        patterns
    }

    // -----------------------------------------------------------------------------------
    // [[integrations]]

    fn integration(
        &mut self,
        raw: RawIntegration,
        default_branches: &[VersionPattern],
        root: &Path,
        seen: &mut SeenIds,
    ) -> IntegrationConfig {
        let id = self.integration_id(raw.id, seen);
        let deployments = raw
            .deployments
            .map(|listed| self.deployments(listed, &id))
            .unwrap_or_default();
        let version_branches = match raw.version_branches {
            Some(patterns) => self.patterns("integrations.version_branches", patterns),
            None => default_branches.to_vec(),
        };
        let version_tags = self.patterns("integrations.version_tags", raw.version_tags);
        let repo = self.repo_location(raw.repo, root);
        let docs_dir = raw.docs_dir.and_then(|dir| self.docs_dir(dir));
        let web_url = self.web_url(raw.web_url, &repo);
        let legacy_urls = self.legacy_urls(raw.legacy_urls);
        let default_version = raw.default_version.and_then(|v| self.default_version(v));
        let docs_url = raw.docs_url.and_then(|url| self.docs_url(url));
        IntegrationConfig {
            id,
            name: raw.name.filter(|n| !n.trim().is_empty()),
            repo,
            managed_by: raw.managed_by,
            deployments,
            description: raw.description.filter(|d| !d.trim().is_empty()),
            docs_dir,
            branch: raw.branch.filter(|b| !b.trim().is_empty()),
            version_branches,
            version_tags,
            web_url,
            legacy_urls,
            default_version,
            docs_url,
        }
    }

    /// The version as written, located: whether the repository has it is known only once
    /// its versions are read (`catalog` checks it there).
    fn default_version(&mut self, raw: Spanned<String>) -> Option<Located<String>> {
        let (line, column) = line_and_column(self.text, raw.span().start);
        let value = raw.get_ref().trim();
        if value.is_empty() {
            self.problem(
                raw.span(),
                "integrations.default_version is empty: give a version label such as \"3.0.1\", or remove the key to land on the newest version".to_string(),
            );
            return None;
        }
        Some(Located {
            value: value.to_string(),
            line,
            column,
        })
    }

    /// An absolute http(s) address with a host and no credentials: it is published on
    /// the index and on every page's banner.
    fn docs_url(&mut self, raw: Spanned<String>) -> Option<String> {
        let text = raw.get_ref().trim();
        match absolute_http_url(text) {
            Ok(()) => Some(text.to_string()),
            Err(why) => {
                self.problem(
                    raw.span(),
                    format!(
                        "integrations.docs_url {:?} {why}; give an absolute http(s) URL such as \"https://docs.mattermost.com/integrate/jira.html\"",
                        redact_url(text)
                    ),
                );
                None
            }
        }
    }

    /// The id, which must be a URL segment and used once.
    fn integration_id(&mut self, raw: Spanned<String>, seen: &mut SeenIds) -> String {
        let span = raw.span();
        let id = raw.into_inner();
        if !is_valid_id(&id) {
            self.problem(
                span.clone(),
                format!("integrations.id {id:?} is not a valid URL segment: {ID_RULE}"),
            );
        }
        if let Some((_, line)) = seen.iter().find(|(known, _)| *known == id) {
            let line = *line;
            self.problem(
                span,
                format!("integrations.id {id:?} is used twice (first at line {line}); every integration needs its own id"),
            );
        } else {
            seen.push((id.clone(), line_and_column(self.text, span.start).0));
        }
        id
    }

    /// The deployments, sorted, each once.
    fn deployments(&mut self, listed: Spanned<Vec<Deployment>>, id: &str) -> Vec<Deployment> {
        let span = listed.span();
        let mut deployments = listed.into_inner();
        let before = deployments.len();
        deployments.sort();
        deployments.dedup();
        if deployments.len() != before {
            self.problem(
                span,
                format!("integrations.deployments of {id:?} lists a value twice"),
            );
        }
        deployments
    }

    fn repo_location(&mut self, repo: Spanned<String>, root: &Path) -> RepoLocation {
        let text = repo.get_ref().trim();
        if text.is_empty() {
            self.problem(
                repo.span(),
                "integrations.repo is empty: give a repository path relative to site.toml or a URL"
                    .to_string(),
            );
        }
        if is_url(text) {
            if let Err(message) = check_remote_url(text) {
                self.problem(repo.span(), format!("integrations.repo: {message}"));
            }
            RepoLocation::Remote(text.to_string())
        } else {
            RepoLocation::Local(root.join(text))
        }
    }

    fn docs_dir(&mut self, dir: Spanned<String>) -> Option<String> {
        let normalized = normalize_docs_dir(dir.get_ref());
        if normalized.is_none() {
            self.problem(
                dir.span(),
                format!(
                    "integrations.docs_dir {:?} must be a folder inside the repository, such as \"docs\"",
                    dir.get_ref()
                ),
            );
        }
        normalized
    }

    /// The configured web address, else the one an https repository URL gives.
    fn web_url(&mut self, raw: Option<Spanned<String>>, repo: &RepoLocation) -> Option<String> {
        let Some(url) = raw else {
            return match repo {
                RepoLocation::Remote(url) => web_url_of(url),
                RepoLocation::Local(_) => None,
            };
        };
        if !is_http_url(url.get_ref()) {
            self.problem(
                url.span(),
                format!(
                    "integrations.web_url {:?} must be an http(s) URL",
                    url.get_ref()
                ),
            );
        }
        Some(url.into_inner().trim_end_matches('/').to_string())
    }

    fn legacy_urls(&mut self, raw: Vec<Spanned<String>>) -> Vec<String> {
        let mut legacy_urls = Vec::new();
        for url in raw {
            if is_http_url(url.get_ref()) {
                legacy_urls.push(url.into_inner());
            } else {
                self.problem(
                    url.span(),
                    format!(
                        "integrations.legacy_urls entry {:?} must be an http(s) URL",
                        url.get_ref()
                    ),
                );
            }
        }
        legacy_urls
    }
}

/// What [`is_valid_id`] asks, for messages.
pub(crate) const ID_RULE: &str =
    "use lowercase letters, digits, '.' and '-', starting with a letter or digit";

/// Ids are URL segments: lowercase ASCII letters, digits, '.' and '-'.
pub(crate) fn is_valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !id.contains("..")
}

/// A folder name that stays where it is put: no separators, not `.` or `..`.
fn is_safe_segment(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// `./docs/` → `docs`; rejects paths that leave the repository.
fn normalize_docs_dir(dir: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in dir.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            other => parts.push(other),
        }
    }
    if dir.starts_with('/') {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_dir_may_not_leave_the_repository() {
        assert_eq!(normalize_docs_dir("./docs/").as_deref(), Some("docs"));
        assert_eq!(normalize_docs_dir("../secrets"), None);
        assert_eq!(normalize_docs_dir("/etc"), None);
    }

    #[test]
    fn ids_and_theme_names_are_single_safe_segments() {
        assert!(is_valid_id("jira") && is_valid_id("ms-teams.v2"));
        assert!(!is_valid_id("Jira") && !is_valid_id("-x") && !is_valid_id("a..b"));
        assert!(is_safe_segment("my_theme-2"));
        assert!(!is_safe_segment("..") && !is_safe_segment("a/b") && !is_safe_segment(""));
    }
}
