//! The escape hatch: typed or raw JSON on any path, through the same send path (token,
//! origin check, error classification).

use crate::support::mock::*;
use bytes::Bytes;
use futures_util::TryStreamExt;
use intune_graph::{Error, odata::Query};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Overview {
    success_count: i32,
    failed_count: i32,
}

#[tokio::test]
async fn request_json_on_a_relative_path() {
    let server = MockServer::start().await;
    when("GET", item("p1/deviceStatusOverview"))
        .and(query_is("$select=successCount,failedCount"))
        .and(header("authorization", BEARER))
        .respond_with(ok_json(json!({"id": "x", "successCount": 3, "failedCount": 1})))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let overview: Overview = client
        .request_json(
            Method::GET,
            "/deviceManagement/deviceConfigurations/p1/deviceStatusOverview?$select=successCount,failedCount",
            None::<&()>,
        )
        .await
        .unwrap();
    assert_eq!((overview.success_count, overview.failed_count), (3, 1));
    let value: Value = client
        .get_json(
            "deviceManagement/deviceConfigurations/p1/deviceStatusOverview?$select=successCount,failedCount",
        )
        .await
        .unwrap();
    assert_eq!(value["successCount"], 3);
}

#[tokio::test]
async fn request_json_with_a_body_and_a_204() {
    let server = MockServer::start().await;
    let body =
        json!({"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "passwordRequired": true});
    when("PATCH", item("w1"))
        .and(header("content-type", "application/json"))
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let () = client
        .request_json(Method::PATCH, "deviceManagement/deviceConfigurations/w1", Some(&body))
        .await
        .unwrap();
    let nothing: Option<Value> = client
        .request_json(Method::PATCH, "deviceManagement/deviceConfigurations/w1", Some(&body))
        .await
        .unwrap();
    assert!(nothing.is_none());
}

#[tokio::test]
async fn request_raw_returns_status_and_bytes_and_errors_keep_the_status() {
    let server = MockServer::start().await;
    when("POST", item("p1/hasPayloadLinks"))
        .and(body_json(json!({"payloadIds": ["a"]})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"value":[]}"#, "application/json"))
        .mount_once(&server)
        .await;
    when("GET", "/beta/nope")
        .respond_with(ResponseTemplate::new(400).set_body_string("<html>bad</html>"))
        .mount_once(&server)
        .await;
    let client = client(&server);
    let response = client
        .request_raw(
            Method::POST,
            "deviceManagement/deviceConfigurations/p1/hasPayloadLinks",
            Some(Bytes::from_static(br#"{"payloadIds":["a"]}"#)),
        )
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.body().as_ref(), br#"{"value":[]}"#);
    assert_eq!(response.json::<Value>().unwrap(), json!({"value": []}));
    let err = client.request_raw(Method::GET, "nope", None).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains("bad"), "{err}");
}

#[tokio::test]
async fn absolute_urls_must_have_the_graph_origin() {
    let server = MockServer::start().await;
    let foreign = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&foreign).await;
    when("GET", item("p1")).respond_with(ok_json(scep_json("p1"))).mount_once(&server).await;
    let client = client(&server);
    let same: Value = client.get_json(&format!("{}{}", server.uri(), item("p1"))).await.unwrap();
    assert_eq!(same["id"], "p1");
    let err = client.get_json::<Value>(&format!("{}{}", foreign.uri(), item("p1"))).await.unwrap_err();
    assert!(matches!(err, Error::Origin(_)), "{err:?}");
    let err = client
        .request_raw(Method::GET, "https://graph.microsoft.com.evil.example/beta/x", None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Origin(_)), "{err:?}");
}

#[tokio::test]
async fn list_items_pages_any_collection() {
    let server = MockServer::start().await;
    let statuses = item("p1/deviceStatuses");
    when("GET", statuses.clone())
        .and(query_is("$top=1"))
        .respond_with(ok_json(json!({
            "value": [{"id": "d1", "status": "compliant"}],
            "@odata.nextLink": format!("{}{statuses}?$top=1&$skiptoken=x", server.uri())
        })))
        .mount_once(&server)
        .await;
    when("GET", statuses)
        .and(query_is("$top=1&$skiptoken=x"))
        .respond_with(ok_json(json!({"value": [{"id": "d2", "status": "error"}]})))
        .mount_once(&server)
        .await;
    let items: Vec<Value> = client(&server)
        .list_items("deviceManagement/deviceConfigurations/p1/deviceStatuses", &Query::new().top(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.iter().map(|i| i["id"].as_str().unwrap()).collect::<Vec<_>>(), ["d1", "d2"]);
}
