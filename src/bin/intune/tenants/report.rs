//! The one report of a run across tenants: a table on a terminal (the drift matrix), or with
//! `--output json` one line per tenant and a last line `{"tenants": [...]}`.

use std::io::{self, Write};

use intune_graph::tenant::{ApplyReport, Plan, TenantRun, TenantSummary};
use serde_json::json;

use crate::output::{self, Format, Table};

const HEADERS: &[&str] = &[
    "TENANT",
    "RESULT",
    "CREATE",
    "UPDATE",
    "UNCHANGED",
    "DELETE",
    "FAILED",
    "CONFLICTS",
    "VERIFIED",
    "ERROR",
];

/// The matrix: one row per tenant (`applied`: of an apply, else of a plan).
pub(crate) fn matrix(out: &mut impl Write, summaries: &[TenantSummary], applied: bool) -> io::Result<()> {
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                output::clean(&s.name),
                result(s, applied).into(),
                s.created.to_string(),
                s.updated.to_string(),
                s.unchanged.to_string(),
                s.deleted.to_string(),
                s.failed.to_string(),
                s.conflicts.to_string(),
                s.verified.to_string(),
                s.error.as_deref().map(output::clean).unwrap_or_default(),
            ]
        })
        .collect();
    let mut table = Table::new(HEADERS);
    table.print(out, &rows)?;
    table.finish(out)
}

/// A summary's result in a word.
fn result(s: &TenantSummary, applied: bool) -> &'static str {
    if s.error.is_some() {
        "error"
    } else if s.problems > 0 {
        "problems"
    } else if applied {
        if s.ok { "ok" } else { "failed" }
    } else if s.changes {
        "changes"
    } else {
        "in sync"
    }
}

/// The last line of `--output json`.
fn summary_line(out: &mut impl Write, summaries: &[TenantSummary]) -> io::Result<()> {
    writeln!(out, "{}", json!({"tenants": summaries}))
}

/// The plans of every tenant: each tenant's review and the matrix, or JSON lines.
pub(crate) fn plans(format: Format, runs: &[TenantRun<Plan>], summaries: &[TenantSummary]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match format {
        Format::Json => {
            for run in runs {
                let line = match &run.result {
                    Ok(plan) => json!({"tenant": run.name, "plan": plan}),
                    Err(e) => json!({"tenant": run.name, "error": e.to_string()}),
                };
                writeln!(out, "{line}")?;
            }
            summary_line(&mut out, summaries)
        }
        Format::Table => {
            for run in runs {
                writeln!(out, "== {}", output::clean(&run.name))?;
                match &run.result {
                    Ok(plan) => write!(out, "{plan}")?,
                    Err(e) => writeln!(out, "error: {}", output::clean(&e.to_string()))?,
                }
                writeln!(out)?;
            }
            matrix(&mut out, summaries, false)
        }
    }
}

/// The applies of every tenant: what failed or did not read back, and the matrix (the
/// events went out as they happened), or the JSON summary line.
pub(crate) fn applies(
    format: Format,
    runs: &[TenantRun<ApplyReport>],
    summaries: &[TenantSummary],
) -> io::Result<()> {
    match format {
        Format::Json => summary_line(&mut io::stdout().lock(), summaries),
        Format::Table => {
            let mut err = io::stderr().lock();
            for run in runs {
                let name = output::clean(&run.name);
                match &run.result {
                    Err(e) => {
                        for line in e.to_string().lines() {
                            writeln!(err, "{name}: {}", output::clean(line))?;
                        }
                    }
                    Ok(report) => {
                        for v in report.verifications.iter().filter(|v| !v.verified) {
                            writeln!(
                                err,
                                "{name}: not verified: {}: {}",
                                v.key,
                                output::clean(&v.mismatches.join("; "))
                            )?;
                        }
                    }
                }
            }
            matrix(&mut io::stdout().lock(), summaries, true)
        }
    }
}
