//! What a plan does: one [`Action`] per object, each knowing its [`Wave`], with what it
//! expects to find in the tenant, so that a saved plan is executed exactly as shown or not
//! at all.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::tenant::ObjectKey;

/// A stage of an apply. Objects are written in the order of the references between them:
/// first those that reference nothing (trusted roots first of all), then those whose
/// references point only at those (the certificate profiles bound to a root), then the rest
/// (the Wi-Fi, VPN and email profiles that use a certificate); then assignment sets, then
/// deletes (the referrers before what they reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Wave {
    /// Objects that reference no object of the snapshot.
    Roots,
    /// Objects that reference only objects of the first wave.
    Certificates,
    /// Objects that reference objects of the second wave.
    Profiles,
    /// Assignment sets.
    Assignments,
    /// Deletes (`prune`).
    Deletes,
}

impl Wave {
    /// The waves that write objects, in order.
    pub const OBJECTS: [Wave; 3] = [Wave::Roots, Wave::Certificates, Wave::Profiles];

    /// The object wave of a reference depth (0: references nothing of the snapshot).
    pub(crate) fn of_depth(depth: usize) -> Option<Wave> {
        Wave::OBJECTS.get(depth).copied()
    }

    /// Its name, as progress shows it.
    pub fn name(self) -> &'static str {
        match self {
            Wave::Roots => "roots",
            Wave::Certificates => "certificates",
            Wave::Profiles => "profiles",
            Wave::Assignments => "assignments",
            Wave::Deletes => "deletes",
        }
    }
}

/// What an action expects of the object it touches when it runs: the object as the plan
/// read it. An apply refuses a plan whose objects changed since (see [`crate::tenant::apply`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Expected {
    /// Its `version` (the service counts updates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Its `lastModifiedDateTime`, as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<String>,
}

/// One property that an update changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// The property's JSON name.
    pub field: String,
    /// Its value in the target (absent: `None`).
    pub before: Option<Value>,
    /// The value the file holds.
    pub after: Value,
}

/// An object a reference points at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReferenceTarget {
    /// Its identity (`None` only for a target the tenant's reference names by an id that
    /// no object of the tenant has).
    pub key: Option<ObjectKey>,
    /// Its id in the target tenant; `None` for an object this plan creates (apply binds the
    /// id the create returns).
    pub id: Option<String>,
}

/// A reference as a create binds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlannedReference {
    /// The navigation property.
    pub navigation: String,
    /// Whether it is a collection.
    pub many: bool,
    /// What it points at.
    pub targets: Vec<ReferenceTarget>,
}

/// A change of a reference of an existing object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReferenceChange {
    /// The navigation property.
    pub navigation: String,
    /// Whether it is a collection.
    pub many: bool,
    /// What it points at in the target.
    pub before: Vec<ReferenceTarget>,
    /// What the file says it points at.
    pub after: Vec<ReferenceTarget>,
}

/// A change of the assignment set (it is replaced as a whole).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AssignmentChange {
    /// The target's assignments.
    pub before: Vec<Map<String, Value>>,
    /// The assignments sent (groups, filters resolved to the target's ids).
    pub after: Vec<Map<String, Value>>,
}

/// Why an object of the snapshot is left out, by the user's own choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum SkipReason {
    /// A type the crate does not model, and unmodelled types were not included.
    Unmodelled,
    /// Not one of the types the plan was asked for.
    NotSelected,
}

impl SkipReason {
    /// The reason in words.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Unmodelled => "a type the crate does not model (not included; --include-unmodelled)",
            SkipReason::NotSelected => "not one of the types asked for (--type)",
        }
    }
}

/// What a plan does to one object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum Action {
    /// The target has no such object: create it (with its references bound), then assign it.
    Create {
        /// The object.
        key: ObjectKey,
        /// Its file.
        file: String,
        /// The wave it is created in.
        wave: Wave,
        /// The create body (scope tags resolved to the target's ids).
        object: Map<String, Value>,
        /// The references bound on create.
        references: Vec<PlannedReference>,
        /// The assignments it gets (`None`: the file does not say, none are sent).
        assignments: Option<Vec<Map<String, Value>>>,
        /// The type's secrets the file does not hold (set them by hand).
        not_restorable: Vec<String>,
    },
    /// The target's object differs.
    Update {
        /// The object.
        key: ObjectKey,
        /// Its file.
        file: String,
        /// The wave its properties and references are written in.
        wave: Wave,
        /// Its id in the target.
        id: String,
        /// What it was when planned.
        expected: Expected,
        /// The properties that change.
        changes: Vec<FieldChange>,
        /// The references that change.
        references: Vec<ReferenceChange>,
        /// The assignments, when they change.
        assignments: Option<AssignmentChange>,
        /// The type's secrets the file does not hold.
        not_restorable: Vec<String>,
    },
    /// The target's object is as the file says.
    NoChange {
        /// The object.
        key: ObjectKey,
        /// Its file.
        file: String,
        /// Its id in the target.
        id: String,
        /// What it was when planned.
        expected: Expected,
    },
    /// The identity (or a reference) is not unique: nothing is done.
    Conflict {
        /// The object.
        key: ObjectKey,
        /// The files with this identity.
        files: Vec<String>,
        /// The target objects with this identity.
        ids: Vec<String>,
        /// Why.
        reason: String,
    },
    /// `--prune`: the target object is not in the snapshot.
    Delete {
        /// The object.
        key: ObjectKey,
        /// Its id in the target.
        id: String,
        /// What it was when planned.
        expected: Expected,
        /// Deletes run by ascending order: an object before the objects it references.
        order: u32,
    },
    /// Left out by the user's own choice (reported; not a change).
    Skip {
        /// The object.
        key: ObjectKey,
        /// Its file.
        file: String,
        /// Why.
        reason: SkipReason,
    },
}

impl Action {
    /// The object acted on.
    pub fn key(&self) -> &ObjectKey {
        match self {
            Action::Create { key, .. }
            | Action::Update { key, .. }
            | Action::NoChange { key, .. }
            | Action::Conflict { key, .. }
            | Action::Delete { key, .. }
            | Action::Skip { key, .. } => key,
        }
    }

    /// The wave its object write runs in (`None`: it writes no object).
    pub fn wave(&self) -> Option<Wave> {
        match self {
            Action::Create { wave, .. } | Action::Update { wave, .. } => Some(*wave),
            Action::Delete { .. } => Some(Wave::Deletes),
            Action::NoChange { .. } | Action::Conflict { .. } | Action::Skip { .. } => None,
        }
    }

    /// Whether applying it writes.
    pub fn writes(&self) -> bool {
        match self {
            Action::Create { .. } | Action::Update { .. } | Action::Delete { .. } => true,
            Action::NoChange { .. } | Action::Conflict { .. } | Action::Skip { .. } => false,
        }
    }

    /// The id it touches in the target and what it expects of it there.
    pub fn expects(&self) -> Option<(&str, &Expected)> {
        match self {
            Action::Update { id, expected, .. }
            | Action::NoChange { id, expected, .. }
            | Action::Delete { id, expected, .. } => Some((id, expected)),
            Action::Create { .. } | Action::Conflict { .. } | Action::Skip { .. } => None,
        }
    }
}
