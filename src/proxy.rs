//! Which proxy, if any, carries requests to an origin.
//!
//! The rule: a plain-`http` origin (which [`GraphOrigin`](crate::origin::GraphOrigin) allows
//! only on loopback) is never reached through a proxy, because the proxy would read the
//! bearer token or the client secret in clear text and could answer in the origin's name.
//! An `https` origin may go through a proxy: reqwest tunnels it with `CONNECT`, so TLS runs
//! end to end and the proxy sees only the host name. Corporate networks need that.
//!
//! reqwest's own environment lookup (`HTTP_PROXY`, `ALL_PROXY`, … applied to every scheme)
//! is switched off on every client this crate builds; the environment is read here instead,
//! as documented on [`ProxyConfig::Environment`].

use std::fmt;

use url::Url;

/// How the client reaches `https` origins (Graph and the sign-in authority). Plain-`http`
/// loopback origins are always reached directly, whatever this says.
///
/// Set with [`GraphClientBuilder::proxy`](crate::GraphClientBuilder::proxy) or
/// [`no_proxy`](crate::GraphClientBuilder::no_proxy); the client passes it on to a
/// [`ClientSecretCredential`](crate::auth::ClientSecretCredential) for the token endpoint.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyConfig {
    /// The default: the first non-empty of `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY` and
    /// `all_proxy`, except for hosts listed in `NO_PROXY` (or `no_proxy`). `HTTP_PROXY` and
    /// `http_proxy` are never read: they are for plain-http origins, which are never proxied.
    #[default]
    Environment,
    /// No proxy at all; the environment is ignored.
    Direct,
    /// This proxy (`http://host:port`, `https://…`, or `host:port`; it may carry
    /// `user:password@`), for every `https` origin. The environment is ignored.
    Url(String),
}

impl fmt::Debug for ProxyConfig {
    /// A proxy URL's user info is a credential: it is left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyConfig::Environment => f.write_str("Environment"),
            ProxyConfig::Direct => f.write_str("Direct"),
            ProxyConfig::Url(url) => f.debug_tuple("Url").field(&without_userinfo(url)).finish(),
        }
    }
}

/// `url` with any `user:password@` replaced by `[redacted]@`.
fn without_userinfo(url: &str) -> String {
    match url.rfind('@') {
        Some(at) => {
            let start = url.find("://").map_or(0, |i| i + 3).min(at);
            format!("{}[redacted]{}", &url[..start], &url[at..])
        }
        None => url.to_owned(),
    }
}

/// The proxy a request to one origin goes through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProxyRoute {
    /// The proxy, as given (reqwest accepts a missing scheme).
    pub(crate) url: String,
    /// The variable the proxy came from, for error messages (never the value: it may hold
    /// a password).
    pub(crate) source: &'static str,
    /// Hosts that bypass the proxy, in `NO_PROXY` syntax.
    pub(crate) no_proxy: Option<String>,
}

