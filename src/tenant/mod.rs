//! Configuration as code: a tenant's device configurations kept in files, compared with a
//! tenant, and brought to it — verified, and never saying "done" when it is not.
//!
//! - [`Snapshot`]: one file per object under a folder per type, every reference between
//!   configurations made portable (the target's `@odata.type` + display name, not an id),
//!   groups, filters and scope tags by name, deterministic bytes ([`Snapshot::write_dir`]
//!   never touches a file it did not write; [`Snapshot::read_dir`] reads every entry or
//!   refuses).
//! - [`export`](fn@export): a tenant → a [`Snapshot`], with notes on what could not be carried.
//! - [`plan`](fn@plan): **pure**, (snapshot, [`Target`]) → a [`Plan`]: actions ordered by the
//!   references between objects, field by field, with what each expects to find, the
//!   deployment warnings, and the problems that stop it. A plan is data: it is saved as
//!   JSON and applied later exactly as shown.
//! - [`apply`](fn@apply): executes a plan in waves, checks every answer, reads everything
//!   back and reports per object whether it was verified.
//!
//! Identity is (`@odata.type`, display name in Unicode NFC): two objects with the same
//! identity are a conflict, never a guess. Every read of the tenant goes through
//! [`TenantReader`]; what the code knows about a type (its references, its secrets) comes
//! from [`crate::models::schema`].

mod apply;
mod directory;
mod error;
mod export;
mod files;
mod folder;
mod group_map;
mod key;
mod links;
mod many;
mod normalize;
mod plan;
mod reader;
mod redact;
mod snapshot;

pub use apply::{ApplyEvent, ApplyOptions, ApplyReport, ObjectOutcome, Verification, apply};
pub use directory::{Directory, DirectoryKind};
pub use error::TenantError;
pub use export::{ExportOptions, export};
pub use folder::{MANIFEST, WrittenFiles};
pub use group_map::GroupMap;
pub use key::ObjectKey;
pub use many::{TenantRun, TenantSummary, TenantTarget, apply_many, apply_plans, plan_many};
pub use normalize::SERVER_OWNED_PROPERTIES;
pub use plan::{
    Action, AssignmentChange, CoverageWarning, Expected, FieldChange, Plan, PlanOptions, PlanProblem,
    PlannedReference, ReferenceChange, ReferenceTarget, SkipReason, Target, TargetObject, Wave, plan,
};
pub use reader::{TenantObject, TenantReader};
pub use snapshot::{AssignmentEntry, ReferenceValue, Snapshot, SnapshotEntry};

/// Reads the tenant behind `client` and plans `snapshot` against it: [`Target::read`], then
/// [`plan`](fn@plan).
///
/// # Errors
/// As [`Target::read`].
pub async fn plan_tenant(
    client: &crate::GraphClient,
    snapshot: &Snapshot,
    options: &PlanOptions,
) -> Result<Plan, TenantError> {
    let target = Target::read(client, snapshot, options).await?;
    let mut plan = plan(snapshot, &target, options);
    plan.base_url = Some(client.base_url().to_string());
    Ok(plan)
}
