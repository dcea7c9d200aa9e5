//! `site.toml`: its schema, defaults and validation.
//!
//! Input: the text of `site.toml` and the folder holding it. Output: a validated
//! [`SiteConfig`] whose paths are resolved and whose version patterns are parsed, or every
//! problem found, each naming the key with its line and column. Unknown keys are errors
//! (a typo must not silently change a published portal). Reads nothing but `site.toml`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::line_and_column;
use crate::version::VersionPattern;

pub const CONFIG_FILE: &str = "site.toml";
const DEFAULT_OUTPUT_DIR: &str = "public";
const DEFAULT_CACHE_DIR: &str = ".portico/cache";
const DEFAULT_TOKEN_HOST: &str = "github.com";
const DEFAULT_VERSION_BRANCHES: &str = "{version}-docs";
const DEFAULT_THEME: &str = "default";
/// Default `[build] max_page_size`: far above any real page, far below what hurts.
pub const DEFAULT_MAX_PAGE_SIZE: u64 = 10_000_000;
/// Default `[build] max_asset_size`: room for screenshots, PDFs and short videos.
pub const DEFAULT_MAX_ASSET_SIZE: u64 = 100_000_000;
/// Default `[build] max_versions`: decades of monthly releases, far from what hurts.
pub const DEFAULT_MAX_VERSIONS: usize = 200;

/// The whole validated configuration of one portal.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The folder holding `site.toml`; relative paths in it are resolved against this.
    pub root: PathBuf,
    pub site: SiteSettings,
    pub build: BuildSettings,
    pub search: SearchSettings,
    pub integrations: Vec<IntegrationConfig>,
}

/// `[search]`: the portal's full-text search.
#[derive(Debug, Clone)]
pub struct SearchSettings {
    /// Whether the build writes the search index (and pages show the search box).
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub title: String,
    pub base_url: BaseUrl,
    pub description: String,
    pub theme: String,
    /// Whether GitBook `{% embed %}` blocks of video sites become players (iframes to a
    /// third party) instead of link cards.
    pub allow_embeds: bool,
}

#[derive(Debug, Clone)]
pub struct BuildSettings {
    pub output_dir: PathBuf,
    pub cache_dir: PathBuf,
    pub version_branches: Vec<VersionPattern>,
    /// Name of the environment variable holding a token for https remotes (the token
    /// itself never appears in `site.toml`).
    pub token_env: Option<String>,
    /// The only hosts the token is sent to (over https): a community repository hosted
    /// elsewhere, or a redirect, must not receive it.
    pub token_hosts: Vec<String>,
    /// How much one integration's repository may make the portal publish.
    pub limits: RepositoryLimits,
}

/// How much one integration's repository may make the portal publish, so that no
/// repository can make a build take unbounded time, memory or disk: per-file sizes
/// (`[build] max_page_size`, `max_asset_size`: a larger file is a warning and is left out,
/// read no further than its size) and archived versions (`max_versions`: every page of a
/// version lists every version, so output grows with their square).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepositoryLimits {
    /// Markdown pages (and the other text Portico reads: SUMMARY.md, includes, manifests).
    pub page: u64,
    /// Every other file: images, downloads.
    pub asset: u64,
    /// Archived versions of one integration (the newest are kept; the current version is
    /// always published besides).
    pub versions: usize,
}

impl Default for RepositoryLimits {
    fn default() -> Self {
        RepositoryLimits {
            page: DEFAULT_MAX_PAGE_SIZE,
            asset: DEFAULT_MAX_ASSET_SIZE,
            versions: DEFAULT_MAX_VERSIONS,
        }
    }
}

impl RepositoryLimits {
    /// The larger of the two: no file above it is ever read.
    pub(crate) fn largest(&self) -> u64 {
        self.page.max(self.asset)
    }
}

/// A size for people: `1.2 MB`, `850 KB`, `312 bytes` (decimal units, as the limits are written).
pub(crate) fn describe_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "KB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let tenths = (bytes * 10 + unit / 2) / unit;
            return if tenths.is_multiple_of(10) {
                format!("{} {name}", tenths / 10)
            } else {
                format!("{}.{} {name}", tenths / 10, tenths % 10)
            };
        }
    }
    format!("{bytes} bytes")
}

