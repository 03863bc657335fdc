//! The token-safety rule: a bearer token is only ever sent to the configured Graph origin.
//!
//! "Origin" is exact: scheme, host and port must all match the base URL the client was
//! built with. Prefix or suffix tests are what broke other Graph clients
//! (`https://graph.microsoft.com.evil.example`, `https://graph.microsoft.com@evil.example`),
//! so nothing here compares strings loosely. The checks are pure functions; the pipeline
//! calls [`GraphOrigin::check`] before every request (including `@odata.nextLink` pages),
//! and the client's redirect policy applies the same rule to redirects.

use std::fmt;

use url::{Host, Url};

/// The scheme, host and port that may receive the bearer token.
///
/// Built from the configured base URL with [`GraphOrigin::new`], which refuses anything that
/// would make the rule ambiguous or unsafe (plain `http` to a non-loopback host, user info,
/// a query or fragment, a trailing dot in the host).
///
/// ```
/// # use url::Url;
/// use intune_graph::origin::GraphOrigin;
///
/// let origin = GraphOrigin::new(&Url::parse("https://graph.microsoft.com/beta").unwrap()).unwrap();
/// assert!(origin.check(&Url::parse("https://GRAPH.microsoft.com:443/beta/x").unwrap()).is_ok());
/// assert!(origin.check(&Url::parse("https://graph.microsoft.com.evil.example/").unwrap()).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GraphOrigin {
    https: bool,
    /// As serialized by `url` (lower-case, punycode, IPv6 in brackets), so comparing the
    /// strings compares the hosts.
    host: String,
    port: u16,
    loopback: bool,
}

impl GraphOrigin {
    /// The origin of `base`, the Graph base URL the client talks to.
    ///
    /// `https` is required, except that plain `http` is allowed to a loopback host
    /// (`127.0.0.0/8`, `[::1]`, `localhost`) so tests and the emulator need no TLS.
    pub fn new(base: &Url) -> Result<Self, OriginError> {
        let https = match base.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(OriginError::UnsupportedScheme { scheme: other.to_owned() }),
        };
        if has_userinfo(base) {
            return Err(OriginError::UserInfo);
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(OriginError::QueryOrFragment);
        }
        let host = base.host().ok_or(OriginError::MissingHost)?;
        let loopback = is_loopback(&host);
        let host = base.host_str().unwrap_or_default().to_ascii_lowercase();
        if host.ends_with('.') {
            // `graph.microsoft.com.` resolves to the same server but is a different string;
            // one spelling keeps the exact comparison exact.
            return Err(OriginError::TrailingDot { host });
        }
        if !https && !loopback {
            return Err(OriginError::InsecureHttp { host });
        }
        // http and https always have a known default port.
        let port = base.port_or_known_default().ok_or(OriginError::MissingHost)?;
        Ok(GraphOrigin { https, host, port, loopback })
    }

    /// `Ok` when `target` has exactly this origin and carries no user info; otherwise the
    /// first mismatch, in the order user info, scheme, host, port.
    ///
    /// The error never contains the target's path or query (a `$skiptoken` is not a
    /// secret, but a caller-built URL could carry one).
    pub fn check(&self, target: &Url) -> Result<(), OriginError> {
        if has_userinfo(target) {
            return Err(OriginError::UserInfo);
        }
        if target.scheme() != self.scheme() {
            return Err(OriginError::SchemeMismatch {
                expected: self.scheme(),
                found: truncate(target.scheme(), 16),
            });
        }
        // `url` already lower-cases and normalizes hosts of http(s) URLs; the extra
        // case-insensitive comparison costs nothing and does not depend on that.
        let host = target.host_str().unwrap_or_default();
        if !host.eq_ignore_ascii_case(&self.host) {
            return Err(OriginError::HostMismatch {
                expected: self.host.clone(),
                found: truncate(host, 255),
            });
        }
        // An explicit default port (`:443`) equals an implicit one.
        let port = target.port_or_known_default();
        if port != Some(self.port) {
            return Err(OriginError::PortMismatch { expected: self.port, found: port });
        }
        Ok(())
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// The host, lower-case (IPv6 addresses in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The effective port (443 for `https` unless another was given).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// True for `127.0.0.0/8`, `[::1]` and `localhost`.
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }
}

