//! What the model macros ask of the type of every field they declare.
//!
//! A field's type is the one home of what the code knows about the field's values: the
//! macros compile each model's list of flag-set properties (`FLAG_KEYS`) from it, so a new
//! flags field is listed by the compiler, not by hand. A field type that does not implement
//! [`FieldType`] fails the build of its model.

use serde_json::Value;

use super::{RawJson, Timestamp};

/// The type of a model field.
pub(crate) trait FieldType {
    /// Whether the value is a flag set (`"a,b"` on the wire): true for the `graph_flags!`
    /// types only.
    const FLAGS: bool = false;

    /// The value as text, when it is one (a `String`): how a model whose `@odata.type` is a
    /// field of its own (an unmodelled type) tells its write encoder the type it writes.
    fn as_text(&self) -> Option<&str> {
        None
    }
}

impl FieldType for String {
    fn as_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl FieldType for bool {}
impl FieldType for i32 {}
impl FieldType for i64 {}
impl FieldType for Timestamp {}
impl FieldType for Value {}
impl FieldType for RawJson {}

/// A list is not a flag set, whatever it holds (`osEditionTypes` is a list of enum members).
impl<T> FieldType for Vec<T> {}

impl<T: FieldType> FieldType for Box<T> {
    const FLAGS: bool = T::FLAGS;

    fn as_text(&self) -> Option<&str> {
        T::as_text(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{DeviceConfiguration, KeySize, KeyUsages, SubjectAlternativeNameType};

    #[test]
    fn flag_sets_are_told_apart_by_their_type() {
        let flags = [
            <KeyUsages as FieldType>::FLAGS,
            <Box<SubjectAlternativeNameType> as FieldType>::FLAGS,
            // A list of sets is not a set.
            <Vec<KeyUsages> as FieldType>::FLAGS,
            <KeySize as FieldType>::FLAGS,
            <String as FieldType>::FLAGS,
            <Box<DeviceConfiguration> as FieldType>::FLAGS,
        ];
        assert_eq!(flags, [true, true, false, false, false, false]);
        assert_eq!("x".to_owned().as_text(), Some("x"));
        assert_eq!(true.as_text(), None);
    }
}
