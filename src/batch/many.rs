//! Reads of many objects through `$batch`, in as few round trips as the limits allow.

use super::{Batch, BatchResults, StepValue};
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
    /// The outer error only before anything is sent (an empty id: [`Error::InvalidArgument`]); each
    /// id's own failure (404, throttling past the retry policy…) is its entry.
    pub async fn get_many<S: AsRef<str>>(&self, ids: &[S]) -> Result<Vec<Result<DeviceConfiguration>>> {
        self.read_many(ids, Batch::get, StepValue::into_configuration).await
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
        self.read_many(ids, Batch::assignments, StepValue::into_assignments).await
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
        self.read_many(scep_ids, Batch::root_certificate, StepValue::into_root_certificate).await
    }

    /// Reads a single-valued reference of many objects of type `odata_type`
    /// ([`reference`](Self::reference) for each id) through `$batch`, 20 per round trip;
    /// one result per id (`None`: nothing linked), in the order of `ids`.
    ///
    /// # Errors
    /// As [`get_many`](Self::get_many); also [`Error::InvalidArgument`] when the schema
    /// gives `odata_type` no single-valued reference `navigation`.
    pub async fn reference_many<S: AsRef<str>>(
        &self,
        odata_type: &str,
        navigation: &str,
        ids: &[S],
    ) -> Result<Vec<Result<Option<DeviceConfiguration>>>> {
        self.read_references(odata_type, navigation, false, ids, StepValue::into_reference).await
    }

    /// Reads the members of a collection-valued reference of many objects of type
    /// `odata_type` ([`reference_members`](Self::reference_members) for each id) through
    /// `$batch`, 20 per round trip; one result per id, in the order of `ids`.
    ///
    /// # Errors
    /// As [`reference_many`](Self::reference_many), for a collection-valued reference.
    pub async fn reference_members_many<S: AsRef<str>>(
        &self,
        odata_type: &str,
        navigation: &str,
        ids: &[S],
    ) -> Result<Vec<Result<Vec<DeviceConfiguration>>>> {
        self.read_references(odata_type, navigation, true, ids, StepValue::into_reference_members).await
    }

    /// Reads reference `navigation` (collection-valued if `many`) of each id, once the
    /// schema says `odata_type` has such a reference.
    async fn read_references<S: AsRef<str>, T>(
        &self,
        odata_type: &str,
        navigation: &str,
        many: bool,
        ids: &[S],
        into: fn(StepValue) -> Option<T>,
    ) -> Result<Vec<Result<T>>> {
        self.expect_reference(odata_type, navigation, many)?;
        self.read_many(ids, |batch, key, id| batch.reference(key, id, odata_type, navigation), into).await
    }

    /// One step per id (keyed by position, so repeated ids are fine), then each step's
    /// value through `into`, which cannot miss: every step is of the kind `into` reads.
    async fn read_many<S: AsRef<str>, T>(
        &self,
        ids: &[S],
        add: impl for<'b> Fn(&'b mut Batch, String, &str) -> &'b mut Batch,
        into: fn(StepValue) -> Option<T>,
    ) -> Result<Vec<Result<T>>> {
        let mut batch = self.client().batch();
        for (n, id) in ids.iter().enumerate() {
            add(&mut batch, n.to_string(), id.as_ref());
        }
        Ok(each(batch.send().await?, into))
    }
}

/// Each step's value through `into`, in the steps' order.
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
