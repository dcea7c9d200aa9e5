//! What a failed fetch means, and trying again when the network may recover.
//!
//! Network failures (connection refused or reset, timeouts, HTTP 5xx, 429) are retried
//! with backoff; failures that would fail again (not found, refused credentials, a damaged
//! mirror) are not. The waits and how to wait are a [`RetryPolicy`] value, so that tests
//! can retry without waiting. Messages never show a URL's secrets.

use std::time::Duration;

use git2::{ErrorClass, ErrorCode};

use crate::config::redact_url;

/// The waits between the attempts of a fetch when the network fails (so three attempts).
const BACKOFF: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(4)];

/// How an operation that failed for a reason that may pass is tried again.
#[derive(Clone, Copy)]
pub(super) struct RetryPolicy<'a> {
    /// The wait before each attempt after the first: one attempt more than waits.
    waits: &'a [Duration],
    /// How to wait (tests record instead of sleeping).
    wait: &'a (dyn Fn(Duration) + Sync),
}

impl RetryPolicy<'_> {
    /// The fetches' policy: [`BACKOFF`], each wait stretched by up to a quarter, so that
    /// parallel fetches that failed together do not retry in lockstep.
    pub(super) const NETWORK: RetryPolicy<'static> = RetryPolicy {
        waits: &BACKOFF,
        wait: &sleep_with_jitter,
    };

    /// How many times an operation is tried at most.
    pub(super) fn attempts(&self) -> usize {
        self.waits.len() + 1
    }

    /// Runs `attempt` until it succeeds, fails for a reason retrying cannot fix, or has
    /// been tried [`Self::attempts`] times.
    pub(super) fn run<T>(
        &self,
        url: &str,
        mut attempt: impl FnMut() -> Result<T, git2::Error>,
    ) -> Result<T, Failure> {
        let mut waits = self.waits.iter();
        loop {
            match attempt() {
                Ok(value) => return Ok(value),
                Err(err) => match (Failure::of(&err, url), waits.next()) {
                    (Failure::Network(_), Some(wait)) => (self.wait)(*wait),
                    (failure, _) => return Err(failure),
                },
            }
        }
    }
}

/// Sleeps `wait` stretched by up to a quarter, from the clock's low bits (no randomness
/// needed beyond parallel fetches not waking together).
fn sleep_with_jitter(wait: Duration) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |now| now.subsec_nanos());
    std::thread::sleep(wait + wait.mul_f64(f64::from(nanos % 1000) / 4000.0));
}

/// Why a fetch failed, which decides what happens next.
pub(super) enum Failure {
    /// The network, after every attempt: the mirror is kept for `--offline`.
    Network(String),
    /// The mirror's objects or refs do not read: it is discarded and fetched again.
    Damaged(String),
    /// Trying again would not help (not found, credentials refused, no such branch).
    Refused(String),
}

impl Failure {
    pub(super) fn of(err: &git2::Error, url: &str) -> Failure {
        let mut message = clean(err, url);
        if err.code() == ErrorCode::Certificate {
            message.push_str(
                "; if you trust this server, add its SSH host key to ~/.ssh/known_hosts (`ssh-keyscan HOST >> ~/.ssh/known_hosts`) or its TLS certificate authority to the system's certificates",
            );
        }
        let lowercase = message.to_ascii_lowercase();
        if says_not_there(&lowercase) {
            message.push_str("; check the URL (and, for a private repository, that credentials are available: build.token_env)");
        }
        if err.class() == ErrorClass::Ssh && lowercase.contains("key") {
            message
                .push_str("; load the key into ssh-agent (`ssh-add`), which Portico tries first");
        }
        if matches!(
            err.class(),
            ErrorClass::Odb | ErrorClass::Zlib | ErrorClass::Indexer | ErrorClass::Object
        ) || err.code() == ErrorCode::Locked
        {
            Failure::Damaged(message)
        } else if is_transient(err, url) {
            Failure::Network(message)
        } else {
            Failure::Refused(message)
        }
    }

    /// A failure of the mirror on disk rather than of the remote (never retried).
    pub(super) fn local(err: &git2::Error, url: &str) -> Failure {
        Failure::Damaged(format!("the mirror on disk: {}", clean(err, url)))
    }
}

