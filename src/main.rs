//! The `portico` command line: parse arguments, call the library, print the diagnostics and
//! the error chain once, and map the outcome to an exit code (0 success, 1 failure, 2 usage).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use portico::report::Annotations;
use portico::{BuildFailure, BuildOptions, BuildReport, RemoteOptions, Site};
use portico::{Severity, printable};

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "Build a versioned documentation portal from integrations' git repositories"
)]
struct Cli {
    /// The folder holding site.toml.
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    root: PathBuf,

    #[command(subcommand)]
    command: Command,
}

/// How remote repositories are read (build, check, list, serve).
#[derive(Args, Clone, Default)]
struct Remote {
    /// Where mirrors of remote repositories are kept (overrides [build] cache_dir).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Build from the cached mirrors only; never touch the network.
    #[arg(long)]
    offline: bool,
    /// How many repositories to fetch at once [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    fetch_jobs: Option<u16>,
    /// Give up on a server that does not answer for this many seconds (then retry).
    #[arg(long, value_name = "SECONDS", default_value_t = portico::DEFAULT_NETWORK_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    fetch_timeout: u64,
}

impl Remote {
    fn options(&self) -> RemoteOptions {
        RemoteOptions {
            cache_dir: self.cache_dir.clone(),
            offline: self.offline,
            fetch_jobs: self.fetch_jobs.map(usize::from),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the whole site (atomically replacing the output folder).
    Build {
        /// Output folder (default: [build] output_dir, else "public").
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Fail on any warning (broken links, missing images, ...).
        #[arg(long)]
        strict: bool,
        /// Build the other integrations when one cannot be read (the build still fails).
        #[arg(long)]
        keep_going: bool,
        /// Public address of the site (overrides [site] base_url).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Print errors only (workflow annotations are still written in GitHub Actions).
        #[arg(long, short)]
        quiet: bool,
        /// Write a JSON build report (integrations, versions, commits, warnings, timings).
        #[arg(long, value_name = "FILE.json")]
        report: Option<PathBuf>,
        #[command(flatten)]
        remote: Remote,
    },
    /// Validate everything build validates, writing nothing.
    Check {
        /// Check one plugin repository's docs, as its working tree holds them (for the
        /// plugin's own CI); no portal needed.
        #[arg(long, value_name = "PATH", conflicts_with = "out")]
        repo: Option<PathBuf>,
        /// The output folder build would write to (paths too long for it are found).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Fail on any warning.
        #[arg(long)]
        strict: bool,
        /// Print errors only (workflow annotations are still written in GitHub Actions).
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        remote: Remote,
    },
    /// Build, serve over HTTP with live reload, and rebuild what changes.
    Serve {
        /// Port to listen on.
        #[arg(long, default_value_t = portico::serve::DEFAULT_PORT)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = portico::serve::DEFAULT_BIND)]
        bind: String,
        /// Open the portal in the default browser.
        #[arg(long)]
        open: bool,
        #[command(flatten)]
        remote: Remote,
    },
    /// List the integrations and the versions found for each.
    List {
        #[command(flatten)]
        remote: Remote,
    },
    /// Archive a version's docs as a branch (`version cut`).
    Version {
        #[command(subcommand)]
        command: VersionCommand,
    },
    /// Check every integration against the branching policy, from git alone.
    Audit {
        /// Exit 1 when there is any finding.
        #[arg(long)]
        strict: bool,
        /// Write the findings as JSON (integration, kind, version, message, command).
        #[arg(long, value_name = "FILE.json")]
        report: Option<PathBuf>,
        #[command(flatten)]
        remote: Remote,
    },
    /// Write a complete sample portal into DIR and build it.
    Demo {
        /// Where to write the sample portal.
        #[arg(default_value = "demo")]
        dir: PathBuf,
    },
    /// Start an integration's docs in its repository from the portal's contribution
    /// template, and add its [[integrations]] entry to site.toml (nothing is committed).
    New(NewArgs),
}

#[derive(Args)]
struct NewArgs {
    /// The integration's id, its URL segment (lowercase letters, digits, '.', '-').
    id: String,
    /// The plugin repository (the top folder of a git working tree) to write the docs into.
    #[arg(long, value_name = "PATH")]
    repo: PathBuf,
    /// The name shown on the portal [default: the plugin manifest's name, else the id].
    #[arg(long)]
    name: Option<String>,
    /// Who maintains the docs (community docs are sanitized).
    #[arg(long, value_enum, default_value_t = ManagedByArg::Community)]
    managed_by: ManagedByArg,
    /// Where the integration runs, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [DeploymentArg::Cloud, DeploymentArg::SelfManaged])]
    deployments: Vec<DeploymentArg>,
    /// One sentence for the portal's card [default: the plugin manifest's description].
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ManagedByArg {
    Mattermost,
    Community,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DeploymentArg {
    Cloud,
    SelfManaged,
}

#[derive(Subcommand)]
enum VersionCommand {
    /// Create the archive branch of VERSION in integration ID's local repository (at its
    /// release tag, else the default branch's tip); never pushes.
    Cut {
        /// The integration's id in site.toml.
        id: String,
        /// The version to archive, such as 4.2.
        version: String,
        /// Create the branch at this branch, tag or commit instead.
        #[arg(long, value_name = "REF")]
        at: Option<String>,
        /// Say what would be created; create nothing.
        #[arg(long)]
        dry_run: bool,
        /// A local clone to use (required for an integration whose repo is a URL).
        #[arg(long, value_name = "PATH")]
        repo: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // libgit2's timeouts are process-wide and must be set before any thread starts.
    let timeout = match &cli.command {
        Command::Build { remote, .. }
        | Command::Check { remote, .. }
        | Command::Serve { remote, .. }
        | Command::List { remote }
        | Command::Audit { remote, .. } => std::time::Duration::from_secs(remote.fetch_timeout),
        Command::Demo { .. } | Command::New(_) | Command::Version { .. } => {
            portico::DEFAULT_NETWORK_TIMEOUT
        }
    };
    // SAFETY: nothing has started a thread yet.
    unsafe { portico::set_network_timeout(timeout) };
    if !matches!(cli.command, Command::Serve { .. }) {
        // A closed pipe (`portico list | head -1`) ends the command quietly, as for other
        // command-line tools, instead of a panic in `println!`. `serve` keeps ignoring
        // SIGPIPE: a browser closing a connection must not stop the server.
        #[cfg(unix)]
        // SAFETY: nothing has started a thread yet; SIG_DFL is a valid disposition.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let outcome = match cli.command {
        Command::Build {
            out,
            strict,
            keep_going,
            base_url,
            quiet,
            report,
            remote,
        } => {
            let options = BuildOptions {
                root: cli.root,
                out,
                strict,
                keep_going,
                base_url,
                quiet,
                remote: remote.options(),
            };
            finish(
                "build",
                &options,
                portico::build(&options),
                report.as_deref(),
            )
        }
        Command::Check {
            repo: Some(repo),
            strict,
            quiet,
            ..
        } => check_repository(&portico::repocheck::RepoCheckOptions {
            root: cli.root,
            repo,
            strict,
            quiet,
        }),
        Command::Check {
            repo: None,
            out,
            strict,
            quiet,
            remote,
        } => {
            let options = BuildOptions {
                root: cli.root,
                out,
                strict,
                quiet,
                remote: remote.options(),
                ..BuildOptions::default()
            };
            finish("check", &options, portico::check(&options), None)
        }
        Command::Serve {
            port,
            bind,
            open,
            remote,
        } => serve(&portico::serve::ServeOptions {
            root: cli.root,
            bind,
            port,
            open,
            remote: remote.options(),
        }),
        Command::List { remote } => list(&BuildOptions {
            root: cli.root,
            remote: remote.options(),
            ..BuildOptions::default()
        }),
        Command::Demo { dir } => demo(&dir),
        Command::New(args) => new_integration(cli.root, args),
        Command::Version {
            command:
                VersionCommand::Cut {
                    id,
                    version,
                    at,
                    dry_run,
                    repo,
                },
        } => version_cut(&portico::process::cut::CutRequest {
            root: cli.root,
            id,
            version,
            at,
            dry_run,
            repo,
        }),
        Command::Audit {
            strict,
            report,
            remote,
        } => audit(
            &BuildOptions {
                root: cli.root,
                remote: remote.options(),
                ..BuildOptions::default()
            },
            strict,
            report.as_deref(),
        ),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(()) => ExitCode::from(1),
    }
}

/// Workflow annotations, when running in GitHub Actions.
fn github_annotations(root: &Path) -> Option<Annotations> {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|value| value == "true") {
        let workspace = std::env::var_os("GITHUB_WORKSPACE")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())?;
        Some(Annotations::new(root, &workspace))
    } else {
        None
    }
}

/// Warnings and errors on stderr (errors only with `--quiet`), and as workflow annotations
/// when running in GitHub Actions.
fn print_diagnostics(report: &BuildReport, quiet: bool, annotations: Option<&Annotations>) {
    for diagnostic in &report.diagnostics {
        if !quiet || diagnostic.severity == Severity::Error {
            eprintln!("{diagnostic}");
        }
        // `--quiet` quiets the log, not the pull request's annotations.
        if let Some(annotations) = annotations {
            // Workflow commands are read from stdout.
            println!("{}", annotations.diagnostic(diagnostic));
        }
    }
}

/// An error with its causes, on one printable line (names in it come from repositories).
fn error_chain(err: &anyhow::Error) -> String {
    printable(&format!("{err:#}")).into_owned()
}

fn summary(report: &BuildReport) -> String {
    format!(
        "{} integration(s), {} version(s), {} page(s); {} broken link(s); {} warning(s), {} error(s); {:.2}s",
        report.integrations,
        report.versions,
        report.pages,
        report.broken_links,
        report.count(Severity::Warning),
        report.count(Severity::Error),
        report.elapsed.as_secs_f64()
    )
}

fn finish(
    what: &str,
    options: &BuildOptions,
    result: Result<(BuildReport, Option<Site>), BuildFailure>,
    report_file: Option<&Path>,
) -> Result<(), ()> {
    finish_annotated(
        what,
        options,
        result,
        report_file,
        github_annotations(&options.root),
    )
}

/// [`finish`] with the given workflow annotations.
fn finish_annotated(
    what: &str,
    options: &BuildOptions,
    result: Result<(BuildReport, Option<Site>), BuildFailure>,
    report_file: Option<&Path>,
    annotations: Option<Annotations>,
) -> Result<(), ()> {
    let (report, site, failure) = match &result {
        Ok((report, site)) => (Some(report), site.as_ref(), None),
        Err(failure) => (
            failure.report.as_deref(),
            failure.site.as_deref(),
            Some(failure.reason.as_str()),
        ),
    };
    if let Some(report) = report {
        print_diagnostics(report, options.quiet, annotations.as_ref());
        // The summary only means something once the sources were read.
        if !options.quiet && (site.is_some() || report.unchanged) {
            match (&report.output, failure) {
                (Some(output), None) if report.unchanged => eprintln!(
                    "{} is up to date: nothing changed since the build that wrote its {} files: {}",
                    output.display(),
                    report.files,
                    summary(report)
                ),
                (Some(output), None) => {
                    eprintln!(
                        "built {} files into {}: {}",
                        report.files,
                        output.display(),
                        summary(report)
                    )
                }
                (Some(output), Some(_)) => {
                    eprintln!("{}; published into {}", summary(report), output.display())
                }
                (None, None) => eprintln!("{what} passed: {}", summary(report)),
                (None, Some(_)) => eprintln!("{}", summary(report)),
            }
        }
    }
    let mut succeeded = failure.is_none();
    if let Some(path) = report_file {
        // One shape whether or not the build got far: an early failure has no counts.
        let nothing = BuildReport::default();
        let json = portico::report::json(report.unwrap_or(&nothing), failure);
        if let Err(err) = std::fs::write(path, json) {
            eprintln!("error: cannot write the report {}: {err}", path.display());
            succeeded = false;
        }
    }
    if let Some(reason) = failure {
        if let Some(annotations) = &annotations {
            println!("{}", annotations.failure(what, reason));
        }
        eprintln!("error: {what} failed: {}", printable(reason));
    }
    if succeeded { Ok(()) } else { Err(()) }
}

/// `check --repo`: the repository's docs, annotated in place in GitHub Actions.
fn check_repository(options: &portico::repocheck::RepoCheckOptions) -> Result<(), ()> {
    let annotations = github_annotations(&options.root);
    let checked = match portico::repocheck::RepoCheck::prepare(options) {
        Ok(checked) => checked,
        Err(err) => {
            let reason = error_chain(&err);
            if let Some(annotations) = &annotations {
                println!("{}", annotations.failure("check", &reason));
            }
            eprintln!("error: check failed: {reason}");
            return Err(());
        }
    };
    if !options.quiet {
        eprintln!("{}", printable(&checked.settings()));
    }
    let annotations = annotations
        .map(|annotations| annotations.with_repository(checked.integration(), checked.work_tree()));
    let build_options = BuildOptions {
        root: options.root.clone(),
        strict: options.strict,
        quiet: options.quiet,
        ..BuildOptions::default()
    };
    finish_annotated("check", &build_options, checked.run(), None, annotations)
}

fn serve(options: &portico::serve::ServeOptions) -> Result<(), ()> {
    let server = match portico::serve::start(options) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("error: {}", error_chain(&err));
            return Err(());
        }
    };
    let url = format!("http://{}/", server.address);
    eprintln!(
        "serving {url} (Ctrl-C to stop); watching site.toml, content/, the theme and every local repository"
    );
    if options.open {
        open_browser(&url);
    }
    server.run()
}

/// Best effort: a writer who asked for `--open` still has the URL printed above.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(err) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("could not open a browser ({opener}: {err}); open {url} yourself");
    }
}

