//! The token-safety rule on arbitrary URLs: a nextLink (absolute, relative, or any text)
//! resolved against a request URL on one of a few fixed origins, and arbitrary base URLs.
//! Accepted means same scheme, host and port as the origin and no user info; the verdict
//! never depends on the path, query or fragment; an origin accepts its own base URL and
//! reads back from its own Display.
#![no_main]

use intune_graph::{Url, origin::GraphOrigin};
use libfuzzer_sys::fuzz_target;

const REQUESTS: [&str; 6] = [
    "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations?$top=5",
    "https://graph.microsoft.us/beta/deviceManagement/deviceConfigurations",
    "https://graph.microsoft.com:8443/beta/x",
    "http://127.0.0.1:38517/beta/deviceManagement/deviceConfigurations",
    "http://[::1]:8080/beta/x/",
    "http://localhost/beta",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);

    // A nextLink as the service wrote it, resolved as the page decoder resolves it.
    let request = Url::parse(REQUESTS[usize::from(pick) % REQUESTS.len()]).expect("a fixed URL");
    let origin = GraphOrigin::new(&request.join("/").expect("a base")).expect("a fixed origin");
    if let Ok(next) = request.join(&text) {
        check_against(&origin, &next);
    }
    if let Ok(url) = Url::parse(&text) {
        check_against(&origin, &url);
        // The same text as the configured base URL.
        if let Ok(own) = GraphOrigin::new(&url) {
            assert!(own.scheme() == "https" || own.is_loopback(), "{url}");
            assert_eq!(own.check(&url), Ok(()), "an origin accepts its own base {url}");
            let shown = Url::parse(&own.to_string()).expect("an origin displays as a URL");
            assert_eq!(GraphOrigin::new(&shown).as_ref(), Ok(&own), "{own} reads back");
        }
    }
});

fn check_against(origin: &GraphOrigin, target: &Url) {
    let verdict = origin.check(target);
    if verdict.is_ok() {
        assert_eq!(target.scheme(), origin.scheme(), "{target}");
        assert_eq!(
            target.host_str().map(str::to_ascii_lowercase).as_deref(),
            Some(origin.host()),
            "{target}"
        );
        assert_eq!(target.port_or_known_default(), Some(origin.port()), "{target}");
        assert!(target.username().is_empty() && target.password().is_none(), "{target}");
        // What goes on the wire is the serialized URL: it must say the same.
        let sent = Url::parse(target.as_str()).expect("a serialized URL parses");
        assert_eq!(origin.check(&sent), Ok(()), "{target} re-read as {sent}");
    }
    // Path, query and fragment play no part in the verdict.
    let mut other = target.clone();
    other.set_query(Some("$skiptoken=other"));
    other.set_fragment(None);
    if !other.cannot_be_a_base() {
        other.set_path("/other/path");
    }
    assert_eq!(origin.check(&other), verdict, "{target} vs {other}");
}
