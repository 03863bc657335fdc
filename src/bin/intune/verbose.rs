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

use crate::{output::clean, progress};

/// The client's retry reports.
const RETRY_TARGET: &str = "intune_graph::retry";
/// The span each tenant's work runs in across tenants (its `name` field names the tenant).
const TENANT_TARGET: &str = "intune_graph::tenant";
/// Calls, attempts, waits and retry decisions.
const VERBOSE_FILTER: &str = "intune_graph=debug";

/// Installs the stderr subscriber and the throttle reports of the progress.
///
/// By default the command prints the client's retry reports only (one line each, the
/// sentence alone, after the tenant's name across tenants, and "already gone after retry"),
/// through [`RetryReports`]; `-v` or `RUST_LOG` add the full tracing (levels, targets,
/// fields, a line per finished call and attempt), and the retry reports then come through
/// that.
pub(crate) fn init(verbose: bool) {
    let tracing_asked = verbose || std::env::var_os("RUST_LOG").is_some_and(|v| !v.is_empty());
    let reports = RetryReports { print: !tracing_asked }.with_filter(
        Targets::new().with_target(RETRY_TARGET, Level::INFO).with_target(TENANT_TARGET, Level::INFO),
    );
    let lines = tracing_asked.then(|| {
        let filter = match std::env::var("RUST_LOG") {
            Ok(directives) if !directives.trim().is_empty() => EnvFilter::new(directives),
            _ => EnvFilter::new(VERBOSE_FILTER),
        };
        tracing_subscriber::fmt::layer()
            .with_writer(AboveBars)
            .without_time()
            .with_span_events(FmtSpan::CLOSE)
            .with_filter(filter)
    });
    if let Err(e) = tracing_subscriber::registry().with(lines).with(reports).try_init() {
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

/// The client's retry reports: each printed as its sentence (`print`), after the name of
/// the tenant it belongs to when there is one (the `tenant` span it happened in), and a
/// throttled one's wait (`throttled = true`, `wait_ms`) handed to the progress.
struct RetryReports {
    print: bool,
}

/// The name of a `tenant` span, kept with the span.
struct TenantName(String);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for RetryReports {
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
        if event.metadata().target() != RETRY_TARGET {
            return;
        }
        let mut fields = RetryFields::default();
        event.record(&mut fields);
        // A retry report is a root event (no parent), but it is sent from inside the
        // tenant's work: the current span says whose it is.
        let tenant = ctx.lookup_current().and_then(|span| {
            span.scope().find_map(|s| s.extensions().get::<TenantName>().map(|t| t.0.clone()))
        });
        if self.print && !fields.message.is_empty() {
            let line = match &tenant {
                Some(tenant) => format!("{}: {}\n", clean(tenant), fields.message),
                None => format!("{}\n", fields.message),
            };
            let _ = progress::write_stderr(line.as_bytes());
        }
        if fields.throttled {
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
    message: String,
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

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = clean(&format!("{value:?}"));
        }
    }
}