fn list(options: &BuildOptions) -> Result<(), ()> {
    match portico::list::list(options) {
        Ok(listing) => {
            // Branch and file names come from repositories: one printable line each.
            for line in listing.text.lines() {
                println!("{}", printable(line));
            }
            if listing.unreadable > 0 {
                eprintln!(
                    "error: {} integration(s) could not be read",
                    listing.unreadable
                );
                return Err(());
            }
            Ok(())
        }
        Err(err) => {
            eprintln!("error: {}", error_chain(&err));
            Err(())
        }
    }
}

fn demo(dir: &Path) -> Result<(), ()> {
    if let Err(err) = portico::demo::write(dir) {
        eprintln!("error: cannot write the demo portal: {}", error_chain(&err));
        return Err(());
    }
    eprintln!("wrote a sample portal into {}", dir.display());
    let options = BuildOptions {
        root: dir.to_path_buf(),
        ..BuildOptions::default()
    };
    let result = portico::build(&options);
    let output = result
        .as_ref()
        .ok()
        .and_then(|(report, _)| report.output.clone());
    finish("build", &options, result, None)?;
    if let Some(output) = output {
        eprintln!(
            "open {} in a browser, or serve that folder with any static file server (search needs it served: python3 -m http.server -d {})",
            output.join("index.html").display(),
            output.display()
        );
    }
    eprintln!("{}", next_commands(dir));
    Ok(())
}

