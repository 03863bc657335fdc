//! What the command prints of the client's tracing on stderr: by default the retry
//! reports only; with `-v` every call and attempt; `RUST_LOG` overrides both. Whatever the
//! filter, throttled retries also reach `intune apply`'s progress ("throttled, waiting Ns").

use std::{io, time::Duration};

use tracing::{
    Event, Level, Subscriber,
    field::{Field, Visit},
    span::{Attributes, Id},
};
use tracing_subscriber::{
    EnvFilter, Layer,
    filter::Targets,
    fmt::{MakeWriter, format::FmtSpan},
    layer::{Context, SubscriberExt},
    registry::LookupSpan,
    util::SubscriberInitExt,
};

use crate::progress;

/// The client's retry reports.
const RETRY_TARGET: &str = "intune_graph::retry";
/// The span each tenant's work runs in across tenants (its `name` field names the tenant).
const TENANT_TARGET: &str = "intune_graph::tenant";
/// The retry reports (one line per retry, after the tenant's name across tenants) and
/// "already gone after retry".
const DEFAULT_FILTER: &str = "intune_graph::retry=info,intune_graph::tenant=info";
/// Calls, attempts, waits and retry decisions.
const VERBOSE_FILTER: &str = "intune_graph=debug";

/// Installs the stderr subscriber and the throttle reports of the progress.
pub(crate) fn init(verbose: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::new(directives),
        _ => EnvFilter::new(if verbose { VERBOSE_FILTER } else { DEFAULT_FILTER }),
    };
    let lines = tracing_subscriber::fmt::layer().with_writer(AboveBars).without_time();
    // A plain line (the sentence alone) for the default reports; levels, targets, fields and
    // a line per finished call and attempt once more is asked for.
    let lines = if verbose || std::env::var_os("RUST_LOG").is_some() {
        lines.with_span_events(FmtSpan::CLOSE).boxed()
    } else {
        lines
            .with_target(false)
            .with_level(false)
            .fmt_fields(tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
                if matches!(field.name(), "message" | "name") { write!(writer, "{value:?}") } else { Ok(()) }
            }))
            .boxed()
    };
    let installed = tracing_subscriber::registry()
        .with(lines.with_filter(filter))
        .with(ThrottleReports.with_filter(
            Targets::new().with_target(RETRY_TARGET, Level::INFO).with_target(TENANT_TARGET, Level::INFO),
        ))
        .try_init();
    if let Err(e) = installed {
        eprintln!("warning: cannot report retries on stderr: {e}");
    }
}

/// Stderr, above the progress bars when they are drawn; one writer per event.
struct AboveBars;

impl<'a> MakeWriter<'a> for AboveBars {
    type Writer = EventText;

    fn make_writer(&'a self) -> EventText {
        EventText(Vec::new())
    }
}

/// One event's text, written out whole when the event is formatted.
struct EventText(Vec<u8>);

impl io::Write for EventText {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventText {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            let _ = progress::write_stderr(&self.0);
        }
    }
}

/// Hands the wait of every throttled retry (`throttled = true`, `wait_ms`) to the progress,
/// with the tenant it belongs to (the `tenant` span it happened in, across tenants).
struct ThrottleReports;

/// The name of a `tenant` span, kept with the span.
struct TenantName(String);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for ThrottleReports {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "tenant" {
            return;
        }
        let mut name = SpanName::default();
        attrs.record(&mut name);
        if let (Some(name), Some(span)) = (name.0, ctx.span(id)) {
            span.extensions_mut().insert(TenantName(name));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = RetryFields::default();
        event.record(&mut fields);
        if fields.throttled {
            let tenant = ctx.event_scope(event).and_then(|scope| {
                scope.into_iter().find_map(|span| span.extensions().get::<TenantName>().map(|t| t.0.clone()))
            });
            progress::throttled(tenant.as_deref(), Duration::from_millis(fields.wait_ms));
        }
    }
}

/// The `name` field of a span.
#[derive(Default)]
struct SpanName(Option<String>);

impl Visit for SpanName {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "name" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "name" && self.0.is_none() {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

#[derive(Default)]
struct RetryFields {
    throttled: bool,
    wait_ms: u64,
}

impl Visit for RetryFields {
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "throttled" {
            self.throttled = value;
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "wait_ms" {
            self.wait_ms = value;
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}
