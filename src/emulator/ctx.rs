//! What every `/beta` handler receives and returns: the request context and the
//! handler result. Its own file so the handlers share it without importing each other.

use axum::response::Response;

use super::errors::ApiError;
use super::state::Shared;

/// A handler result.
pub(crate) type HandlerResult = Result<Response, ApiError>;

/// What a `/beta` handler needs to know about its request.
pub(crate) struct Ctx<'a> {
    /// Shared state.
    pub(crate) shared: &'a Shared,
    /// `http://host:port/` used in `@odata.context` and `@odata.nextLink`.
    pub(crate) origin: String,
    /// The raw request path.
    pub(crate) path: &'a str,
    /// The raw query string.
    pub(crate) query: Option<&'a str>,
}

impl Ctx<'_> {
    /// `{origin}beta/$metadata#{fragment}`.
    pub(crate) fn metadata(&self, fragment: &str) -> String {
        format!("{}beta/$metadata#{fragment}", self.origin)
    }

    /// The canonical URL of a deviceConfiguration.
    pub(crate) fn entity_url(&self, id: &str) -> String {
        format!("{}beta/deviceManagement/deviceConfigurations('{id}')", self.origin)
    }
}
