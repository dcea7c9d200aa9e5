//! The `portico` command line: parse arguments, call the library, print the diagnostics and
//! the error chain once, and map the outcome to an exit code (0 success, 1 failure, 2 usage).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use portico::diagnostics::Severity;
use portico::{BuildFailure, BuildOptions, BuildReport};

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
    },
    /// Validate everything build validates, writing nothing.
    Check {
        /// Fail on any warning.
        #[arg(long)]
        strict: bool,
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
    },
    /// List the integrations and the versions found for each.
    List,
    /// Write a complete sample portal into DIR and build it.
    Demo {
        /// Where to write the sample portal.
        #[arg(default_value = "demo")]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Build {
            out,
            strict,
            keep_going,
            base_url,
        } => finish(
            "build",
            portico::build(&BuildOptions {
                root: cli.root,
                out,
                strict,
                keep_going,
                base_url,
            }),
        ),
        Command::Check { strict } => finish(
            "check",
            portico::check(&BuildOptions {
                root: cli.root,
                strict,
                ..BuildOptions::default()
            }),
        ),
        Command::Serve { port, bind, open } => serve(&portico::serve::ServeOptions {
            root: cli.root,
            bind,
            port,
            open,
        }),
        Command::List => list(&BuildOptions {
            root: cli.root,
            ..BuildOptions::default()
        }),
        Command::Demo { dir } => demo(&dir),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(()) => ExitCode::from(1),
    }
}

fn print_diagnostics(report: &BuildReport) {
    for diagnostic in &report.diagnostics {
        eprintln!("{diagnostic}");
    }
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

fn finish(what: &str, result: Result<BuildReport, BuildFailure>) -> Result<(), ()> {
    match result {
        Ok(report) => {
            print_diagnostics(&report);
            match &report.output {
                Some(output) => eprintln!(
                    "built {} into {}: {}",
                    what_was_built(&report),
                    output.display(),
                    summary(&report)
                ),
                None => eprintln!("{what} passed: {}", summary(&report)),
            }
            Ok(())
        }
        Err(failure) => {
            if let Some(report) = &failure.report {
                print_diagnostics(report);
                eprintln!("{}", summary(report));
                if let Some(output) = &report.output {
                    eprintln!("published into {}", output.display());
                }
            }
            eprintln!("error: {what} failed: {}", failure.reason);
            Err(())
        }
    }
}

fn what_was_built(report: &BuildReport) -> String {
    format!("{} files", report.files)
}

fn serve(options: &portico::serve::ServeOptions) -> Result<(), ()> {
    let server = match portico::serve::start(options) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("error: {err:#}");
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
            print!("{}", listing.text);
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
            eprintln!("error: {err:#}");
            Err(())
        }
    }
}

fn demo(dir: &std::path::Path) -> Result<(), ()> {
    if let Err(err) = portico::demo::write(dir) {
        eprintln!("error: cannot write the demo portal: {err:#}");
        return Err(());
    }
    eprintln!("wrote a sample portal into {}", dir.display());
    let result = portico::build(&BuildOptions {
        root: dir.to_path_buf(),
        ..BuildOptions::default()
    });
    let output = result.as_ref().ok().and_then(|r| r.output.clone());
    finish("build", result)?;
    if let Some(output) = output {
        eprintln!(
            "open {} in a browser, or serve that folder with any static file server",
            output.join("index.html").display()
        );
    }
    Ok(())
}
