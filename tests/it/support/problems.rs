//! What a refused object's validation error names: the fields, or each problem as it reads.

use intune_graph::models::ValidationError;

/// The field paths of the problems, in the order they are reported.
pub fn problem_fields(err: &ValidationError) -> Vec<&str> {
    err.problems.iter().map(|p| p.field.as_str()).collect()
}

/// Each problem as it reads (`field: message`), in the order they are reported.
pub fn problem_texts(err: &ValidationError) -> Vec<String> {
    err.problems.iter().map(ToString::to_string).collect()
}