/// Reads a size as `site.toml` writes it: a number of bytes (`5000000`) or a number with a
/// unit (`"5 MB"`, `"500KB"`, `"1.5 GB"`, `"2 MiB"`). KB, MB and GB are powers of 1000;
/// KiB, MiB and GiB powers of 1024; units are case-insensitive.
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let not_a_size = || {
        format!(
            "{text:?} is not a size: write a number of bytes or a number with a unit, such as \"10 MB\" or \"500 KB\""
        )
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..split], text[split..].trim());
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" | "byte" | "bytes" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return Err(not_a_size()),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || whole.len() > 12 || fraction.len() > 6 {
        return Err(not_a_size());
    }
    let whole: u64 = whole.parse().map_err(|_| not_a_size())?;
    let fraction_value: u64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| not_a_size())?
    };
    let scale = 10u64.pow(fraction.len() as u32);
    let bytes = whole
        .checked_mul(multiplier)
        .and_then(|bytes| bytes.checked_add(fraction_value.checked_mul(multiplier)? / scale))
        .ok_or_else(not_a_size)?;
    if bytes == 0 {
        return Err(format!(
            "{text:?} would publish nothing; give a size above zero"
        ));
    }
    Ok(bytes)
}

#[derive(Debug, Clone)]
pub struct IntegrationConfig {
    pub id: String,
    pub name: Option<String>,
    pub repo: RepoLocation,
    pub managed_by: ManagedBy,
    pub deployments: Vec<Deployment>,
    pub description: Option<String>,
    pub docs_dir: Option<String>,
    pub branch: Option<String>,
    pub version_branches: Vec<VersionPattern>,
    pub version_tags: Vec<VersionPattern>,
    pub web_url: Option<String>,
    pub legacy_urls: Vec<String>,
}

/// Where an integration's repository lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoLocation {
    /// A repository on disk, bare or not (resolved against the portal root).
    Local(PathBuf),
    /// A URL (`https://`, `ssh://`, `git@host:path`, `file://`).
    Remote(String),
}

impl fmt::Display for RepoLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RepoLocation::Local(path) => write!(f, "{}", path.display()),
            RepoLocation::Remote(url) => f.write_str(&redact_url(url)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ManagedBy {
    Mattermost,
    Community,
}

impl ManagedBy {
    /// Mattermost-managed docs are written by staff and trusted; community docs are sanitized.
    pub fn is_trusted(self) -> bool {
        self == ManagedBy::Mattermost
    }

    /// `Mattermost-managed` / `Community-managed`.
    pub fn label(self) -> &'static str {
        match self {
            ManagedBy::Mattermost => "Mattermost-managed",
            ManagedBy::Community => "Community-managed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
pub enum Deployment {
    #[serde(rename = "cloud")]
    Cloud,
    #[serde(rename = "self-managed")]
    SelfManaged,
}

impl Deployment {
    /// The value as written in `site.toml`: `cloud`, `self-managed`.
    pub fn id(self) -> &'static str {
        match self {
            Deployment::Cloud => "cloud",
            Deployment::SelfManaged => "self-managed",
        }
    }

    /// `Cloud`, `Self-managed`.
    pub fn label(self) -> &'static str {
        match self {
            Deployment::Cloud => "Cloud",
            Deployment::SelfManaged => "Self-managed",
        }
    }
}

/// The public address of the portal; its path (`/docs/`) prefixes every URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Always ends with `/`: `https://integrations.example.com/docs/`.
    pub full: String,
    /// The path part, starting and ending with `/`: `/docs/`.
    pub path: String,
}

impl BaseUrl {
    /// Accepts `https://host/`, `https://host/prefix` and a bare path such as `/docs/`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (origin, path) = if let Some(after_scheme) = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
        {
            let scheme_len = text.len() - after_scheme.len();
            let host_end = after_scheme.find('/').unwrap_or(after_scheme.len());
            if host_end == 0 {
                return Err(format!("base_url {text:?} has no host"));
            }
            (&text[..scheme_len + host_end], &after_scheme[host_end..])
        } else if text.starts_with('/') {
            ("", text)
        } else {
            return Err(format!(
                "base_url {text:?} must be an http(s) URL such as \"https://integrations.example.com/\" or a path such as \"/docs/\""
            ));
        };
        if path.contains(['?', '#', ' ']) {
            return Err(format!(
                "base_url {text:?} must not contain a query, a fragment or spaces"
            ));
        }
        let mut path = path.to_string();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl {
            full: format!("{origin}{path}"),
            path,
        })
    }

    /// The absolute URL of a site-relative path (`integrations/jira/latest/my page.html`
    /// → `…/latest/my%20page.html`).
    pub fn join(&self, site_path: &str) -> String {
        format!(
            "{}{}",
            self.full,
            crate::paths::percent_encode_path(site_path.trim_start_matches('/'))
        )
    }

    /// Whether the URL names a host; without one, canonical and sitemap URLs are paths.
    pub fn has_host(&self) -> bool {
        self.full.contains("://")
    }
}

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
    let raw: RawConfig = toml::from_str(text).map_err(|err| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| line_and_column(text, span.start));
        fail(vec![ConfigProblem {
            line,
            column,
            message: describe_toml_error(err.message()),
        }])
    })?;
    let mut validator = Validator {
        text,
        problems: Vec::new(),
    };
    let config = validator.validate(raw, root);
    if validator.problems.is_empty() {
        Ok(config)
    } else {
        Err(fail(validator.problems))
    }
}