/// The tour's next steps: each of the process's commands, on this demo.
fn next_commands(dir: &Path) -> String {
    let root = dir.display();
    let jira = dir.join("repos").join("jira");
    let steps = [
        (
            format!("portico serve --root {root}"),
            "preview with live reload",
        ),
        (
            format!("portico audit --root {root}"),
            "check the branching policy (zoom 1.7 was never archived)",
        ),
        (
            format!("portico version cut zoom 1.7 --root {root} --dry-run"),
            "what archiving it would create (without --dry-run: do it)",
        ),
        (
            format!("portico check --repo {} --root {root}", jira.display()),
            "check one plugin's docs (working tree) as its pull requests' CI would",
        ),
        (
            format!("git init my-plugin && portico new my-plugin --repo my-plugin --root {root}"),
            "scaffold a new integration's docs from the template",
        ),
    ];
    let mut text = String::from("next, try the documentation process's commands on this demo:");
    for (command, what) in steps {
        text.push_str(&format!("\n  {command}\n      {what}"));
    }
    text
}

fn new_integration(root: PathBuf, args: NewArgs) -> Result<(), ()> {
    use portico::new_integration::{Deployment, ManagedBy, NewOptions};
    let options = NewOptions {
        root,
        id: args.id,
        repo: args.repo,
        name: args.name,
        managed_by: match args.managed_by {
            ManagedByArg::Mattermost => ManagedBy::Mattermost,
            ManagedByArg::Community => ManagedBy::Community,
        },
        deployments: (args.deployments.iter())
            .map(|deployment| match deployment {
                DeploymentArg::Cloud => Deployment::Cloud,
                DeploymentArg::SelfManaged => Deployment::SelfManaged,
            })
            .collect(),
        description: args.description,
    };
    match portico::new_integration::scaffold(&options) {
        Ok(scaffolded) => {
            print!("{}", scaffolded.summary(&options));
            Ok(())
        }
        Err(err) => {
            // Each line printable: the error may quote site.toml and repository files.
            let text = format!("{err:#}");
            for (at, line) in text.lines().enumerate() {
                let prefix = if at == 0 { "error: " } else { "  " };
                eprintln!("{prefix}{}", printable(line));
            }
            Err(())
        }
    }
}

