//! How long each stage takes ([`StageClock`]), and a progress line on a terminal
//! ([`Progress`]): for a build that lasts more than a couple of seconds, one line on stderr
//! naming the stage at work and the time so far, rewritten in place and erased at the end.
//! Nothing is printed when stderr is not a terminal (CI logs) or with `--quiet`.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A build shorter than this shows no progress at all.
const QUIET_START: Duration = Duration::from_secs(2);
/// How often the line is rewritten.
const REFRESH: Duration = Duration::from_millis(250);

/// The progress line of one run (or none).
pub(crate) struct Progress {
    shared: Option<Arc<Shared>>,
    painter: Option<JoinHandle<()>>,
}

struct Shared {
    stage: Mutex<&'static str>,
    done: AtomicBool,
    started: Instant,
}

impl Progress {
    /// No progress line.
    pub fn none() -> Progress {
        Progress {
            shared: None,
            painter: None,
        }
    }

    /// A progress line on stderr if it is a terminal and `quiet` is off.
    pub fn on_terminal(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress::none();
        }
        let shared = Arc::new(Shared {
            stage: Mutex::new("starting"),
            done: AtomicBool::new(false),
            started: Instant::now(),
        });
        let painter = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("progress".into())
                .spawn(move || paint(&shared))
                .ok()
        };
        Progress {
            shared: Some(shared),
            painter,
        }
    }

    /// The stage at work from now on.
    pub fn stage(&self, name: &'static str) {
        if let Some(shared) = &self.shared
            && let Ok(mut stage) = shared.stage.lock()
        {
            *stage = name;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(shared) = &self.shared {
            shared.done.store(true, Ordering::Relaxed);
        }
        if let Some(painter) = self.painter.take() {
            painter.thread().unpark();
            let _ = painter.join();
        }
    }
}

/// Rewrites the line until the run is done, then erases it if it was shown.
fn paint(shared: &Shared) {
    let mut shown = false;
    while !shared.done.load(Ordering::Relaxed) {
        std::thread::park_timeout(REFRESH);
        let elapsed = shared.started.elapsed();
        if elapsed < QUIET_START || shared.done.load(Ordering::Relaxed) {
            continue;
        }
        let stage = shared.stage.lock().map_or("working", |stage| *stage);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kbuilding: {stage} ({:.1} s)",
            elapsed.as_secs_f64()
        );
        let _ = err.flush();
        shown = true;
    }
    if shown {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

/// Times the stages of a run, in order, and tells the progress line which one is at work.
pub(crate) struct StageClock<'p> {
    progress: &'p Progress,
    timings: Vec<(&'static str, Duration)>,
    current: Option<(&'static str, Instant)>,
}

impl<'p> StageClock<'p> {
    pub fn new(progress: &'p Progress) -> Self {
        StageClock {
            progress,
            timings: Vec::new(),
            current: None,
        }
    }

    /// Ends the stage at work (if any) and starts `name`.
    pub fn start(&mut self, name: &'static str) {
        self.stop();
        self.progress.stage(name);
        self.current = Some((name, Instant::now()));
    }

    /// Ends the stage at work.
    pub fn stop(&mut self) {
        if let Some((name, started)) = self.current.take() {
            self.timings.push((name, started.elapsed()));
        }
    }

    /// Every stage's time, in order.
    pub fn timings(mut self) -> Vec<(&'static str, Duration)> {
        self.stop();
        self.timings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_timed_in_the_order_they_ran() {
        let progress = Progress::none();
        let mut clock = StageClock::new(&progress);
        clock.start("read");
        clock.start("render");
        clock.stop();
        clock.start("compose");
        let names: Vec<&str> = clock.timings().iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["read", "render", "compose"]);
    }
}