fn describe_toml_error(message: &str) -> String {
    let message = message.trim();
    if message.starts_with("unknown field") {
        format!(
            "{message}; remove or correct the key (README.md, section `site.toml`, lists them all)"
        )
    } else if message.starts_with("missing field") {
        format!("{message}; add it")
    } else {
        message.to_string()
    }
}

// ---------------------------------------------------------------------------------------
// The file as written. Spanned fields are those validation may need to point at.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    site: RawSite,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    search: RawSearch,
    #[serde(default)]
    integrations: Vec<RawIntegration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    #[serde(default = "enabled_by_default")]
    enabled: bool,
}

impl Default for RawSearch {
    fn default() -> Self {
        RawSearch { enabled: true }
    }
}

fn enabled_by_default() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: String,
    base_url: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    theme: Option<Spanned<String>>,
    #[serde(default)]
    allow_embeds: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    output_dir: Option<String>,
    cache_dir: Option<String>,
    version_branches: Option<Vec<Spanned<String>>>,
    token_env: Option<Spanned<String>>,
    token_hosts: Option<Vec<Spanned<String>>>,
    max_page_size: Option<Spanned<RawSize>>,
    max_asset_size: Option<Spanned<RawSize>>,
    max_versions: Option<Spanned<i64>>,
}

/// A size as written: bytes (`5000000`) or text with a unit (`"5 MB"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawSize {
    Bytes(i64),
    Fraction(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntegration {
    id: Spanned<String>,
    name: Option<String>,
    repo: Spanned<String>,
    managed_by: ManagedBy,
    deployments: Option<Spanned<Vec<Deployment>>>,
    description: Option<String>,
    docs_dir: Option<Spanned<String>>,
    branch: Option<String>,
    version_branches: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    version_tags: Vec<Spanned<String>>,
    web_url: Option<Spanned<String>>,
    #[serde(default)]
    legacy_urls: Vec<Spanned<String>>,
}

struct Validator<'a> {
    text: &'a str,
    problems: Vec<ConfigProblem>,
}

