//! One builder for every typed device configuration: the common fields and references
//! here, each type's own fields next to its model.

use super::{ConfigurationObject, ValidationError, ValidationProblem};

/// Builds a typed device configuration for a create call, e.g.
/// [`IosEnterpriseWiFiConfiguration::builder`](super::IosEnterpriseWiFiConfiguration::builder).
///
/// The setters of the common fields and [`reference`](Self::reference) are here; each type
/// adds setters of its own fields. [`build`](Self::build) runs the same validation as
/// `create` and reports every missing or invalid field at once, a reference that could not
/// be bound included.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ConfigurationBuilder<T> {
    object: T,
    /// Problems found while setting (a refused reference), reported by `build`.
    problems: Vec<ValidationProblem>,
}

impl<T: ConfigurationObject + Default> ConfigurationBuilder<T> {
    /// An empty configuration.
    pub fn new() -> Self {
        ConfigurationBuilder { object: T::default(), problems: Vec::new() }
    }

    /// Display name (required).
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.object.base_mut().display_name = Some(name.into());
        self
    }

    /// Description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.object.base_mut().description = Some(description.into());
        self
    }

    /// Scope tag ids.
    pub fn role_scope_tag_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.object.base_mut().role_scope_tag_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Binds the reference `navigation` of this type (see
    /// [`schema::references`](super::schema::references)) to `target`, a created
    /// configuration; the types' own methods (e.g. `identity_certificate`) name theirs.
    /// A target without an id or of a type the reference does not accept is reported by
    /// [`build`](Self::build), naming `navigation`.
    pub fn reference(mut self, navigation: &str, target: &impl ConfigurationObject) -> Self {
        if let Err(refused) = self.object.bind_reference(navigation, target) {
            self.problems.extend(refused.problems);
        }
        self
    }

    /// Checks the configuration and returns it, or every problem found.
    ///
    /// # Errors
    /// The refused references, then the problems of the type's validation (those about a
    /// refused reference left out: it is reported once).
    pub fn build(self) -> Result<T, ValidationError> {
        let mut problems = self.problems;
        if let Err(invalid) = self.object.validate() {
            let reported = problems.len();
            for problem in invalid.problems {
                if !problems[..reported].iter().any(|p| p.field == problem.field) {
                    problems.push(problem);
                }
            }
        }
        if problems.is_empty() { Ok(self.object) } else { Err(ValidationError { problems }) }
    }

    /// Runs `set` on the configuration: a setter in one line.
    pub(crate) fn with(mut self, set: impl FnOnce(&mut T)) -> Self {
        set(&mut self.object);
        self
    }
}

/// Setters that give one field of a builder's configuration a value: `name(Type) =>
/// path.to.field;` each, `Type` converted with `Into`.
macro_rules! builder_setters {
    (
        $model:ty {
            $( $(#[$meta:meta])* $method:ident($arg:ty) => $($field:ident).+ ; )+
        }
    ) => {
        impl $crate::models::ConfigurationBuilder<$model> {
            $(
                $(#[$meta])*
                pub fn $method(self, value: $arg) -> Self {
                    self.with(|object| object.$($field).+ = Some(value.into()))
                }
            )+
        }
    };
}
