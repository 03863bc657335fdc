//! The reviewer's view of a plan: one line per object, then what changes, field by field,
//! reference by reference; warnings, problems, and a count.

use std::fmt;

use serde_json::Value;

use super::{Action, CoverageWarning, Plan, PlannedReference, ReferenceChange, ReferenceTarget};
use crate::untrusted::{Untrusted, escape};

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for action in &self.actions {
            write_action(f, action)?;
        }
        for warning in &self.warnings {
            writeln!(f, "{}", describe_warning(warning))?;
        }
        for problem in &self.problems {
            writeln!(f, "problem: {}", Untrusted(&problem.to_string()))?;
        }
        let count = |pred: fn(&Action) -> bool| self.actions.iter().filter(|a| pred(a)).count();
        write!(
            f,
            "{} to create, {} to update, {} to delete, {} unchanged, {} conflicts, {} skipped",
            count(|a| matches!(a, Action::Create { .. })),
            count(|a| matches!(a, Action::Update { .. })),
            count(|a| matches!(a, Action::Delete { .. })),
            count(|a| matches!(a, Action::NoChange { .. })),
            count(|a| matches!(a, Action::Conflict { .. })),
            count(|a| matches!(a, Action::Skip { .. })),
        )?;
        match self.problems.len() {
            0 => writeln!(f),
            n => writeln!(f, ", {n} problems (nothing can be applied)"),
        }
    }
}

/// The sentence of a coverage warning.
pub(crate) fn describe_warning(warning: &CoverageWarning) -> String {
    format!(
        "warning: {} is assigned to {} that its {} {} is not: the profile will fail there",
        warning.key,
        escape(&warning.uncovered.join(", ")),
        warning.navigation,
        warning.certificate
    )
}

// JSON escapes control characters; the invisible bidi and format characters a tenant's
// text may hold are escaped too, so a value cannot disguise what changes.
fn compact(value: &Value) -> String {
    escape(&serde_json::to_string(value).unwrap_or_default()).into_owned()
}

fn write_action(f: &mut fmt::Formatter<'_>, action: &Action) -> fmt::Result {
    match action {
        Action::Create { key, references, assignments, not_restorable, .. } => {
            writeln!(f, "+ create {key}")?;
            for reference in references {
                write_planned(f, reference)?;
            }
            if let Some(set) = assignments {
                writeln!(f, "    assignments: {}", set.len())?;
            }
            write_not_restorable(f, not_restorable)
        }
        Action::Update { key, id, changes, references, assignments, not_restorable, .. } => {
            writeln!(f, "~ update {key} ({})", Untrusted(id))?;
            for change in changes {
                let before = change.before.as_ref().map_or("(absent)".into(), compact);
                writeln!(f, "    {}: {before} → {}", change.field, compact(&change.after))?;
            }
            for change in references {
                write_reference_change(f, change)?;
            }
            if let Some(change) = assignments {
                writeln!(f, "    assignments: {} → {}", change.before.len(), change.after.len())?;
                for a in &change.before {
                    writeln!(f, "      - {}", compact(&Value::Object(a.clone())))?;
                }
                for a in &change.after {
                    writeln!(f, "      + {}", compact(&Value::Object(a.clone())))?;
                }
            }
            write_not_restorable(f, not_restorable)
        }
        Action::NoChange { key, .. } => writeln!(f, "= no change {key}"),
        Action::Conflict { key, files, ids, reason } => writeln!(
            f,
            "! conflict {key}: {}; nothing done (files: {}; ids: {})",
            Untrusted(reason),
            none_or(files),
            Untrusted(&none_or(ids))
        ),
        Action::Delete { key, id, .. } => writeln!(f, "- delete {key} ({})", Untrusted(id)),
        Action::Skip { key, reason, .. } => writeln!(f, "  skip {key}: {}", reason.describe()),
    }
}

fn none_or(items: &[String]) -> String {
    if items.is_empty() { "none".into() } else { items.join(", ") }
}

fn describe_target(target: &ReferenceTarget) -> String {
    match (&target.key, &target.id) {
        (Some(key), Some(_)) => key.to_string(),
        (Some(key), None) => format!("{key} (created by this plan)"),
        (None, Some(id)) => format!("{} (not in the tenant)", Untrusted(id)),
        (None, None) => "(nothing)".into(),
    }
}

fn describe_targets(targets: &[ReferenceTarget], many: bool) -> String {
    match (targets, many) {
        ([], false) => "(none)".into(),
        ([], true) => "[]".into(),
        ([one], false) => describe_target(one),
        (several, _) => format!("[{}]", several.iter().map(describe_target).collect::<Vec<_>>().join(", ")),
    }
}

fn write_planned(f: &mut fmt::Formatter<'_>, reference: &PlannedReference) -> fmt::Result {
    writeln!(f, "    {} → {}", reference.navigation, describe_targets(&reference.targets, reference.many))
}

fn write_reference_change(f: &mut fmt::Formatter<'_>, change: &ReferenceChange) -> fmt::Result {
    writeln!(
        f,
        "    {}: {} → {}",
        change.navigation,
        describe_targets(&change.before, change.many),
        describe_targets(&change.after, change.many)
    )
}

fn write_not_restorable(f: &mut fmt::Formatter<'_>, names: &[String]) -> fmt::Result {
    if names.is_empty() {
        return Ok(());
    }
    writeln!(f, "    not restorable (the service never returns them; set by hand): {}", names.join(", "))
}