impl Validator<'_> {
    fn problem(&mut self, span: Range<usize>, message: String) {
        let (line, column) = line_and_column(self.text, span.start);
        self.problems.push(ConfigProblem {
            line,
            column,
            message,
        });
    }

    fn validate(&mut self, raw: RawConfig, root: &Path) -> SiteConfig {
        let base_url = match &raw.site.base_url {
            None => BaseUrl::parse("/").expect("\"/\" is a valid base path"),
            Some(spanned) => match BaseUrl::parse(spanned.get_ref()) {
                Ok(url) => url,
                Err(message) => {
                    self.problem(spanned.span(), format!("site.base_url: {message}"));
                    BaseUrl::parse("/").expect("\"/\" is a valid base path")
                }
            },
        };
        let theme = match raw.site.theme {
            None => DEFAULT_THEME.to_string(),
            Some(theme) => {
                let name = theme.get_ref();
                if !is_safe_segment(name) {
                    self.problem(
                        theme.span(),
                        format!("site.theme {name:?} must be a folder name under themes/ (letters, digits, '.', '-', '_')"),
                    );
                }
                theme.into_inner()
            }
        };
        let default_branches = match raw.build.version_branches {
            Some(patterns) => self.patterns("build.version_branches", patterns),
            None => vec![
                VersionPattern::parse(DEFAULT_VERSION_BRANCHES).expect("default pattern is valid"),
            ],
        };
        let limits = RepositoryLimits {
            page: self.size(
                "build.max_page_size",
                raw.build.max_page_size,
                DEFAULT_MAX_PAGE_SIZE,
            ),
            asset: self.size(
                "build.max_asset_size",
                raw.build.max_asset_size,
                DEFAULT_MAX_ASSET_SIZE,
            ),
            versions: match raw.build.max_versions {
                None => DEFAULT_MAX_VERSIONS,
                Some(count) => match usize::try_from(*count.get_ref()) {
                    Ok(count) => count,
                    Err(_) => {
                        self.problem(
                            count.span(),
                            format!(
                                "build.max_versions: {} is not a number of versions; give 0 or more",
                                count.get_ref()
                            ),
                        );
                        DEFAULT_MAX_VERSIONS
                    }
                },
            },
        };
        let build = BuildSettings {
            limits,
            output_dir: root.join(
                raw.build
                    .output_dir
                    .as_deref()
                    .unwrap_or(DEFAULT_OUTPUT_DIR),
            ),
            cache_dir: root.join(raw.build.cache_dir.as_deref().unwrap_or(DEFAULT_CACHE_DIR)),
            version_branches: default_branches.clone(),
            token_env: raw.build.token_env.map(|name| {
                let valid = !name.get_ref().is_empty()
                    && name.get_ref().chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    self.problem(
                        name.span(),
                        format!("build.token_env {:?} must be the name of an environment variable (letters, digits, '_'), not a token", name.get_ref()),
                    );
                }
                name.into_inner()
            }),
            token_hosts: match raw.build.token_hosts {
                None => vec![DEFAULT_TOKEN_HOST.to_string()],
                Some(hosts) => hosts
                    .into_iter()
                    .map(|host| {
                        // Stored as the URL parser writes hosts (lowercase, punycode,
                        // bracketed IPv6), which is what it is compared with.
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
                    })
                    .collect(),
            },
        };

        let mut integrations: Vec<IntegrationConfig> = Vec::new();
        let mut first_seen: Vec<(String, u32)> = Vec::new();
        for raw in raw.integrations {
            let id_span = raw.id.span();
            let id = raw.id.into_inner();
            if !is_valid_id(&id) {
                self.problem(
                    id_span.clone(),
                    format!("integrations.id {id:?} is not a valid URL segment: use lowercase letters, digits, '.' and '-', starting with a letter or digit"),
                );
            }
            if let Some((_, line)) = first_seen.iter().find(|(seen, _)| *seen == id) {
                let line = *line;
                self.problem(
                    id_span.clone(),
                    format!("integrations.id {id:?} is used twice (first at line {line}); every integration needs its own id"),
                );
            } else {
                first_seen.push((id.clone(), line_and_column(self.text, id_span.start).0));
            }
            let mut deployments = Vec::new();
            if let Some(listed) = raw.deployments {
                let span = listed.span();
                deployments = listed.into_inner();
                let before = deployments.len();
                deployments.sort();
                deployments.dedup();
                if deployments.len() != before {
                    self.problem(
                        span,
                        format!("integrations.deployments of {id:?} lists a value twice"),
                    );
                }
            }
            let version_branches = match raw.version_branches {
                Some(patterns) => self.patterns("integrations.version_branches", patterns),
                None => default_branches.clone(),
            };
            let version_tags = self.patterns("integrations.version_tags", raw.version_tags);
            let repo = self.repo_location(raw.repo, root);
            let docs_dir = raw.docs_dir.and_then(|dir| {
                match normalize_docs_dir(dir.get_ref()) {
                    Some(normalized) => Some(normalized),
                    None => {
                        self.problem(
                            dir.span(),
                            format!("integrations.docs_dir {:?} must be a folder inside the repository, such as \"docs\"", dir.get_ref()),
                        );
                        None
                    }
                }
            });
            let web_url = match raw.web_url {
                Some(url) => {
                    if !(url.get_ref().starts_with("https://")
                        || url.get_ref().starts_with("http://"))
                    {
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
                None => match &repo {
                    RepoLocation::Remote(url) => web_url_of(url),
                    RepoLocation::Local(_) => None,
                },
            };
            let mut legacy_urls = Vec::new();
            for url in raw.legacy_urls {
                if url.get_ref().starts_with("https://") || url.get_ref().starts_with("http://") {
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
            integrations.push(IntegrationConfig {
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
            });
        }

        SiteConfig {
            root: root.to_path_buf(),
            site: SiteSettings {
                title: raw.site.title,
                base_url,
                description: raw.site.description,
                theme,
                allow_embeds: raw.site.allow_embeds,
            },
            build,
            search: SearchSettings {
                enabled: raw.search.enabled,
            },
            integrations,
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
}

/// Schemes libgit2 fetches from.
const REMOTE_SCHEMES: [&str; 6] = ["https", "http", "ssh", "git", "file", "git+ssh"];

/// A repository URL fit for `site.toml`: a scheme Portico fetches, and nothing secret in
/// it. Tokens belong in the environment; a user name is only meaningful for SSH (`git@`),
/// and in an https URL it is usually a token in disguise (`https://ghp_…@github.com`).
fn check_remote_url(text: &str) -> Result<(), String> {
    const WHERE_TOKENS_GO: &str =
        "remove it, put the token in an environment variable and name it with build.token_env";
    if !text.contains("://") {
        // scp-like `git@host:owner/repo.git`: SSH, with a user name but never a password.
        return match text.split_once('@') {
            Some((user, _)) if looks_like_token(user) => Err(format!(
                "{} starts with what looks like a token rather than an SSH user name (`git@`): {WHERE_TOKENS_GO}",
                redact_url(text)
            )),
            _ => Ok(()),
        };
    }
    let url = url::Url::parse(text)
        .map_err(|err| format!("{} is not a valid URL ({err})", redact_url(text)))?;
    if url.scheme() != "file" && url.path().contains('@') {
        // `https://user:123/abc@host/…` parses as host `user`, port 123: a password with
        // a `/` in it. No repository path needs an `@`.
        return Err(format!(
            "{} has an `@` after the host, which reads as credentials: {WHERE_TOKENS_GO}",
            redact_url(text)
        ));
    }
    if !REMOTE_SCHEMES.contains(&url.scheme()) {
        return Err(format!(
            "{}: Portico fetches {} URLs only",
            redact_url(text),
            REMOTE_SCHEMES.join(", ")
        ));
    }
    if url.password().is_some() {
        return Err(format!(
            "{} contains credentials: {WHERE_TOKENS_GO}",
            redact_url(text)
        ));
    }
    if !url.username().is_empty() && !url.scheme().contains("ssh") {
        return Err(format!(
            "{} contains a user name, which would be sent as credentials: {WHERE_TOKENS_GO}",
            redact_url(text)
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{} has a query or fragment, which a repository URL never needs (tokens in it would be published): {WHERE_TOKENS_GO}",
            redact_url(text)
        ));
    }
    Ok(())
}

/// A URL as it may be shown in output, errors and reports: without a password, without the
/// user name of non-SSH URLs (often a token), and without query or fragment.
pub fn redact_url(text: &str) -> String {
    let without_query = text.split(['?', '#']).next().unwrap_or_default();
    if text.starts_with("file://") {
        // A local path: nothing secret, and shown as written (not percent-encoded).
        return without_query.to_string();
    }
    if text.contains("://") {
        let parsed = url::Url::parse(text)
            .ok()
            .filter(|url| !url.path().contains('@'));
        if let Some(mut url) = parsed {
            let _ = url.set_password(None);
            if !url.scheme().contains("ssh") && !url.username().is_empty() {
                let _ = url.set_username("***");
            }
            url.set_query(None);
            url.set_fragment(None);
            return url.to_string();
        }
        // Unparsable, or an `@` after the host: where user information ends is unclear, so
        // hide everything up to the last `@` (a password may itself contain `/`).
        let (scheme, rest) = without_query
            .split_once("://")
            .unwrap_or(("", without_query));
        return match rest.rfind('@') {
            Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
            None => without_query.to_string(),
        };
    }
    // scp-like `user@host:path`: the user is `git` and shown, unless it looks like a token.
    match without_query.split_once('@') {
        Some((user, host_and_path)) if looks_like_token(user) => format!("***@{host_and_path}"),
        _ => without_query.to_string(),
    }
}

/// A user name that is probably a token (GitHub's and GitLab's prefixes, or long).
fn looks_like_token(user: &str) -> bool {
    const PREFIXES: [&str; 7] = [
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
    ];
    PREFIXES.iter().any(|prefix| user.starts_with(prefix)) || user.len() >= 30
}

/// `https://…`, `ssh://…`, `file://…` and scp-like `git@host:owner/repo.git`.
pub fn is_url(text: &str) -> bool {
    if text.contains("://") {
        return true;
    }
    // scp-like syntax: user@host:path, with no slash before the colon.
    match (text.find('@'), text.find(':'), text.find('/')) {
        (Some(at), Some(colon), slash) => at < colon && slash.is_none_or(|s| colon < s),
        _ => false,
    }
}

/// The browsable address of a repository URL: `https://github.com/o/r.git` → `https://github.com/o/r`.
fn web_url_of(text: &str) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    // Credentials never belong in a published link.
    if url.scheme() != "https"
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return None;
    }
    let trimmed = text.trim_end_matches('/');
    Some(trimmed.strip_suffix(".git").unwrap_or(trimmed).to_string())
}

/// Ids are URL segments: lowercase ASCII letters, digits, '.' and '-'.
fn is_valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !id.contains("..")
}

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
    fn urls_are_told_apart_from_local_paths() {
        assert!(is_url(
            "https://github.com/mattermost/mattermost-plugin-jira"
        ));
        assert!(is_url(
            "git@github.com:mattermost/mattermost-plugin-jira.git"
        ));
        assert!(is_url("file:///srv/git/jira.git"));
        assert!(!is_url("repos/jira"));
        assert!(!is_url("../jira@2/repo"));
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
    fn urls_are_shown_without_secrets() {
        for (url, shown) in [
            (
                "https://bot:ghp_secret@github.com/o/r.git",
                "https://***@github.com/o/r.git",
            ),
            (
                "https://ghp_secret@github.com/o/r.git",
                "https://***@github.com/o/r.git",
            ),
            (
                "https://github.com/o/r.git?access_token=ghp_secret#x",
                "https://github.com/o/r.git",
            ),
            (
                "https://user:pass@github.com?x=ghp_secret",
                "https://***@github.com/",
            ),
            ("https://github.com/o/r.git", "https://github.com/o/r.git"),
            (
                "ssh://git:ghp_secret@github.com/o/r.git",
                "ssh://git@github.com/o/r.git",
            ),
            ("git@github.com:o/r.git", "git@github.com:o/r.git"),
            ("https://us er:ghp_secret@[bad/o/r", "https://***@[bad/o/r"),
            (
                "https://user:123/ghp_secret@github.com/o/r.git",
                "https://***@github.com/o/r.git",
            ),
            ("ghp_secret@github.com:o/r.git", "***@github.com:o/r.git"),
            ("file:///srv/my repo.git", "file:///srv/my repo.git"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
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
        assert_eq!(web_url_of("ssh://git@github.com/o/r.git"), None);
        assert_eq!(web_url_of("https://x@github.com/o/r.git"), None);
    }

    #[test]
    fn base_url_accepts_paths_and_rejects_nonsense() {
        assert_eq!(BaseUrl::parse("/").unwrap().full, "/");
        assert_eq!(
            BaseUrl::parse("https://x.org").unwrap().full,
            "https://x.org/"
        );
        assert!(BaseUrl::parse("integrations.example.com").is_err());
        assert_eq!(
            BaseUrl::parse("https://x.org/a/").unwrap().join("/b.html"),
            "https://x.org/a/b.html"
        );
    }

    #[test]
    fn docs_dir_may_not_leave_the_repository() {
        assert_eq!(normalize_docs_dir("./docs/").as_deref(), Some("docs"));
        assert_eq!(normalize_docs_dir("../secrets"), None);
        assert_eq!(normalize_docs_dir("/etc"), None);
    }

    #[test]
    fn size_limits_read_bytes_and_units_and_default_to_ten_and_a_hundred_megabytes() {
        assert_eq!(parse_size("5 MB"), Ok(5_000_000));
        assert_eq!(parse_size("500KB"), Ok(500_000));
        assert_eq!(parse_size("1.5 gb"), Ok(1_500_000_000));
        assert_eq!(parse_size("2 MiB"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_size("1024"), Ok(1024));
        for bad in ["", "MB", "5 parsecs", "0", "1.2.3 MB", "99999999999999 GB"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
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

    #[test]
    fn sizes_are_described_in_decimal_units() {
        assert_eq!(describe_size(312), "312 bytes");
        assert_eq!(describe_size(2_000), "2 KB");
        assert_eq!(describe_size(1_250_000), "1.3 MB");
        assert_eq!(describe_size(150_000_000), "150 MB");
    }
}
