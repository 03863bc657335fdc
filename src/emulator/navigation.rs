//! Type-cast navigation of a configuration: the entity behind a cast segment and the
//! certificate profiles' `managedDeviceCertificateStates` (references are in
//! `reference_routes`, assignments in `assignments`).

use axum::http::StatusCode;

use super::ctx::{Ctx, HandlerResult};
use super::errors::{ApiError, not_found};
use super::store::{Entry, Store};
use super::types;
use super::wire::{self, EntityView, ListBody};

/// The entry behind a type-cast segment: 404 when missing or of another type.
pub(crate) fn cast_entry<'a>(store: &'a Store, id: &str, cast_type: &str) -> Result<&'a Entry, ApiError> {
    let entry = store.get(id).ok_or_else(|| not_found(id))?;
    if !types::is_a(entry.odata_type(), cast_type) {
        return Err(ApiError::NotFound(format!(
            "The deviceConfiguration '{id}' is not a '{}'.",
            types::short(cast_type)
        )));
    }
    Ok(entry)
}

/// `GET …/{id}/microsoft.graph.<certificate profile>/managedDeviceCertificateStates`.
pub(crate) fn certificate_states(ctx: &Ctx<'_>, id: &str, cast: &str) -> HandlerResult {
    let cast_type = types::normalize(cast)
        .filter(|t| types::short(t).ends_with("CertificateProfile"))
        .ok_or(ApiError::NoRoute)?;
    let store = ctx.shared.read();
    let entry = cast_entry(&store, id, &cast_type)?;
    let context = ctx.metadata(&format!(
        "deviceManagement/deviceConfigurations('{}')/{}/managedDeviceCertificateStates",
        entry.id(),
        cast_type.trim_start_matches('#')
    ));
    let body = ListBody {
        context: &context,
        count: None,
        next_link: None,
        value: entry.certificate_states.iter().map(EntityView::plain).collect::<Vec<_>>(),
    };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&body)))
}
