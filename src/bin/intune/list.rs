//! `intune list [--all] [--type T] [--top N] [--filter F] [--select a,b]`.
//!
//! Without `--all`: one page. With `--all`: every page, printed as it arrives (memory
//! stays one page); with `--output json` the array is written incrementally.

use std::io::{self, Write};

use clap::Args;
use futures_util::StreamExt;
use intune_graph::{
    models::DeviceConfiguration,
    odata::{MAX_TOP, Query},
};

use crate::{
    Outcome,
    context::{self, GlobalArgs},
    output::{self, CONFIGURATION_HEADERS, Format, Table},
};

#[derive(Args, Debug)]
pub(crate) struct ListArgs {
    /// Follow every page (default: the first page only).
    #[arg(long)]
    all: bool,
    /// Only this type, e.g. iosScepCertificateProfile (with or without the
    /// `microsoft.graph.` prefix and `#`): `$filter=isof('microsoft.graph.T')`.
    #[arg(long = "type", value_name = "T")]
    odata_type: Option<String>,
    /// Page size (`$top`, 1 to 999).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_TOP)))]
    top: Option<u32>,
    /// An OData `$filter` expression (combined with --type using `and`).
    #[arg(long, value_name = "F")]
    filter: Option<String>,
    /// Properties to return (`$select`), comma-separated.
    #[arg(long, value_name = "a,b", value_delimiter = ',')]
    select: Vec<String>,
}

/// `microsoft.graph.T` from `T`, `microsoft.graph.T` or `#microsoft.graph.T`.
fn qualified_type(name: &str) -> Option<String> {
    let name = name.trim();
    let name = name.strip_prefix('#').unwrap_or(name);
    let name = name.strip_prefix("microsoft.graph.").unwrap_or(name);
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    valid.then(|| format!("microsoft.graph.{name}"))
}

/// The query for the options, or a usage error (already reported).
fn query(args: &ListArgs) -> Result<Query, Outcome> {
    let type_filter = match &args.odata_type {
        None => None,
        Some(name) => match qualified_type(name) {
            Some(qualified) => Some(format!("isof('{qualified}')")),
            None => {
                eprintln!(
                    "error: --type {:?} is not a type name (e.g. iosScepCertificateProfile)",
                    output::clean(name)
                );
                return Err(Outcome::BadInput);
            }
        },
    };
    let filter = args.filter.as_deref().map(str::trim);
    if filter == Some("") {
        eprintln!("error: --filter is empty");
        return Err(Outcome::BadInput);
    }
    let filter = match (type_filter, filter) {
        (Some(t), Some(f)) => Some(format!("{t} and ({f})")),
        (Some(t), None) => Some(t),
        (None, Some(f)) => Some(f.to_owned()),
        (None, None) => None,
    };
    let select: Vec<&str> = args.select.iter().map(|s| s.trim()).collect();
    if select.iter().any(|s| s.is_empty()) {
        eprintln!("error: --select has an empty property name");
        return Err(Outcome::BadInput);
    }
    let mut query = Query::new();
    if !select.is_empty() {
        query = query.select(select);
    }
    if let Some(filter) = filter {
        query = query.filter(filter);
    }
    if let Some(top) = args.top {
        query = query.top(top);
    }
    Ok(query)
}

pub(crate) async fn run(global: &GlobalArgs, args: ListArgs) -> Outcome {
    let query = or_return!(query(&args));
    let ctx = or_return!(context::connect(global).await);
    let configurations = ctx.client.device_configurations();
    let mut printer = Printer::new(ctx.format);

    if !args.all {
        let page = match configurations.list(&query).await {
            Ok(page) => page,
            Err(e) => return output::report(&e),
        };
        if let Err(e) = printer.items(&page.items).and_then(|()| printer.finish()) {
            return output::write_failed(&e);
        }
        if !page.is_last() {
            eprintln!("note: more items on further pages; use --all to list them all");
        }
        return Outcome::Success;
    }

    let mut pages = configurations.pages(&query);
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                if let Err(e) = printer.items(&page.items) {
                    return output::write_failed(&e);
                }
            }
            Err(e) => {
                // The JSON array is left open on purpose: a partial listing must not parse
                // as a complete one.
                let _ = printer.out.flush();
                let outcome = output::report(&e);
                eprintln!("  the listing stopped after {} page(s)", pages.pages_read());
                return outcome;
            }
        }
    }
    match printer.finish() {
        Ok(()) => Outcome::Success,
        Err(e) => output::write_failed(&e),
    }
}

/// Prints items as they come: table rows, or the elements of one JSON array (one item per
/// line), flushed after each batch.
struct Printer {
    format: Format,
    out: io::StdoutLock<'static>,
    table: Table,
    items: usize,
}

impl Printer {
    fn new(format: Format) -> Self {
        Printer { format, out: io::stdout().lock(), table: Table::new(CONFIGURATION_HEADERS), items: 0 }
    }

    fn items(&mut self, items: &[DeviceConfiguration]) -> io::Result<()> {
        match self.format {
            Format::Table => {
                let rows: Vec<Vec<String>> = items.iter().map(output::configuration_row).collect();
                if !rows.is_empty() {
                    self.table.print(&mut self.out, &rows)?;
                }
            }
            Format::Json => {
                for item in items {
                    self.out.write_all(if self.items == 0 { b"[\n" } else { b",\n" })?;
                    serde_json::to_writer(&mut self.out, item).map_err(io::Error::other)?;
                    self.items += 1;
                }
            }
        }
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        match self.format {
            Format::Table => self.table.finish(&mut self.out)?,
            Format::Json if self.items == 0 => self.out.write_all(b"[]\n")?,
            Format::Json => self.out.write_all(b"\n]\n")?,
        }
        self.out.flush()
    }
}
