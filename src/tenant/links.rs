//! The reference calls the tenant job makes, for every edge of `models::schema::REFERENCES`:
//! reads of many objects' references through `$batch`, and the `$ref` writes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    api::DeviceConfigurations,
    models::schema::{self, Reference},
    odata::Query,
};

/// One reference of one object to read.
pub(crate) struct ReferenceRead<'a> {
    pub(crate) id: &'a str,
    pub(crate) odata_type: &'a str,
    pub(crate) reference: &'static Reference,
}

/// `deviceManagement/deviceConfigurations/{id}/microsoft.graph.{type}/{navigation}`, the id
/// percent-encoded.
fn navigation_path(id: &str, odata_type: &str, navigation: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!(
        "deviceManagement/deviceConfigurations/{id}/microsoft.graph.{}/{navigation}",
        schema::short_type(odata_type)
    )
}

/// The ids each reference points at (empty: none), one result per read, in order.
pub(crate) async fn read_many(
    configurations: &DeviceConfigurations,
    reads: &[ReferenceRead<'_>],
) -> crate::Result<Vec<crate::Result<Vec<String>>>> {
    let client = configurations.client();
    let mut batch = client.batch();
    for (n, read) in reads.iter().enumerate() {
        let path = navigation_path(read.id, read.odata_type, read.reference.navigation);
        batch.raw::<Value>(n.to_string(), Method::GET, &path, None);
    }
    let results = batch.send().await?;
    let mut out = Vec::with_capacity(reads.len());
    for (read, (_, result)) in reads.iter().zip(results) {
        let body = match result {
            Ok(value) => value.into_raw().map_or(Ok(Value::Null), |raw| raw.json::<Value>()),
            Err(e) if e.is_not_found() => Ok(Value::Null),
            Err(e) => Err(e),
        };
        out.push(match body {
            Ok(body) => ids_of(configurations, read, body).await,
            Err(e) => Err(e),
        });
    }
    Ok(out)
}

/// The target ids an answer holds: an object's id, or a page's (following its next links).
async fn ids_of(
    configurations: &DeviceConfigurations,
    read: &ReferenceRead<'_>,
    body: Value,
) -> crate::Result<Vec<String>> {
    let id_of = |v: &Value| v.get("id").and_then(Value::as_str).map(str::to_owned);
    if !read.reference.many {
        return Ok(id_of(&body).into_iter().collect());
    }
    let mut ids: Vec<String> =
        body.get("value").and_then(Value::as_array).into_iter().flatten().filter_map(id_of).collect();
    if let Some(next) = body.get("@odata.nextLink").and_then(Value::as_str) {
        let rest = configurations.client().list_items::<Value>(next, &Query::new()).collect_all().await?;
        ids.extend(rest.iter().filter_map(id_of));
    }
    Ok(ids)
}

/// The URL that names the object `id` in a bind or `$ref` body.
pub(crate) fn target_url(configurations: &DeviceConfigurations, id: &str) -> crate::Result<url::Url> {
    configurations.root_certificate_reference(id)
}

/// Points a single-valued reference at `target` (`PUT …/$ref`).
pub(crate) async fn set(
    configurations: &DeviceConfigurations,
    id: &str,
    odata_type: &str,
    navigation: &str,
    target: &str,
) -> crate::Result<()> {
    let body = json!({"@odata.id": target_url(configurations, target)?.as_str()});
    let path = format!("{}/$ref", navigation_path(id, odata_type, navigation));
    configurations
        .client()
        .request_raw(
            Method::PUT,
            &path,
            Some(serde_json::to_vec(&body).map_err(crate::Error::Encode)?.into()),
        )
        .await?;
    Ok(())
}

/// Adds `target` to a collection (`POST …/$ref`).
pub(crate) async fn add(
    configurations: &DeviceConfigurations,
    id: &str,
    odata_type: &str,
    navigation: &str,
    target: &str,
) -> crate::Result<()> {
    let body = json!({"@odata.id": target_url(configurations, target)?.as_str()});
    let path = format!("{}/$ref", navigation_path(id, odata_type, navigation));
    configurations
        .client()
        .request_raw(
            Method::POST,
            &path,
            Some(serde_json::to_vec(&body).map_err(crate::Error::Encode)?.into()),
        )
        .await?;
    Ok(())
}

/// Removes `target` from a collection (`DELETE …/{target}/$ref`), or clears a single-valued
/// reference (`DELETE …/$ref`) when `target` is `None`.
pub(crate) async fn remove(
    configurations: &DeviceConfigurations,
    id: &str,
    odata_type: &str,
    navigation: &str,
    target: Option<&str>,
) -> crate::Result<()> {
    let mut path = navigation_path(id, odata_type, navigation);
    if let Some(target) = target {
        path.push('/');
        path.extend(url::form_urlencoded::byte_serialize(target.as_bytes()));
    }
    path.push_str("/$ref");
    match configurations.client().request_raw(Method::DELETE, &path, None).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}
