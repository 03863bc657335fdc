//! `deviceManagement/deviceConfigurations`.

use reqwest::Method;

use crate::{
    GraphClient,
    error::{Error, Result},
    models::GraphEntity,
    pipeline::ApiRequest,
};

/// The path of the collection, relative to the base URL.
const COLLECTION: &str = "deviceManagement/deviceConfigurations";

/// The `deviceConfigurations` collection of a tenant. Owned and cheap to clone, so it can
/// be moved into a task.
#[derive(Clone, Debug)]
pub struct DeviceConfigurations {
    client: GraphClient,
}

impl DeviceConfigurations {
    pub(crate) fn new(client: GraphClient) -> Self {
        DeviceConfigurations { client }
    }

    /// Creates a device configuration (`POST …/deviceConfigurations`) and returns the
    /// object the service created (`201 Created`), with its id and timestamps.
    ///
    /// The object is validated first (unless the client was built with
    /// `skip_validation`), and only its writable fields are sent.
    ///
    /// # Errors
    /// [`Error::Validation`] before anything is sent; [`Error::Graph`] when the service
    /// refuses; [`Error::OutcomeUnknown`] when the create may or may not have happened (it is
    /// not re-sent); [`Error::Decode`] when the response does not decode.
    pub async fn create<T: GraphEntity>(&self, object: &T) -> Result<T> {
        let request = self.create_request(object)?;
        self.client.pipeline().send(request).await?.decode()
    }

    /// The create request for `object`, without sending it.
    pub(crate) fn create_request<T: GraphEntity>(&self, object: &T) -> Result<ApiRequest> {
        if self.client.validates() {
            object.validate()?;
        }
        let body = object.to_write_json().map_err(Error::Encode)?;
        Ok(ApiRequest::new(Method::POST, self.client.url(COLLECTION)?).with_json_body(body))
    }
}