/// Whether trying again later may succeed: connection failures, resets, timeouts and server
/// errors, yes; a path that does not exist, a repository the server does not have, refused
/// credentials or any other 4xx answer, no.
fn is_transient(err: &git2::Error, url: &str) -> bool {
    if url.starts_with("file://") {
        return false;
    }
    match err.code() {
        ErrorCode::Timeout => return true,
        ErrorCode::Auth | ErrorCode::Certificate | ErrorCode::NotFound => return false,
        _ => {}
    }
    let message = err.message().to_ascii_lowercase();
    // Talking with a server is Net, Ssl and Http. Os errors are sockets (connecting, a
    // reset) or the local disk (full, read-only), which waiting does not fix; Ssh ones
    // are keys and host keys, same.
    let socket = [
        "connect",
        "connection",
        "reset",
        "broken pipe",
        "timed out",
        "unreachable",
    ];
    let talking = match err.class() {
        ErrorClass::Net | ErrorClass::Ssl | ErrorClass::Http => true,
        ErrorClass::Os => socket.iter().any(|sign| message.contains(sign)),
        _ => false,
    };
    if !talking {
        return false;
    }
    let retry_later = ["status code: 429", "status code: 408"];
    let refused = ["status code: 4", "access denied"];
    retry_later.iter().any(|m| message.contains(m))
        || !(says_not_there(&message) || refused.iter().any(|m| message.contains(m)))
}

/// Whether a (lowercased) libgit2 message says the repository is not where the URL points.
fn says_not_there(message: &str) -> bool {
    const SIGNS: [&str; 6] = [
        "status code: 404",
        "not found",
        "not exported",
        "does not appear to be a git repository",
        "could not find repository",
        "failed to resolve path",
    ];
    SIGNS.iter().any(|sign| message.contains(sign))
}

/// A libgit2 message without the URL's secrets.
fn clean(err: &git2::Error, url: &str) -> String {
    err.message().replace(url, &redact_url(url))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn only_failures_that_may_pass_later_are_retried() {
        let net =
            |message: &str| git2::Error::new(ErrorCode::GenericError, ErrorClass::Net, message);
        let url = "https://github.com/o/r.git";
        assert!(is_transient(
            &net("failed to connect to github.com: Connection refused"),
            url
        ));
        assert!(is_transient(&net("unexpected http status code: 502"), url));
        assert!(is_transient(&net("unexpected http status code: 429"), url));
        assert!(!is_transient(&net("unexpected http status code: 404"), url));
        assert!(!is_transient(&net("repository not exported"), url));
        assert!(!is_transient(&net("anything"), "file:///srv/r.git"));
        let os = |message: &str| git2::Error::new(ErrorCode::GenericError, ErrorClass::Os, message);
        assert!(is_transient(
            &os("failed to connect to 127.0.0.1: Connection refused"),
            url
        ));
        assert!(!is_transient(
            &os("cannot extend packfile: No space left on device"),
            url
        ));
        assert!(!is_transient(
            &os("failed to lock file 'refs/heads/main.lock'"),
            url
        ));
        let auth = git2::Error::new(ErrorCode::Auth, ErrorClass::Callback, "refused");
        assert!(!is_transient(&auth, url));
        let timeout = git2::Error::new(ErrorCode::Timeout, ErrorClass::Net, "timed out");
        assert!(is_transient(&timeout, url));
    }

    fn policy_test(failures: &[git2::Error]) -> (Result<usize, Failure>, Vec<Duration>) {
        let waited = Mutex::new(Vec::new());
        let record = |wait: Duration| waited.lock().unwrap().push(wait);
        let waits = [Duration::from_secs(1), Duration::from_secs(4)];
        let policy = RetryPolicy {
            waits: &waits,
            wait: &record,
        };
        let mut tried = 0;
        let result = policy.run("https://github.com/o/r.git", || {
            tried += 1;
            match failures.get(tried - 1) {
                Some(err) => Err(git2::Error::new(err.code(), err.class(), err.message())),
                None => Ok(tried),
            }
        });
        (result, waited.into_inner().unwrap())
    }

    #[test]
    fn network_failures_are_retried_after_each_wait_of_the_policy() {
        let refused = || {
            git2::Error::new(
                ErrorCode::GenericError,
                ErrorClass::Net,
                "failed to connect to github.com: Connection refused",
            )
        };
        let (result, waited) = policy_test(&[refused()]);
        assert!(matches!(result, Ok(2)));
        assert_eq!(waited, [Duration::from_secs(1)]);
        let (result, waited) = policy_test(&[refused(), refused(), refused()]);
        assert!(matches!(result, Err(Failure::Network(_))));
        assert_eq!(waited, [Duration::from_secs(1), Duration::from_secs(4)]);
        assert_eq!(RetryPolicy::NETWORK.attempts(), 3);
    }

    #[test]
    fn failures_that_would_fail_again_are_not_retried() {
        let not_found = git2::Error::new(
            ErrorCode::GenericError,
            ErrorClass::Net,
            "unexpected http status code: 404",
        );
        let (result, waited) = policy_test(&[not_found]);
        assert!(matches!(result, Err(Failure::Refused(_))));
        assert!(waited.is_empty());
    }
}
