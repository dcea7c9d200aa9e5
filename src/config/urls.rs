//! URL policy: the portal's public address ([`BaseUrl`]) and repository URLs (which
//! schemes Portico fetches, that no secret is written in `site.toml`, how URLs are shown
//! redacted, and which browsable address a repository has).
//!
//! Parsing and normalizing are left to the `url` crate; this module decides what is
//! allowed and what may be shown. Pure: no I/O.

use url::Url;

/// The public address of the portal; its path (`/docs/`) prefixes every URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Always ends with `/`: `https://integrations.example.com/docs/`.
    pub full: String,
    /// The path part, starting and ending with `/`: `/docs/`.
    pub path: String,
}

impl BaseUrl {
    /// Accepts `https://host/`, `https://host/prefix` and a bare path such as `/docs/`. An
    /// absolute URL is normalized as the URL standard says (lowercase host, punycode, no
    /// default port, percent-encoded path).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.contains(['?', '#']) || text.contains(char::is_whitespace) {
            return Err(format!(
                "base_url {text:?} must not contain a query, a fragment or spaces"
            ));
        }
        if text.starts_with('/') {
            return Ok(BaseUrl::with_path("", text));
        }
        let not_http = || {
            format!(
                "base_url {text:?} must be an http(s) URL such as \"https://integrations.example.com/\" or a path such as \"/docs/\""
            )
        };
        let (scheme, after_scheme) = text.split_once("://").ok_or_else(not_http)?;
        if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
            return Err(not_http());
        }
        // The URL standard reads `https:///docs` as host `docs`; a base URL means what it says.
        if after_scheme.is_empty() || after_scheme.starts_with('/') {
            return Err(format!("base_url {text:?} has no host"));
        }
        let url = Url::parse(text).map_err(|err| format!("base_url {text:?}: {err}"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "base_url {:?} must not contain a user name or password (it is published in every canonical link)",
                redact_url(text)
            ));
        }
        Ok(BaseUrl::with_path(
            &url.origin().ascii_serialization(),
            url.path(),
        ))
    }

    /// `/`: the root of whatever host serves the portal.
    pub(crate) fn root() -> Self {
        BaseUrl::with_path("", "/")
    }

    /// `origin` (`https://host`, or `""`) and a path, which gains its leading and
    /// trailing `/`.
    fn with_path(origin: &str, path: &str) -> Self {
        let mut path = path.to_string();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        BaseUrl {
            full: format!("{origin}{path}"),
            path,
        }
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

/// `https://…` or `http://…`: what `web_url` and `legacy_urls` must be.
pub(super) fn is_http_url(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

/// Whether `text` is an absolute http(s) URL with a host and no user name or password, as
/// an address published to readers must be (`docs_url`); else why not.
pub(super) fn absolute_http_url(text: &str) -> Result<(), &'static str> {
    let url = Url::parse(text).map_err(|_| "is not an absolute URL")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("is not an http(s) URL");
    }
    // The URL standard reads `https:///docs` as host `docs`; an address means what it says.
    let host_written = text
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    if !host_written || url.host_str().is_none() || text.contains(char::is_whitespace) {
        return Err("has no host or contains spaces");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password (it is published)");
    }
    Ok(())
}

/// Schemes libgit2 fetches from.
const REMOTE_SCHEMES: [&str; 6] = ["https", "http", "ssh", "git", "file", "git+ssh"];

/// A repository URL fit for `site.toml`: a scheme Portico fetches, and nothing secret in
/// it. Tokens belong in the environment; a user name is only meaningful for SSH (`git@`),
/// and in an https URL it is usually a token in disguise (`https://ghp_…@github.com`).
pub(super) fn check_remote_url(text: &str) -> Result<(), String> {
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
    let url = Url::parse(text)
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
        let parsed = Url::parse(text)
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
pub(super) fn web_url_of(text: &str) -> Option<String> {
    let url = Url::parse(text).ok()?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn only_plain_https_repositories_have_a_web_address() {
        assert_eq!(
            web_url_of("https://github.com/o/r.git").as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(web_url_of("ssh://git@github.com/o/r.git"), None);
        assert_eq!(web_url_of("https://x@github.com/o/r.git"), None);
    }

    #[test]
    fn a_published_address_must_be_absolute_http_without_credentials() {
        assert_eq!(absolute_http_url("https://docs.mattermost.com/a#b"), Ok(()));
        assert_eq!(absolute_http_url("http://x.org"), Ok(()));
        assert!(absolute_http_url("/integrate/jira").is_err());
        assert!(absolute_http_url("docs.mattermost.com").is_err());
        assert!(absolute_http_url("ftp://x.org/").is_err());
        assert!(absolute_http_url("javascript:alert(1)").is_err());
        assert!(absolute_http_url("https://user:pw@x.org/").is_err());
        assert!(absolute_http_url("https:///path").is_err());
    }

    #[test]
    fn base_url_accepts_paths_and_rejects_nonsense() {
        assert_eq!(BaseUrl::parse("/").unwrap().full, "/");
        assert_eq!(BaseUrl::parse("/").unwrap(), BaseUrl::root());
        assert!(BaseUrl::parse("docs/").is_err());
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
    fn base_url_is_normalized_by_the_url_standard() {
        let url = BaseUrl::parse("HTTPS://Docs.Example.COM:443/Portal").unwrap();
        assert_eq!(url.full, "https://docs.example.com/Portal/");
        assert_eq!(url.path, "/Portal/");
        assert_eq!(
            BaseUrl::parse("http://localhost:8080").unwrap().full,
            "http://localhost:8080/"
        );
    }

    #[test]
    fn base_url_problems_say_what_is_wrong() {
        for (text, why) in [
            ("https://", "has no host"),
            ("https:///docs", "has no host"),
            ("ftp://x.org/", "must be an http(s) URL"),
            ("x.org/docs", "must be an http(s) URL"),
            ("https://x.org/?page=1", "query"),
            ("/docs/#top", "fragment"),
            ("https://x.org/my docs/", "spaces"),
            ("https://bot:secret@x.org/", "user name or password"),
            ("https://exa mple.org/", "spaces"),
            ("https://[::1/", "invalid"),
        ] {
            let message = BaseUrl::parse(text).unwrap_err();
            assert!(message.contains(why), "{text}: {message}");
            assert!(!message.contains("secret"), "{message}");
        }
    }
}