fn version_cut(request: &portico::process::cut::CutRequest) -> Result<(), ()> {
    match portico::process::cut::cut(request) {
        Ok(text) => {
            // Tag names come from repositories: one printable line each.
            for line in text.lines() {
                println!("{}", printable(line));
            }
            Ok(())
        }
        Err(err) => {
            eprintln!("error: {}", error_chain(&err));
            Err(())
        }
    }
}

/// Findings on stderr (and as workflow annotations), the report, and the exit code:
/// 1 on an error, or on any finding with `--strict`.
fn audit(options: &BuildOptions, strict: bool, report_file: Option<&Path>) -> Result<(), ()> {
    let audit = match portico::process::audit::audit(options) {
        Ok(audit) => audit,
        Err(err) => {
            eprintln!("error: {}", error_chain(&err));
            return Err(());
        }
    };
    let annotations = github_annotations(&options.root);
    for note in &audit.notes {
        eprintln!("note: {}", printable(note));
    }
    for finding in &audit.findings {
        eprintln!("{finding}");
        if let Some(annotations) = &annotations {
            println!("{}", annotations.diagnostic(&finding.diagnostic()));
        }
    }
    let failed = audit.count(Severity::Error) > 0 || (strict && !audit.findings.is_empty());
    let mut succeeded = !failed;
    if let Some(path) = report_file
        && let Err(err) = std::fs::write(path, audit.json())
    {
        eprintln!("error: cannot write the report {}: {err}", path.display());
        succeeded = false;
    }
    let warnings = audit.count(Severity::Warning);
    eprintln!(
        "audit: {} integration(s); {warnings} warning(s), {} error(s){}",
        audit.integrations,
        audit.count(Severity::Error),
        if strict && warnings > 0 {
            "; failing (--strict)"
        } else {
            ""
        }
    );
    if succeeded { Ok(()) } else { Err(()) }
}
