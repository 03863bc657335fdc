//! After the envelopes: `create_with` steps end as [`StepValue::Created`], and those whose
//! outcome is unknown are reconciled by the same code as
//! [`DeviceConfigurations::create_with`](crate::api::DeviceConfigurations::create_with).

use futures_util::future::join_all;

use super::{Step, StepKind, StepValue};
use crate::{
    GraphClient,
    api::{Created, Reconcile},
    error::Result,
    models::DeviceConfiguration,
};

/// Each step's final result: `create_with` steps settled, the others as they are.
/// Steps to reconcile are looked for side by side (each lookup is a call of its own).
pub(crate) async fn settle(
    client: &GraphClient,
    steps: &[Step],
    outcomes: Vec<Result<StepValue>>,
) -> Vec<Result<StepValue>> {
    join_all(steps.iter().zip(outcomes).map(|(step, outcome)| async move {
        if step.kind != StepKind::Created {
            return outcome;
        }
        let first = match outcome {
            Ok(StepValue::Configuration(object)) => Ok(*object),
            Ok(other) => return Ok(other),
            Err(error) => Err(error),
        };
        let created = match &step.reconcile {
            None => first.map(|object| Created { object, reconciled: false, reposts: 0 }),
            Some(plan) => reconcile(client, step, plan, first).await,
        };
        created.map(|created| StepValue::Created(Box::new(created)))
    }))
    .await
}

/// Reconciles one create step; a create sent again is the step's request as a single call.
async fn reconcile(
    client: &GraphClient,
    step: &Step,
    plan: &Reconcile,
    first: Result<DeviceConfiguration>,
) -> Result<Created<DeviceConfiguration>> {
    let again = || async { client.send(step.request.clone()).await?.decode_created() };
    client.device_configurations().reconcile_create(plan, first, again).await
}
