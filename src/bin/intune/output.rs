//! Printing results (a table for people, JSON for scripts) and reporting errors.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use intune_graph::{
    Error,
    error::GraphError,
    models::{AssignmentTarget, DeviceConfiguration, DeviceConfigurationAssignment, ValidationError},
};
use serde::Serialize;

use crate::Outcome;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns with a header.
    Table,
    /// JSON: objects exactly as decoded, re-encoded losslessly.
    Json,
}

impl Format {
    /// Table on a terminal, JSON when stdout is a pipe or a file.
    pub(crate) fn for_stdout() -> Format {
        if io::stdout().is_terminal() { Format::Table } else { Format::Json }
    }
}

// ----- tables ---------------------------------------------------------------------------

/// A table printed in batches: the column widths come from the first batch (at least the
/// header's), so a streamed listing prints as it goes; longer values later just push the
/// next columns right.
pub(crate) struct Table {
    headers: &'static [&'static str],
    widths: Option<Vec<usize>>,
}

impl Table {
    pub(crate) fn new(headers: &'static [&'static str]) -> Self {
        Table { headers, widths: None }
    }

    /// Prints `rows` (and the header before the first batch).
    pub(crate) fn print(&mut self, out: &mut impl Write, rows: &[Vec<String>]) -> io::Result<()> {
        let widths = match &self.widths {
            Some(widths) => widths.clone(),
            None => {
                let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
                for row in rows {
                    for (width, cell) in widths.iter_mut().zip(row) {
                        *width = (*width).max(cell.chars().count());
                    }
                }
                let header: Vec<String> = self.headers.iter().map(|h| (*h).to_owned()).collect();
                write_row(out, &widths, &header)?;
                self.widths = Some(widths.clone());
                widths
            }
        };
        for row in rows {
            write_row(out, &widths, row)?;
        }
        Ok(())
    }

    /// Prints the header alone when no row was printed.
    pub(crate) fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        if self.widths.is_none() {
            self.print(out, &[])?;
        }
        Ok(())
    }
}