impl fmt::Display for GraphOrigin {
    /// `scheme://host[:port]`, the port only when it is not the scheme's default.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default = if self.https { 443 } else { 80 };
        write!(f, "{}://{}", self.scheme(), self.host)?;
        if self.port != default {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

fn has_userinfo(url: &Url) -> bool {
    // `https://@host/` has an empty user name but still an `@`; `url` drops it when
    // parsing, so an empty user and no password means no user info.
    !url.username().is_empty() || url.password().is_some()
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        // Only the exact name: `localhost.evil.example` and `foo.localhost` are not
        // guaranteed to resolve to this machine.
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// `s` cut to `max` characters, with `…` when something was cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Why a URL may not receive the bearer token, or may not serve as the Graph base URL.
///
/// Messages name the scheme, host and port involved, never a path, query or credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginError {
    /// The base URL's scheme is neither `https` nor `http`.
    #[error("unsupported URL scheme {scheme:?}: only https (or http to a loopback host) is allowed")]
    UnsupportedScheme {
        /// The scheme that was given.
        scheme: String,
    },
    /// Plain `http` to a host that is not a loopback address would expose the token.
    #[error("refusing plain http to {host}: https is required except for 127.0.0.1, [::1] and localhost")]
    InsecureHttp {
        /// The host that was given.
        host: String,
    },
    /// The URL has no host.
    #[error("the URL has no host")]
    MissingHost,
    /// The host ends with a dot (`graph.microsoft.com.`).
    #[error("host {host:?} ends with a dot; write it without the trailing dot")]
    TrailingDot {
        /// The host that was given.
        host: String,
    },
    /// The URL carries user info (`user:password@`). It is never allowed: it is how
    /// `https://graph.microsoft.com@evil.example/` disguises another host.
    #[error("the URL carries user info (user:password@host), which is never allowed")]
    UserInfo,
    /// The base URL has a query or fragment, which would be ambiguous to join paths onto.
    #[error("the base URL must not have a query or fragment")]
    QueryOrFragment,
    /// The target's scheme differs from the base URL's (e.g. an https → http downgrade).
    #[error("scheme mismatch: expected {expected}, found {found}")]
    SchemeMismatch {
        /// The configured scheme.
        expected: &'static str,
        /// The target's scheme.
        found: String,
    },
    /// The target's host differs from the base URL's.
    #[error("host mismatch: expected {expected}, found {found}")]
    HostMismatch {
        /// The configured host.
        expected: String,
        /// The target's host (empty when it has none).
        found: String,
    },
    /// The target's port differs from the base URL's.
    #[error("port mismatch: expected {expected}, found {}", found.map_or("none".to_owned(), |p| p.to_string()))]
    PortMismatch {
        /// The configured effective port.
        expected: u16,
        /// The target's effective port (`None` for a scheme without a default port).
        found: Option<u16>,
    },
}

/// The most redirects followed for one request (the Kiota default).
pub(crate) const MAX_REDIRECTS: usize = 5;

/// A redirect that was not followed because it left the Graph origin.
///
/// It is the source of the transport error the call ends with (never retried), so the
/// message says that the redirect was refused and where it pointed: the scheme, host and
/// port only, never the path or query.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("refused to follow a {status} redirect to {location}: {reason}")]
#[non_exhaustive]
pub struct RedirectRefused {
    /// The redirect's HTTP status.
    pub status: u16,
    /// `scheme://host[:port]` of the `Location`, at most 255 characters.
    pub location: String,
    /// How it differs from the Graph origin.
    pub reason: OriginError,
}

/// A reqwest redirect policy that follows at most [`MAX_REDIRECTS`] redirects, and only to
/// `origin`.
///
/// A redirect anywhere else (another host or port, or https → http) is not followed: the
/// request fails with [`RedirectRefused`] as the error's source, so the Authorization
/// header never leaves the origin (reqwest would strip it on a cross-host hop; we do not
/// rely on that) and the caller learns where the redirect pointed; the send path does not
/// retry redirect errors. Running out of hops stops with the 3xx, so the caller sees a
/// status.
pub(crate) fn redirect_policy(origin: GraphOrigin) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        // `previous()` starts with the original URL, so it holds one more than the number
        // of redirects already followed.
        let followed = attempt.previous().len().saturating_sub(1);
        if followed >= MAX_REDIRECTS {
            tracing::warn!(limit = MAX_REDIRECTS, "redirect not followed: too many redirects");
            return attempt.stop();
        }
        match origin.check(attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(reason) => {
                let status = attempt.status().as_u16();
                tracing::warn!(error = %reason, status, "redirect to another origin not followed");
                let target = attempt.url();
                let location = truncate(&target.origin().ascii_serialization(), 255);
                attempt.error(RedirectRefused { status, location, reason })
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn origin(s: &str) -> GraphOrigin {
        GraphOrigin::new(&url(s)).unwrap()
    }

    fn graph() -> GraphOrigin {
        origin("https://graph.microsoft.com/beta")
    }

    #[test]
    fn same_origin_targets_are_allowed() {
        let g = graph();
        for ok in [
            "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations",
            "HTTPS://GRAPH.MICROSOFT.COM:443/beta/x",
            "https://Graph.Microsoft.Com/v1.0/$batch?$skiptoken=abc#frag",
            "https://graph.microsoft.com",
        ] {
            assert_eq!(g.check(&url(ok)), Ok(()), "{ok}");
        }
    }

    #[test]
    fn look_alike_hosts_are_refused() {
        let g = graph();
        for bad in [
            "https://graph.microsoft.com.evil.example/beta",
            "https://evilgraph.microsoft.com/beta",
            "https://graph.microsoft.co/beta",
            "https://graph.microsoft.com./beta",
            "https://graph.microsoft.com.evil.example:443/beta",
            "https://evil.example/graph.microsoft.com/beta",
            "https://evil.example/?graph.microsoft.com",
        ] {
            assert!(
                matches!(g.check(&url(bad)), Err(OriginError::HostMismatch { .. })),
                "{bad}: {:?}",
                g.check(&url(bad))
            );
        }
        let err = g.check(&url("https://graph.microsoft.com.evil.example/x?secret=1")).unwrap_err();
        assert_eq!(
            err,
            OriginError::HostMismatch {
                expected: "graph.microsoft.com".into(),
                found: "graph.microsoft.com.evil.example".into()
            }
        );
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn userinfo_is_refused_in_either_direction() {
        let g = graph();
        for bad in [
            "https://graph.microsoft.com@evil.example/",
            "https://evil.example@graph.microsoft.com/",
            "https://user:pw@graph.microsoft.com/beta",
            "https://:pw@graph.microsoft.com/beta",
        ] {
            assert_eq!(g.check(&url(bad)), Err(OriginError::UserInfo), "{bad}");
        }
        // An empty `@` is dropped by the URL parser and leaves nothing to smuggle.
        assert_eq!(g.check(&url("https://@graph.microsoft.com/")), Ok(()));
        let err = GraphOrigin::new(&url("https://u:pw@graph.microsoft.com/beta")).unwrap_err();
        assert_eq!(err, OriginError::UserInfo);
        assert!(!err.to_string().contains("pw"));
    }

    #[test]
    fn ports_must_match() {
        let local = origin("http://127.0.0.1:1234/beta");
        assert_eq!(local.check(&url("http://127.0.0.1:1234/beta/x")), Ok(()));
        for (base, link, expected, found) in [
            (graph(), "https://graph.microsoft.com:8443/", 443, 8443),
            (graph(), "https://graph.microsoft.com:80/", 443, 80),
            (local.clone(), "http://127.0.0.1:1235/beta/x", 1234, 1235),
            (local, "http://127.0.0.1/beta/x", 1234, 80),
        ] {
            let mismatch = OriginError::PortMismatch { expected, found: Some(found) };
            assert_eq!(base.check(&url(link)), Err(mismatch), "{link}");
        }
        // A base with an explicit default port equals one without.
        assert_eq!(origin("https://graph.microsoft.com:443/beta"), graph());
    }

    #[test]
    fn scheme_changes_are_refused() {
        let g = graph();
        assert_eq!(
            g.check(&url("http://graph.microsoft.com/beta")),
            Err(OriginError::SchemeMismatch { expected: "https", found: "http".into() })
        );
        assert_eq!(
            g.check(&url("http://graph.microsoft.com:443/beta")),
            Err(OriginError::SchemeMismatch { expected: "https", found: "http".into() })
        );
        assert!(matches!(
            g.check(&url("wss://graph.microsoft.com/")),
            Err(OriginError::SchemeMismatch { .. })
        ));
        assert!(matches!(
            g.check(&url("ftp://graph.microsoft.com/")),
            Err(OriginError::SchemeMismatch { .. })
        ));
        // An http loopback base does not accept its https twin either: exact means exact.
        let local = origin("http://localhost:8080");
        assert!(matches!(
            local.check(&url("https://localhost:8080/")),
            Err(OriginError::SchemeMismatch { .. })
        ));
    }

    #[test]
    fn targets_without_a_host_are_refused() {
        let g = graph();
        assert!(matches!(g.check(&url("data:text/plain,hi")), Err(OriginError::SchemeMismatch { .. })));
        let local = origin("http://127.0.0.1:1234");
        assert!(local.check(&url("file:///etc/passwd")).is_err());
    }

    #[test]
    fn loopback_bases_may_use_http() {
        for ok in [
            "http://127.0.0.1:1234",
            "http://127.1.2.3/beta",
            "http://[::1]:8080/beta",
            "http://localhost:3000/beta",
            "http://LOCALHOST/beta",
            "http://0x7f.1/beta", // parsed as 127.0.0.1 by the WHATWG URL rules
        ] {
            let o = origin(ok);
            assert!(o.is_loopback(), "{ok}");
            assert_eq!(o.scheme(), "http");
        }
        let v6 = origin("http://[0:0:0:0:0:0:0:1]:8080/beta");
        assert_eq!(v6.host(), "[::1]");
        assert_eq!(v6.check(&url("http://[::1]:8080/beta/x")), Ok(()));
        assert!(v6.check(&url("http://127.0.0.1:8080/beta/x")).is_err());
        assert_eq!(v6.to_string(), "http://[::1]:8080");
        // https to loopback is of course fine too.
        assert!(origin("https://localhost:8443").is_loopback());
    }

    #[test]
    fn insecure_or_ambiguous_bases_are_refused() {
        type Expect = fn(&OriginError) -> bool;
        let cases: &[(&str, Expect)] = &[
            ("http://graph.microsoft.com/beta", |e| matches!(e, OriginError::InsecureHttp { .. })),
            ("http://localhost.evil.example/beta", |e| matches!(e, OriginError::InsecureHttp { .. })),
            ("http://foo.localhost/beta", |e| matches!(e, OriginError::InsecureHttp { .. })),
            ("http://10.0.0.1/beta", |e| matches!(e, OriginError::InsecureHttp { .. })),
            ("http://[::ffff:127.0.0.1]/beta", |e| matches!(e, OriginError::InsecureHttp { .. })),
            ("http://localhost./beta", |e| matches!(e, OriginError::TrailingDot { .. })),
            ("https://graph.microsoft.com./beta", |e| matches!(e, OriginError::TrailingDot { .. })),
            ("https://graph.microsoft.com/beta?x=1", |e| *e == OriginError::QueryOrFragment),
            ("https://graph.microsoft.com/beta#x", |e| *e == OriginError::QueryOrFragment),
            ("https://a@graph.microsoft.com/beta", |e| *e == OriginError::UserInfo),
            ("ftp://graph.microsoft.com/", |e| matches!(e, OriginError::UnsupportedScheme { .. })),
            ("file:///tmp/x", |e| matches!(e, OriginError::UnsupportedScheme { .. })),
            ("unix:/var/run/x", |e| matches!(e, OriginError::UnsupportedScheme { .. })),
        ];
        for (base, expected) in cases {
            let err = GraphOrigin::new(&url(base)).unwrap_err();
            assert!(expected(&err), "{base}: {err:?}");
        }
    }

    #[test]
    fn display_and_accessors() {
        assert_eq!(graph().to_string(), "https://graph.microsoft.com");
        assert_eq!(graph().port(), 443);
        assert_eq!(
            origin("https://Graph.Microsoft.com:8443/beta").to_string(),
            "https://graph.microsoft.com:8443"
        );
        assert_eq!(origin("http://127.0.0.1:80/").to_string(), "http://127.0.0.1");
    }

    #[test]
    fn error_messages_name_the_mismatch() {
        let g = graph();
        let msg = g.check(&url("https://graph.microsoft.com:8443/beta/secretpath")).unwrap_err().to_string();
        assert_eq!(msg, "port mismatch: expected 443, found 8443");
        let msg = g.check(&url("http://graph.microsoft.com/")).unwrap_err().to_string();
        assert_eq!(msg, "scheme mismatch: expected https, found http");
        let long = format!("https://{}.example/", "a".repeat(300));
        let msg = g.check(&url(&long)).unwrap_err().to_string();
        assert!(msg.len() < 330, "{}", msg.len());
    }

    mod redirects {
        use super::*;
        use wiremock::matchers::{any, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        fn client(base: &str) -> reqwest::Client {
            reqwest::Client::builder().redirect(redirect_policy(origin(base))).build().unwrap()
        }

        /// The [`RedirectRefused`] behind a reqwest error.
        fn refused(error: &reqwest::Error) -> &RedirectRefused {
            std::error::Error::source(error)
                .and_then(|source| source.downcast_ref::<RedirectRefused>())
                .unwrap_or_else(|| panic!("not a refused redirect: {error:?}"))
        }

        fn redirect_to(location: &str) -> ResponseTemplate {
            ResponseTemplate::new(302).insert_header("location", location)
        }

        #[tokio::test]
        async fn same_origin_redirects_are_followed() {
            let graph = MockServer::start().await;
            Mock::given(path("/beta/a")).respond_with(redirect_to("/beta/b")).expect(1).mount(&graph).await;
            Mock::given(path("/beta/b"))
                .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
                .expect(1)
                .mount(&graph)
                .await;
            let resp = client(&graph.uri())
                .get(format!("{}/beta/a", graph.uri()))
                .bearer_auth("tok")
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            // The hop stayed on the origin, so the header went along.
            let received = graph.received_requests().await.unwrap();
            assert!(received.iter().all(|r| r.headers.get("authorization").is_some()));
        }

        #[tokio::test]
        async fn cross_origin_redirects_are_not_followed() {
            let graph = MockServer::start().await;
            let foreign = MockServer::start().await;
            Mock::given(any()).respond_with(ResponseTemplate::new(200)).expect(0).mount(&foreign).await;
            for status in [301u16, 302, 303, 307, 308] {
                Mock::given(path(format!("/beta/{status}")))
                    .respond_with(
                        ResponseTemplate::new(status)
                            .insert_header("location", format!("{}/steal", foreign.uri())),
                    )
                    .mount(&graph)
                    .await;
            }
            let client = client(&graph.uri());
            for status in [301u16, 302, 303, 307, 308] {
                let error = client
                    .post(format!("{}/beta/{status}", graph.uri()))
                    .bearer_auth("tok")
                    .body("{}")
                    .send()
                    .await
                    .unwrap_err();
                assert!(error.is_redirect(), "{error:?}");
                let refused = refused(&error);
                assert_eq!(refused.status, status);
                assert_eq!(refused.location, foreign.uri());
                let message = refused.to_string();
                assert!(
                    message.starts_with(&format!("refused to follow a {status} redirect to ")),
                    "{message}"
                );
                assert!(!message.contains("/steal"), "{message}");
            }
            assert!(foreign.received_requests().await.unwrap().is_empty());
        }

        #[tokio::test]
        async fn a_different_port_on_the_same_host_is_another_origin() {
            // Both servers listen on 127.0.0.1; only the port differs.
            let graph = MockServer::start().await;
            let other = MockServer::start().await;
            Mock::given(any()).respond_with(ResponseTemplate::new(200)).mount(&other).await;
            let target = format!("{}/x", other.uri().replace("127.0.0.1", "localhost"));
            Mock::given(path("/a"))
                .respond_with(redirect_to(&format!("{}/x", other.uri())))
                .mount(&graph)
                .await;
            Mock::given(path("/b")).respond_with(redirect_to(&target)).mount(&graph).await;
            let client = client(&graph.uri());
            for p in ["/a", "/b"] {
                let error =
                    client.get(format!("{}{p}", graph.uri())).bearer_auth("tok").send().await.unwrap_err();
                assert!(matches!(
                    refused(&error).reason,
                    OriginError::PortMismatch { .. } | OriginError::HostMismatch { .. }
                ));
            }
            assert!(other.received_requests().await.unwrap().is_empty());
        }

        #[tokio::test]
        async fn https_to_http_is_not_followed() {
            // The policy itself is what matters here; an https server is not needed to
            // show that an http target is refused for an https origin.
            let o = graph();
            assert!(o.check(&url("http://graph.microsoft.com/beta")).is_err());
            let graph = MockServer::start().await;
            let downgrade = graph.uri().replace("http://", "https://");
            // Configure the policy for the https twin and send to the plain port: the
            // redirect to plain http on the same host and port must not be followed.
            let https_origin = origin(&downgrade);
            let client = reqwest::Client::builder().redirect(redirect_policy(https_origin)).build().unwrap();
            Mock::given(path("/a"))
                .respond_with(redirect_to(&format!("{}/b", graph.uri())))
                .mount(&graph)
                .await;
            Mock::given(path("/b")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&graph).await;
            let error = client.get(format!("{}/a", graph.uri())).send().await.unwrap_err();
            assert!(matches!(refused(&error).reason, OriginError::SchemeMismatch { expected: "https", .. }));
        }

        #[tokio::test]
        async fn at_most_five_redirects_are_followed() {
            let graph = MockServer::start().await;
            Mock::given(path("/loop")).respond_with(redirect_to("/loop")).mount(&graph).await;
            let resp = client(&graph.uri()).get(format!("{}/loop", graph.uri())).send().await.unwrap();
            assert_eq!(resp.status(), 302);
            // The original request plus five followed hops.
            assert_eq!(graph.received_requests().await.unwrap().len(), 1 + MAX_REDIRECTS);
        }
    }
}
