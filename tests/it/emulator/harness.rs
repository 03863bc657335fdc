//! A started emulator and a plain HTTP client, for the tests that speak to it directly.

use intune_graph::emulator::{Emulator, RunningEmulator};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub const DC: &str = "/deviceManagement/deviceConfigurations";

pub struct Harness {
    pub emu: RunningEmulator,
    pub http: reqwest::Client,
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Harness {
    pub async fn start() -> Self {
        Self::with(Emulator::new()).await
    }

    pub async fn with(emulator: Emulator) -> Self {
        Self { emu: emulator.start().await.expect("emulator starts"), http: reqwest::Client::new() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    pub async fn raw(&self, req: reqwest::RequestBuilder) -> Resp {
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, text, body }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(self.emu.token());
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        self.raw(req).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    /// Creates an object; returns the 201's body.
    pub async fn created(&self, body: Value) -> Value {
        let r = self.call(Method::POST, DC, Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    /// Creates an object; returns its id.
    pub async fn create(&self, body: Value) -> String {
        self.created(body).await["id"].as_str().expect("id").to_owned()
    }
}

/// A status and Graph's error code.
pub fn assert_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["error"]["code"], code, "{}", r.text);
}

/// The emulator's explanation of an Intune-style error.
pub fn phrase(r: &Resp) -> String {
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    let doc: Value = serde_json::from_str(message).unwrap_or(Value::Null);
    doc["CustomApiErrorPhrase"].as_str().unwrap_or(message).to_owned()
}

/// A reference URL, as clients write them.
pub fn url(id: &str) -> String {
    format!("https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('{id}')")
}

/// The smallest body the emulator creates for `short_type` (a trusted root needs its
/// certificate).
pub fn minimal(short_type: &str, name: &str) -> Value {
    let mut body = json!({"@odata.type": format!("#microsoft.graph.{short_type}"), "displayName": name});
    if short_type.ends_with("TrustedRootCertificate") {
        body["trustedRootCertificate"] = json!("TUlJQmtUQ0IrUUlKQUtI");
        body["certFileName"] = json!("root.cer");
    }
    body
}

/// `base` with `extra`'s entries added.
pub fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    base
}

/// The ids of a page's `value`.
pub fn ids(page: &Value) -> Vec<&str> {
    page["value"].as_array().map_or_else(Vec::new, |v| v.iter().filter_map(|o| o["id"].as_str()).collect())
}