fn write_row(out: &mut impl Write, widths: &[usize], row: &[String]) -> io::Result<()> {
    let mut line = String::new();
    for (i, cell) in row.iter().enumerate() {
        if i + 1 == row.len() {
            line.push_str(cell);
        } else {
            line.push_str(cell);
            let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(cell.chars().count()) + 2;
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// Text from the service, safe for a terminal: control characters (newlines, escape
/// sequences) and invisible bidi/format characters are shown escaped instead of acting on
/// the terminal.
pub(crate) fn clean(text: &str) -> String {
    intune_graph::untrusted::escape(text).into_owned()
}

/// `#microsoft.graph.iosScepCertificateProfile` → `iosScepCertificateProfile`.
pub(crate) fn short_type(odata_type: &str) -> &str {
    let name = odata_type.strip_prefix('#').unwrap_or(odata_type);
    name.strip_prefix("microsoft.graph.").unwrap_or(name)
}

pub(crate) const CONFIGURATION_HEADERS: &[&str] = &["TYPE", "ID", "NAME", "MODIFIED"];

/// One table row of a device configuration: type, id, name, modified.
pub(crate) fn configuration_row(config: &DeviceConfiguration) -> Vec<String> {
    let base = config.base();
    let or_dash = |s: Option<&str>| s.filter(|s| !s.is_empty()).map_or_else(|| "-".to_owned(), clean);
    vec![
        or_dash(Some(short_type(config.odata_type()))),
        or_dash(config.id()),
        or_dash(config.display_name()),
        base.last_modified_date_time
            .map_or_else(|| "-".to_owned(), |t| t.to_utc().format("%Y-%m-%d %H:%M:%SZ").to_string()),
    ]
}

pub(crate) const ASSIGNMENT_HEADERS: &[&str] = &["ID", "TARGET", "GROUP", "INTENT"];

fn assignment_row(assignment: &DeviceConfigurationAssignment) -> Vec<String> {
    let target = assignment.target.as_ref();
    let kind = target.map_or("-", |t| {
        let name = short_type(t.odata_type());
        name.strip_suffix("AssignmentTarget").unwrap_or(name)
    });
    let intent = assignment
        .intent
        .as_ref()
        .and_then(|i| serde_json::to_value(i).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "-".into());
    vec![
        assignment.id.as_deref().map_or_else(|| "-".into(), clean),
        if kind.is_empty() { "-".into() } else { clean(kind) },
        target.and_then(AssignmentTarget::group_id).map_or_else(|| "-".into(), clean),
        clean(&intent),
    ]
}

// ----- printing -------------------------------------------------------------------------

/// Ends a command after a failed write to stdout: a closed pipe (`| head`) is a normal
/// end, anything else an error.
pub(crate) fn write_failed(e: &io::Error) -> Outcome {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Outcome::Success
    } else {
        eprintln!("error: cannot write the output: {e}");
        Outcome::Refused
    }
}

fn finish(result: io::Result<()>) -> Outcome {
    match result {
        Ok(()) => Outcome::Success,
        Err(e) => write_failed(&e),
    }
}

fn write_json_pretty(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}

/// Prints one device configuration.
pub(crate) fn print_configuration(format: Format, config: &DeviceConfiguration) -> Outcome {
    let mut out = io::stdout().lock();
    let result = match format {
        Format::Json => write_json_pretty(&mut out, config),
        Format::Table => Table::new(CONFIGURATION_HEADERS).print(&mut out, &[configuration_row(config)]),
    };
    finish(result.and_then(|()| out.flush()))
}

/// Prints assignments: a JSON array, or a table.
pub(crate) fn print_assignments(format: Format, assignments: &[DeviceConfigurationAssignment]) -> Outcome {
    let mut out = io::stdout().lock();
    let result = match format {
        Format::Json => write_json_pretty(&mut out, &assignments),
        Format::Table => {
            let rows: Vec<Vec<String>> = assignments.iter().map(assignment_row).collect();
            let mut table = Table::new(ASSIGNMENT_HEADERS);
            table.print(&mut out, &rows).and_then(|()| table.finish(&mut out))
        }
    };
    finish(result.and_then(|()| out.flush()))
}

// ----- errors ---------------------------------------------------------------------------

/// Reports a failed call on stderr and says how the command ends: 1 when the service or
/// validation refused (or the call failed), 2 for usage and decode errors. Never prints
/// a token: the crate's errors carry none.
pub(crate) fn report(error: &Error) -> Outcome {
    match error {
        Error::Graph(graph) => {
            eprintln!("error: {}", graph_line(graph));
            graph_details(graph);
            Outcome::Refused
        }
        Error::Validation(invalid) => {
            report_validation("refused before sending", invalid);
            Outcome::Refused
        }
        Error::OutcomeUnknown(unknown) => {
            eprintln!(
                "error: {}: the outcome is unknown (the request may or may not have been carried out); \
                 it was not re-sent, to avoid a duplicate. Check with `intune list` before trying again \
                 (client-request-id {})",
                unknown.operation, unknown.client_request_id
            );
            if let Some(graph) = error.graph_error() {
                eprintln!("  response: {}", graph_line(graph));
            } else if let Some(transport) = &unknown.transport {
                eprintln!("  cause: {}", clean(&transport.to_string()));
            } else if let Some(deadline) = unknown.deadline {
                eprintln!("  cause: the deadline of {deadline:?} passed while the request was in flight");
            }
            Outcome::Refused
        }
        Error::CreatedUnreadable(unreadable) => {
            eprintln!(
                "error: {}: the service accepted the create (HTTP {}) but its answer could not be read; \
                 the profile was probably created. Check with `intune list` before trying again \
                 (client-request-id {}{})",
                unreadable.operation,
                unreadable.status.as_u16(),
                clean(&unreadable.client_request_id),
                unreadable
                    .request_id
                    .as_deref()
                    .map(|id| format!(", request-id {}", clean(id)))
                    .unwrap_or_default(),
            );
            if !unreadable.body_excerpt.is_empty() {
                eprintln!("  answer: {}", clean(&unreadable.body_excerpt));
            }
            Outcome::Refused
        }
        Error::Decode(_) => {
            eprintln!("error: cannot decode the response: {}", clean(&error.to_string()));
            Outcome::BadInput
        }
        Error::Config(_) | Error::InvalidArgument { .. } => {
            eprintln!("error: {}", clean(&error.to_string()));
            Outcome::BadInput
        }
        other => {
            eprintln!("error: {}", clean(&other.to_string()));
            if let Some(id) = other.client_request_id() {
                eprintln!("  client-request-id: {id}");
            }
            Outcome::Refused
        }
    }
}

/// `HTTP 404 ResourceNotFound: <message> (request-id …, client-request-id …)`, with
/// Intune's inner `Message` when `message` was its JSON document.
pub(crate) fn graph_line(graph: &GraphError) -> String {
    let mut line = format!("HTTP {}", graph.status.as_u16());
    if let Some(code) = graph.code.as_deref().filter(|c| !c.is_empty()) {
        line.push(' ');
        line.push_str(&clean(code));
    }
    let message = graph.display_message().trim();
    if message.is_empty() {
        line.push_str(": (empty body)");
    } else {
        line.push_str(": ");
        line.push_str(&clean(message));
    }
    let ids: Vec<String> =
        [("request-id", &graph.request_id), ("client-request-id", &graph.client_request_id)]
            .into_iter()
            .filter_map(|(name, id)| id.as_deref().map(|id| format!("{name} {}", clean(id))))
            .collect();
    if !ids.is_empty() {
        line.push_str(&format!(" ({})", ids.join(", ")));
    }
    line
}

fn graph_details(graph: &GraphError) {
    eprintln!("  operation: {}", clean(&graph.operation));
    if let Some(target) = graph.target.as_deref() {
        eprintln!("  target: {}", clean(target));
    }
    for detail in &graph.details {
        let parts: Vec<&str> =
            [&detail.code, &detail.target, &detail.message].iter().filter_map(|p| p.as_deref()).collect();
        eprintln!("  detail: {}", clean(&parts.join(": ")));
    }
    if let Some(retry_after) = graph.retry_after {
        eprintln!("  retry after: {:.1}s", retry_after.as_secs_f64());
    }
    if graph.attempts > 1 {
        eprintln!("  attempts: {}", graph.attempts);
    }
}

/// Lists every validation problem, one per line.
pub(crate) fn report_validation(what: &str, invalid: &ValidationError) {
    let n = invalid.problems.len();
    eprintln!("error: {what}: {n} problem{}:", if n == 1 { "" } else { "s" });
    for problem in &invalid.problems {
        eprintln!("  {}: {}", clean(&problem.field), clean(&problem.message));
    }
}