const HTTPS_PROXY_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
const NO_PROXY_VARS: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// The proxy for requests to `origin`, with the environment read through `env`.
///
/// `None` for a plain-http origin, whatever the configuration: the rule of this module.
pub(crate) fn route(
    config: &ProxyConfig,
    origin: &Url,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<ProxyRoute> {
    if origin.scheme() != "https" {
        return None;
    }
    let first = |names: &[&'static str]| {
        names.iter().find_map(|&name| {
            let value = env(name)?.trim().to_owned();
            (!value.is_empty()).then_some((name, value))
        })
    };
    match config {
        ProxyConfig::Direct => None,
        ProxyConfig::Url(url) => Some(ProxyRoute {
            url: url.trim().to_owned(),
            source: "GraphClientBuilder::proxy",
            no_proxy: None,
        }),
        ProxyConfig::Environment => {
            let (source, url) = first(&HTTPS_PROXY_VARS)?;
            Some(ProxyRoute { url, source, no_proxy: first(&NO_PROXY_VARS).map(|(_, list)| list) })
        }
    }
}

/// The process environment, as [`route`] reads it.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `builder` with reqwest's own proxy lookup switched off and the proxy that [`route`]
/// chooses for `origin` (if any) set.
///
/// The error names where the proxy came from, never its URL (it may hold a password).
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    config: &ProxyConfig,
    origin: &Url,
) -> Result<reqwest::ClientBuilder, String> {
    // `no_proxy()` first: it clears every proxy and reqwest's environment lookup.
    let builder = builder.no_proxy();
    let Some(route) = route(config, origin, &process_env) else {
        return Ok(builder);
    };
    // `Proxy::https` applies to https targets only: a second guard for the rule above.
    let proxy = reqwest::Proxy::https(route.url.as_str())
        .map_err(|_| format!("the proxy given by {} is not a usable URL", route.source))?
        .no_proxy(route.no_proxy.as_deref().and_then(reqwest::NoProxy::from_string));
    Ok(builder.proxy(proxy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// Every proxy variable set, as a hostile or careless environment would have it.
    fn everything(name: &str) -> Option<String> {
        Some(format!("http://proxy-from-{name}:3128"))
    }

    #[test]
    fn a_plain_http_origin_is_never_proxied() {
        let origin = url("http://127.0.0.1:8080/beta");
        for config in
            [ProxyConfig::Environment, ProxyConfig::Url("http://proxy:3128".into()), ProxyConfig::Direct]
        {
            assert_eq!(route(&config, &origin, &everything), None, "{config:?}");
        }
    }

    #[test]
    fn an_https_origin_takes_the_explicit_proxy_and_ignores_the_environment() {
        let config = ProxyConfig::Url(" http://proxy.corp:3128 ".into());
        let chosen = route(&config, &url("https://graph.microsoft.com/beta"), &everything).unwrap();
        assert_eq!(
            chosen,
            ProxyRoute {
                url: "http://proxy.corp:3128".into(),
                source: "GraphClientBuilder::proxy",
                no_proxy: None
            }
        );
        assert_eq!(route(&ProxyConfig::Direct, &url("https://graph.microsoft.com/beta"), &everything), None);
    }

    #[test]
    fn the_environment_gives_https_proxy_first_and_never_http_proxy() {
        let graph = url("https://graph.microsoft.com/beta");
        let chosen = route(&ProxyConfig::Environment, &graph, &everything).unwrap();
        assert_eq!(chosen.url, "http://proxy-from-HTTPS_PROXY:3128");
        assert_eq!(chosen.source, "HTTPS_PROXY");
        assert_eq!(chosen.no_proxy.as_deref(), Some("http://proxy-from-NO_PROXY:3128"));

        let only = |set: &'static [(&'static str, &'static str)]| {
            move |name: &str| set.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let env = only(&[("HTTP_PROXY", "http://p:1"), ("http_proxy", "http://p:2")]);
        assert_eq!(route(&ProxyConfig::Environment, &graph, &env), None);
        let env = only(&[("HTTPS_PROXY", "  "), ("all_proxy", "p:3"), ("no_proxy", "graph.microsoft.com")]);
        assert_eq!(
            route(&ProxyConfig::Environment, &graph, &env),
            Some(ProxyRoute {
                url: "p:3".into(),
                source: "all_proxy",
                no_proxy: Some("graph.microsoft.com".into())
            })
        );
        assert_eq!(route(&ProxyConfig::Environment, &graph, &only(&[])), None);
    }

    #[test]
    fn configure_refuses_an_unusable_proxy_without_echoing_it() {
        let config = ProxyConfig::Url("http://user:hunter2@[::1".into());
        let error = configure(reqwest::Client::builder(), &config, &url("https://graph.microsoft.com"))
            .expect_err("an unusable proxy URL is refused");
        assert_eq!(error, "the proxy given by GraphClientBuilder::proxy is not a usable URL");
        assert!(configure(reqwest::Client::builder(), &config, &url("http://127.0.0.1:1")).is_ok());
    }

    #[test]
    fn debug_hides_the_proxy_password() {
        let config = ProxyConfig::Url("http://user:hunter2@proxy.corp:3128".into());
        assert_eq!(format!("{config:?}"), r#"Url("http://[redacted]@proxy.corp:3128")"#);
        assert_eq!(format!("{:?}", ProxyConfig::Url("proxy:1".into())), r#"Url("proxy:1")"#);
        assert_eq!(format!("{:?}", ProxyConfig::default()), "Environment");
    }
}
