//! `intune apply`'s progress: bars on a terminal (one per wave, or one per tenant), one
//! JSON event per line on stdout with `--output json` (with a `tenant` field across
//! tenants), plain lines on stderr otherwise (nothing decorative when piped). Throttle waits
//! the client reports (see `verbose`) show in the same place, for the tenant they belong
//! to, and stderr text goes above the bars.

use std::{
    collections::BTreeMap,
    io::{self, IsTerminal, Write},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use intune_graph::tenant::{ApplyEvent, ObjectOutcome, Verification};

use crate::output::{self, Format};

pub(crate) enum Progress {
    /// One JSON event per line on stdout.
    Json,
    /// One line per object on stderr.
    Lines,
    /// A bar per wave on stderr (a terminal).
    Bars(Mutex<Option<ProgressBar>>),
    /// A bar per tenant on stderr (a terminal).
    TenantBars { all: MultiProgress, bars: BTreeMap<String, ProgressBar> },
}

/// The progress of the apply under way, if any: where throttle waits and stderr text go.
static CURRENT: Mutex<Option<Arc<Progress>>> = Mutex::new(None);

fn current() -> Option<Arc<Progress>> {
    CURRENT.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress {
    /// The progress of an apply, current until [`finish`](Self::finish).
    pub(crate) fn start(format: Format) -> Arc<Self> {
        Self::make_current(match format {
            Format::Json => Progress::Json,
            Format::Table if io::stderr().is_terminal() => Progress::Bars(Mutex::new(None)),
            Format::Table => Progress::Lines,
        })
    }

    /// The progress of an apply to the tenants named, current until [`finish`](Self::finish).
    pub(crate) fn start_tenants(format: Format, names: &[String]) -> Arc<Self> {
        Self::make_current(match format {
            Format::Json => Progress::Json,
            Format::Table if io::stderr().is_terminal() => {
                let all = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
                let bars = names
                    .iter()
                    .map(|name| {
                        let bar = all.add(ProgressBar::new(0));
                        bar.set_style(style());
                        bar.set_prefix(output::clean(name));
                        (name.clone(), bar)
                    })
                    .collect();
                Progress::TenantBars { all, bars }
            }
            Format::Table => Progress::Lines,
        })
    }

    fn make_current(progress: Progress) -> Arc<Self> {
        let progress = Arc::new(progress);
        *lock(&CURRENT) = Some(progress.clone());
        progress
    }

    /// An event of the one apply under way.
    pub(crate) fn event(&self, event: &ApplyEvent) {
        match self {
            Progress::Json => json_line(None, event),
            Progress::Lines => {
                if let Some(line) = event_line(event) {
                    eprintln!("{line}");
                }
            }
            Progress::Bars(bar) => {
                let mut bar = lock(bar);
                match event {
                    ApplyEvent::WaveStarted { wave, objects } => {
                        *bar = Some(next_bar(bar.take(), wave.name(), *objects))
                    }
                    ApplyEvent::Verifying { objects } => {
                        *bar = Some(next_bar(bar.take(), "verify", *objects))
                    }
                    _ => {
                        if let Some(bar) = bar.as_ref() {
                            advance(bar, event);
                        }
                    }
                }
            }
            Progress::TenantBars { .. } => self.tenant_event("", event),
        }
    }

    /// An event of the apply to `tenant`.
    pub(crate) fn tenant_event(&self, tenant: &str, event: &ApplyEvent) {
        match self {
            Progress::Json => json_line(Some(tenant), event),
            Progress::Lines | Progress::Bars(_) => {
                if let Some(line) = event_line(event) {
                    eprintln!("{}: {}", output::clean(tenant), line.trim_start());
                }
            }
            Progress::TenantBars { bars, .. } => {
                let Some(bar) = bars.get(tenant) else { return };
                match event {
                    ApplyEvent::WaveStarted { wave, objects } => {
                        bar.inc_length(*objects as u64);
                        bar.set_message(wave.name());
                    }
                    ApplyEvent::Verifying { objects } => {
                        bar.inc_length(*objects as u64);
                        bar.set_message("verify");
                    }
                    _ => advance(bar, event),
                }
            }
        }
    }

    /// A throttled call (of `tenant`, when known) waits `wait` before its retry.
    fn throttled(&self, tenant: Option<&str>, wait: Duration) {
        let seconds = wait.as_secs_f64();
        let message = format!("throttled, waiting {seconds:.1}s");
        match (self, tenant) {
            (Progress::Json, _) => {
                let mut line = serde_json::json!({"event": "throttled", "waitSeconds": seconds});
                if let Some(tenant) = tenant {
                    line["tenant"] = tenant.into();
                }
                let _ = writeln!(io::stdout().lock(), "{line}");
            }
            (Progress::Lines, None) => eprintln!("  {message}"),
            (Progress::Lines, Some(tenant)) => eprintln!("{}: {message}", output::clean(tenant)),
            (Progress::Bars(bar), _) => {
                if let Some(bar) = lock(bar).as_ref() {
                    bar.set_message(message);
                }
            }
            (Progress::TenantBars { bars, .. }, tenant) => {
                for (name, bar) in bars {
                    if tenant.is_none_or(|t| t == name) {
                        bar.set_message(message.clone());
                    }
                }
            }
        }
    }

    /// Ends the bars; the progress is no longer current.
    pub(crate) fn finish(&self) {
        match self {
            Progress::Bars(bar) => {
                if let Some(done) = lock(bar).take() {
                    done.finish();
                }
            }
            Progress::TenantBars { bars, .. } => bars.values().for_each(ProgressBar::finish),
            Progress::Json | Progress::Lines => {}
        }
        *lock(&CURRENT) = None;
    }
}

/// One JSON event on stdout, with the tenant it belongs to.
fn json_line(tenant: Option<&str>, event: &ApplyEvent) {
    let Ok(mut value) = serde_json::to_value(event) else { return };
    if let (Some(tenant), Some(object)) = (tenant, value.as_object_mut()) {
        object.insert("tenant".into(), tenant.into());
    }
    let _ = writeln!(io::stdout().lock(), "{value}");
}

/// The line an event shows as when piped (`None`: it shows nothing).
fn event_line(event: &ApplyEvent) -> Option<String> {
    match event {
        ApplyEvent::Planned { writes, objects } => Some(format!("{objects} objects, {writes} to write")),
        ApplyEvent::ObjectDone { .. } | ApplyEvent::Verified { .. } => {
            Some(format!("  {}", done_line(event)))
        }
        ApplyEvent::WaveStarted { wave, objects } => Some(format!("{}: {objects}", wave.name())),
        ApplyEvent::Verifying { objects } => Some(format!("reading back {objects} objects")),
        _ => None,
    }
}

/// One more object done on `bar`; a failure is printed above it.
fn advance(bar: &ProgressBar, event: &ApplyEvent) {
    let key = match event {
        ApplyEvent::ObjectDone { key, .. }
        | ApplyEvent::Verified { verification: Verification { key, .. } } => key,
        _ => return,
    };
    bar.inc(1);
    bar.set_message(output::clean(&key.display_name));
    if failed(event) {
        bar.println(done_line(event));
    }
}

/// Shows a throttle wait in the current apply's progress (nothing when none runs).
pub(crate) fn throttled(tenant: Option<&str>, wait: Duration) {
    if let Some(progress) = current() {
        progress.throttled(tenant, wait);
    }
}

/// Writes `text` to stderr, above the bars when some are drawn (so it does not tear them).
pub(crate) fn write_stderr(text: &[u8]) -> io::Result<()> {
    if let Some(progress) = current() {
        match &*progress {
            Progress::Bars(bar) => {
                if let Some(bar) = lock(bar).as_ref() {
                    return bar.suspend(|| io::stderr().lock().write_all(text));
                }
            }
            Progress::TenantBars { all, .. } => return all.suspend(|| io::stderr().lock().write_all(text)),
            Progress::Json | Progress::Lines => {}
        }
    }
    io::stderr().lock().write_all(text)
}

/// A bar for the next stage, the last one finished.
fn next_bar(done: Option<ProgressBar>, name: &str, objects: usize) -> ProgressBar {
    if let Some(done) = done {
        done.finish();
    }
    let next = ProgressBar::with_draw_target(Some(objects as u64), ProgressDrawTarget::stderr());
    next.set_style(style());
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
        progress.throttled(None, Duration::from_millis(1300));
        assert_eq!(bar.message(), "throttled, waiting 1.3s");
    }

    #[test]
    fn a_throttle_wait_shows_on_its_own_tenants_bar_only() {
        let all = MultiProgress::with_draw_target(ProgressDrawTarget::hidden());
        let bars: BTreeMap<String, ProgressBar> =
            ["a", "b"].iter().map(|name| (name.to_string(), all.add(ProgressBar::hidden()))).collect();
        let progress = Progress::TenantBars { all, bars: bars.clone() };
        progress.throttled(Some("b"), Duration::from_millis(2000));
        assert_eq!(bars["b"].message(), "throttled, waiting 2.0s");
        assert_eq!(bars["a"].message(), "");
    }
}
