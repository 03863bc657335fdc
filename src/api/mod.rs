//! Resource handles: each builds requests for one part of Graph and hands them to the
//! client's send path.
//!
//! - [`DeviceConfigurations`] (`client.device_configurations()`): the typed
//!   `deviceManagement/deviceConfigurations` surface.
//! - The escape hatch on [`GraphClient`](crate::GraphClient): `request_json`, `get_json`,
//!   `request_raw` ([`RawGraphResponse`]), `list_pages` and `list_items` reach any Graph
//!   path through the same send path.

pub(crate) mod device_configurations;
mod reconcile;
pub(crate) mod references;

pub use crate::client::raw::RawGraphResponse;
pub use device_configurations::DeviceConfigurations;
pub(crate) use reconcile::Reconcile;
pub use reconcile::{CreateOptions, Created, ReconcileBy};
