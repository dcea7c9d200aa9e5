//! Credentials for fetching: which may be offered, to whom, and what to do when none works.
//!
//! Sources, each offered once per connection: the SSH agent, then the user's unprotected
//! key files, then the token in the environment variable `[build] token_env` names (over
//! https only, and only to `[build] token_hosts`), then git's credential helper. The token
//! never appears in a message.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use git2::{Cred, CredentialType, ErrorClass, ErrorCode, RemoteCallbacks};

use crate::config::SiteConfig;

/// Where credentials may come from, and which of them may go where.
pub(super) struct CredentialSources {
    /// `[build] token_env`, and the token in it if it is set.
    token_env: Option<String>,
    token: Option<String>,
    token_hosts: Vec<String>,
}

impl CredentialSources {
    pub(super) fn from_config(config: &SiteConfig) -> Self {
        let token_env = config.build.token_env.clone();
        let token = token_env
            .as_deref()
            .and_then(|name| std::env::var(name).ok())
            .filter(|token| !token.trim().is_empty());
        CredentialSources {
            token_env,
            token,
            token_hosts: config.build.token_hosts.clone(),
        }
    }

    /// The token, if it may be sent to `url`: over https, to a host in `token_hosts`.
    fn token_for(&self, url: &str) -> Option<&str> {
        let url = url::Url::parse(url).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        (url.scheme() == "https" && self.token_hosts.contains(&host))
            .then_some(self.token.as_deref())
            .flatten()
    }

    /// Callbacks that offer each source of credentials once, then fail with what to do
    /// (libgit2 asks again after each refusal, and would otherwise resend refused ones).
    pub(super) fn callbacks(&self) -> RemoteCallbacks<'_> {
        let mut tried = Tried::default();
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(move |url, username, allowed| {
            let user = username.unwrap_or("git");
            if allowed.contains(CredentialType::USERNAME) {
                return Cred::username(user);
            }
            if allowed.contains(CredentialType::SSH_KEY) {
                if !tried.agent {
                    tried.agent = true;
                    if std::env::var_os("SSH_AUTH_SOCK").is_some() {
                        return Cred::ssh_key_from_agent(user);
                    }
                }
                while let Some(key) = ssh_key_files().into_iter().nth(tried.key_files) {
                    tried.key_files += 1;
                    let public = key.with_extension("pub");
                    let public = public.is_file().then_some(public.as_path());
                    if let Ok(cred) = Cred::ssh_key(user, public, &key, None) {
                        return Ok(cred);
                    }
                }
            }
            if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                if !tried.token
                    && let Some(token) = self.token_for(url)
                {
                    tried.token = true;
                    return Cred::userpass_plaintext("x-access-token", token);
                }
                if !tried.helper {
                    tried.helper = true;
                    if let Ok(config) = git2::Config::open_default()
                        && let Ok(cred) = Cred::credential_helper(&config, url, username)
                    {
                        return Ok(cred);
                    }
                }
            }
            Err(git2::Error::new(
                ErrorCode::Auth,
                ErrorClass::Callback,
                self.advice(url, allowed, &tried),
            ))
        });
        callbacks
    }

    /// What to do when no credentials were accepted.
    fn advice(&self, url: &str, allowed: CredentialType, tried: &Tried) -> String {
        if allowed.contains(CredentialType::SSH_KEY) {
            return "the server accepted no SSH key (from ssh-agent or ~/.ssh/id_*): load a key with read access into ssh-agent (`ssh-add`)".to_string();
        }
        let helper = "or configure a git credential helper";
        match (&self.token_env, &self.token) {
            (None, _) => format!(
                "the server asks for credentials: put a token with read access in an environment variable and name it with build.token_env, {helper}"
            ),
            (Some(name), None) => format!(
                "the server asks for credentials and ${name} (build.token_env) is not set: export a token with read access in it, {helper}"
            ),
            (Some(name), Some(_)) if tried.token => format!(
                "the server refused the token in ${name}: check that it has read access to this repository"
            ),
            (Some(name), Some(_)) if !url.starts_with("https://") => format!(
                "the server asks for credentials, and ${name} is only ever sent over https: use the repository's https:// URL, {helper}"
            ),
            (Some(name), Some(_)) => format!(
                "the server asks for credentials, and ${name} is only sent over https to {} (build.token_hosts): add {} there if the token is meant for it, {helper}",
                self.token_hosts.join(", "),
                url::Url::parse(url)
                    .ok()
                    .and_then(|url| url.host_str().map(str::to_string))
                    .unwrap_or_else(|| "this host".to_string())
            ),
        }
    }
}

/// Which credentials one connection has offered so far.
#[derive(Default)]
struct Tried {
    agent: bool,
    key_files: usize,
    token: bool,
    helper: bool,
}

/// The user's default SSH keys that need no passphrase, as `ssh` would try them. A
/// passphrase-protected key belongs in ssh-agent (tried first): offered from its file,
/// libssh2 would fail on it without asking for the next key.
fn ssh_key_files() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME") else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .into_iter()
        .map(|name| Path::new(&home).join(".ssh").join(name))
        .filter(|path| std::fs::read(path).is_ok_and(|key| !is_encrypted_key(&key)))
        .collect()
}

/// Whether a private key file is protected by a passphrase: PEM keys say so in a header;
/// OpenSSH keys name their cipher (`none` when unprotected) right after the magic. A key
/// whose header does not decode counts as protected (left to the agent).
fn is_encrypted_key(file: &[u8]) -> bool {
    let text = String::from_utf8_lossy(file);
    if !text.contains("BEGIN OPENSSH PRIVATE KEY") {
        return text.contains("ENCRYPTED");
    }
    let body: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    // "openssh-key-v1" and a NUL (15 bytes), a 4-byte length, then the cipher name: the
    // first 64 characters (48 bytes) hold it; whole groups of four decode on their own.
    let header_length = body.len().min(64) / 4 * 4;
    let header = body
        .get(..header_length)
        .and_then(|header| STANDARD_NO_PAD.decode(header).ok())
        .unwrap_or_default();
    header.get(19..23) != Some(b"none".as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_protected_keys_are_left_to_the_agent() {
        let open = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
        let locked = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABD\n-----END OPENSSH PRIVATE KEY-----\n";
        let pem_locked = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let pem_open =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
        assert!(!is_encrypted_key(open.as_bytes()));
        assert!(is_encrypted_key(locked.as_bytes()));
        assert!(is_encrypted_key(pem_locked.as_bytes()));
        assert!(!is_encrypted_key(pem_open.as_bytes()));
    }

    #[test]
    fn the_token_goes_to_the_configured_hosts_over_https_only() {
        let sources = CredentialSources {
            token_env: Some("TOKEN".to_string()),
            token: Some("secret".to_string()),
            token_hosts: vec!["github.com".to_string()],
        };
        assert_eq!(
            sources.token_for("https://github.com/o/r.git"),
            Some("secret")
        );
        assert_eq!(
            sources.token_for("https://GitHub.com/o/r.git"),
            Some("secret")
        );
        assert_eq!(sources.token_for("http://github.com/o/r.git"), None);
        assert_eq!(
            sources.token_for("https://github.com.evil.org/o/r.git"),
            None
        );
        assert_eq!(sources.token_for("https://gitlab.com/o/r.git"), None);
        let advice = sources.advice(
            "https://gitlab.com/o/r.git",
            CredentialType::USER_PASS_PLAINTEXT,
            &Tried::default(),
        );
        assert!(
            advice.contains("token_hosts") && advice.contains("gitlab.com"),
            "{advice}"
        );
        assert!(!advice.contains("secret"));
    }
}
