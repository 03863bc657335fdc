//! `intune apply`'s progress: bars on a terminal, one JSON event per line with `--output
//! json`, plain lines otherwise (nothing decorative when piped). Throttle waits the client
//! reports (see `verbose`) show in the same place, and stderr text goes above the bars.

use std::{
    io::{self, IsTerminal, Write},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use intune_graph::tenant::{ApplyEvent, ObjectOutcome, Verification};

use crate::output::{self, Format};

pub enum Progress {
    /// One JSON event per line on stdout.
    Json,
    /// One line per object on stderr.
    Lines,
    /// A bar per wave on stderr (a terminal).
    Bars(Mutex<Option<ProgressBar>>),
}

/// The progress of the apply under way, if any: where throttle waits and stderr text go.
static CURRENT: Mutex<Option<Arc<Progress>>> = Mutex::new(None);

fn current() -> Option<Arc<Progress>> {
    CURRENT.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

impl Progress {
    /// The progress of an apply, current until [`finish`](Self::finish).
    pub fn start(format: Format) -> Arc<Self> {
        let progress = Arc::new(match format {
            Format::Json => Progress::Json,
            Format::Table if io::stderr().is_terminal() => Progress::Bars(Mutex::new(None)),
            Format::Table => Progress::Lines,
        });
        *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) = Some(progress.clone());
        progress
    }

    pub fn event(&self, event: &ApplyEvent) {
        match self {
            Progress::Json => {
                if let Ok(line) = serde_json::to_string(event) {
                    let _ = writeln!(io::stdout().lock(), "{line}");
                }
            }
            Progress::Lines => match event {
                ApplyEvent::Planned { writes, objects } => eprintln!("{objects} objects, {writes} to write"),
                ApplyEvent::ObjectDone { .. } | ApplyEvent::Verified { .. } => {
                    eprintln!("  {}", done_line(event))
                }
                ApplyEvent::WaveStarted { wave, objects } => eprintln!("{}: {objects}", wave.name()),
                ApplyEvent::Verifying { objects } => eprintln!("reading back {objects} objects"),
                _ => {}
            },
            Progress::Bars(bar) => {
                let mut bar = bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match event {
                    ApplyEvent::WaveStarted { wave, objects } => {
                        *bar = Some(next_bar(bar.take(), wave.name(), *objects))
                    }
                    ApplyEvent::Verifying { objects } => {
                        *bar = Some(next_bar(bar.take(), "verify", *objects))
                    }
                    ApplyEvent::ObjectDone { key, .. }
                    | ApplyEvent::Verified { verification: Verification { key, .. } } => {
                        if let Some(bar) = bar.as_ref() {
                            bar.inc(1);
                            bar.set_message(output::clean(&key.display_name));
                            if failed(event) {
                                bar.println(done_line(event));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// A throttled call waits `wait` before its retry.
    fn throttled(&self, wait: Duration) {
        let seconds = wait.as_secs_f64();
        match self {
            Progress::Json => {
                let line = serde_json::json!({"event": "throttled", "waitSeconds": seconds});
                let _ = writeln!(io::stdout().lock(), "{line}");
            }
            Progress::Lines => eprintln!("  throttled, waiting {seconds:.1}s"),
            Progress::Bars(bar) => {
                if let Some(bar) = bar.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                    bar.set_message(format!("throttled, waiting {seconds:.1}s"));
                }
            }
        }
    }

    /// Ends the last bar; the progress is no longer current.
    pub fn finish(&self) {
        if let Progress::Bars(bar) = self
            && let Some(done) = bar.lock().unwrap_or_else(PoisonError::into_inner).take()
        {
            done.finish();
        }
        *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// Shows a throttle wait in the current apply's progress (nothing when none runs).
pub fn throttled(wait: Duration) {
    if let Some(progress) = current() {
        progress.throttled(wait);
    }
}

/// Writes `text` to stderr, above the bar when one is drawn (so it does not tear it).
pub fn write_stderr(text: &[u8]) -> io::Result<()> {
    if let Some(progress) = current()
        && let Progress::Bars(bar) = &*progress
        && let Some(bar) = bar.lock().unwrap_or_else(PoisonError::into_inner).as_ref()
    {
        return bar.suspend(|| io::stderr().lock().write_all(text));
    }
    io::stderr().lock().write_all(text)
}

/// A bar for the next stage, the last one finished.
fn next_bar(done: Option<ProgressBar>, name: &str, objects: usize) -> ProgressBar {
    if let Some(done) = done {
        done.finish();
    }
    let next = ProgressBar::with_draw_target(Some(objects as u64), ProgressDrawTarget::stderr());
    next.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    next.set_prefix(name.to_owned());
    next
}

/// Whether an event reports a failure (shown above the bars).
fn failed(event: &ApplyEvent) -> bool {
    match event {
        ApplyEvent::ObjectDone { outcome, .. } => matches!(outcome, ObjectOutcome::Failed { .. }),
        ApplyEvent::Verified { verification } => !verification.verified,
        _ => false,
    }
}

/// One object's line: what happened to it, or what reading it back showed.
fn done_line(event: &ApplyEvent) -> String {
    let (key, what) = match event {
        ApplyEvent::ObjectDone { key, outcome, .. } => (
            key,
            match outcome {
                ObjectOutcome::Created { id, reconciled: false } => format!("created {id}"),
                ObjectOutcome::Created { id, reconciled: true } => format!("created {id} (reconciled)"),
                ObjectOutcome::Updated { id } => format!("updated {id}"),
                ObjectOutcome::Assigned { id, count } => format!("assigned {id} ({count})"),
                ObjectOutcome::Deleted { id } => format!("deleted {id}"),
                ObjectOutcome::Failed { error } => format!("FAILED: {error}"),
                _ => format!("{outcome:?}"),
            },
        ),
        ApplyEvent::Verified { verification } if verification.verified => {
            (&verification.key, "verified".to_owned())
        }
        ApplyEvent::Verified { verification } => {
            (&verification.key, format!("NOT VERIFIED: {}", verification.mismatches.join("; ")))
        }
        _ => return String::new(),
    };
    output::clean(&format!("{key}: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_wait_is_the_bars_message() {
        let bar = ProgressBar::hidden();
        bar.set_message("Contoso Root CA");
        let progress = Progress::Bars(Mutex::new(Some(bar.clone())));
        progress.throttled(Duration::from_millis(1300));
        assert_eq!(bar.message(), "throttled, waiting 1.3s");
    }
}
