//! Configuration as code: a tenant's device configurations kept in files, compared with a
//! tenant, and brought to it — idempotently.
//!
//! - [`Snapshot`]: one file per object under a folder per type, references made portable
//!   (a SCEP profile's `rootCertificate` is the root's `@odata.type` + display name, not an
//!   id), deterministic bytes ([`Snapshot::write_dir`], [`Snapshot::read_dir`]).
//! - [`export`](fn@export): a tenant → a [`Snapshot`].
//! - [`plan`](fn@plan): **pure**, (snapshot, target objects) → the actions that would bring the
//!   target to the snapshot, field by field, plus deployment warnings.
//! - [`apply`](fn@apply): executes a plan in waves (roots, the profiles bound to them,
//!   assignments, deletes) and reports per object.
//!
//! Identity is (`@odata.type`, display name): two target objects with the same identity are
//! a conflict, never a guess. Every read of the tenant goes through [`TenantReader`].

mod apply;
mod error;
mod export;
mod files;
mod groups;
mod normalize;
mod plan;
mod reader;
mod snapshot;

pub use apply::{ApplyEvent, ApplyOptions, ApplyReport, ObjectOutcome, Wave, apply};
pub use error::TenantError;
pub use export::{ExportOptions, export};
pub use normalize::{SERVER_OWNED_PROPERTIES, is_write_only_property};
pub use plan::{
    Action, AssignmentChange, CoverageWarning, FieldChange, GroupMap, Plan, PlanOptions, RootChange,
    TargetObject, plan,
};
pub use reader::{TenantObject, TenantReader};
pub use snapshot::{AssignmentEntry, ObjectKey, Snapshot, SnapshotEntry};
