//! Reads of many objects through `$batch`, in as few round trips as the limits allow.

use super::{BatchResults, StepValue};
use crate::{
    api::DeviceConfigurations,
    error::{Error, Result},
    models::{DeviceConfiguration, DeviceConfigurationAssignment, IosTrustedRootCertificate},
};

impl DeviceConfigurations {
    /// Reads many device configurations ([`get`](Self::get) for each id) through
    /// `$batch`, 20 per round trip; one result per id, in the order of `ids`.
    ///
    /// # Errors
    /// The outer error only before anything is sent (an empty id: [`Error::Config`]); each
    /// id's own failure (404, throttling past the retry policy…) is its entry.
    pub async fn get_many<S: AsRef<str>>(&self, ids: &[S]) -> Result<Vec<Result<DeviceConfiguration>>> {
        let mut batch = self.client().batch();
        for (n, id) in ids.iter().enumerate() {
            batch.get(n.to_string(), id.as_ref());
        }
        Ok(each(batch.send().await?, StepValue::into_configuration))
    }

    /// Reads the assignments of many device configurations
    /// ([`assignments`](Self::assignments) for each id) through `$batch`, 20 per round
    /// trip; one result per id, in the order of `ids`.
    ///
    /// # Errors
    /// As [`get_many`](Self::get_many).
    pub async fn assignments_many<S: AsRef<str>>(
        &self,
        ids: &[S],
    ) -> Result<Vec<Result<Vec<DeviceConfigurationAssignment>>>> {
        let mut batch = self.client().batch();
        for (n, id) in ids.iter().enumerate() {
            batch.assignments(n.to_string(), id.as_ref());
        }
        Ok(each(batch.send().await?, StepValue::into_assignments))
    }

    /// Reads the trusted roots linked to many SCEP profiles
    /// ([`root_certificate`](Self::root_certificate) for each id) through `$batch`, 20
    /// per round trip; one result per id (`None`: no root linked), in the order of `ids`.
    ///
    /// # Errors
    /// As [`get_many`](Self::get_many).
    pub async fn root_certificates_many<S: AsRef<str>>(
        &self,
        scep_ids: &[S],
    ) -> Result<Vec<Result<Option<IosTrustedRootCertificate>>>> {
        let mut batch = self.client().batch();
        for (n, id) in scep_ids.iter().enumerate() {
            batch.root_certificate(n.to_string(), id.as_ref());
        }
        Ok(each(batch.send().await?, StepValue::into_root_certificate))
    }
}

/// Each step's value through `into`, which cannot miss: every step of the batch is of the
/// kind `into` reads.
fn each<T>(results: BatchResults, into: fn(StepValue) -> Option<T>) -> Vec<Result<T>> {
    results
        .into_iter()
        .map(|(key, result)| {
            result.and_then(|value| {
                into(value).ok_or_else(|| {
                    Error::Config(format!("batch step {key:?} returned another kind of value"))
                })
            })
        })
        .collect()
}
