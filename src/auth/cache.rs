//! The client's token cache: the `Authorization` header value for every request.
//!
//! The hot path (a cached token with time to spare) is one read lock and one clone of a
//! `HeaderValue` (a reference-count bump): no await, no allocation. Refreshes are
//! single-flight behind an async mutex, so a burst of requests at expiry, or a burst of
//! 401s, costs one call to the credential.

use std::{
    fmt,
    sync::{Arc, PoisonError, RwLock},
};

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::HeaderValue;

use super::{AccessToken, AuthError, TokenCredential, TokenRequest};
use crate::time::{SystemClock, WallClock};

/// Wall-clock time, injectable so tests can move it: the client's one [`WallClock`].
pub(crate) type Clock = Arc<dyn WallClock>;

/// Refresh this long before expiry (the Azure SDKs' 300 s), so a token is never sent in
/// its last minutes, when clock skew or a slow request could make it expire in flight.
pub(crate) const DEFAULT_REFRESH_MARGIN: TimeDelta = TimeDelta::minutes(5);

/// After an early refresh fails, the still-valid token is used this long before the next
/// attempt, so a flaky token endpoint is not called on every request.
const RETRY_FAILED_REFRESH_AFTER: TimeDelta = TimeDelta::seconds(30);

/// Caches `Bearer <token>` for one credential and one set of scopes.
pub(crate) struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    scopes: Vec<String>,
    margin: TimeDelta,
    clock: Clock,
    current: RwLock<Option<Cached>>,
    /// Held while calling the credential: the single flight.
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct Cached {
    header: HeaderValue,
    /// `None`: never expires.
    expires_on: Option<DateTime<Utc>>,
    /// When to fetch a new token; earlier than `expires_on`.
    refresh_at: Option<DateTime<Utc>>,
}

impl Cached {
    fn new(token: AccessToken, now: DateTime<Utc>, margin: TimeDelta) -> Result<Self, AuthError> {
        let refresh_at = token.expires_on.map(|expires| {
            // Usually `margin` before expiry; for a token that lives less than twice the
            // margin, halfway through its remaining life instead, so short-lived tokens
            // are not refetched on every request.
            // Checked arithmetic: a credential may hand out any date, however absurd.
            let half_life = now.checked_add_signed((expires - now) / 2).unwrap_or(expires);
            expires.checked_sub_signed(margin).unwrap_or(expires).max(half_life)
        });
        Ok(Cached { header: bearer(&token)?, expires_on: token.expires_on, refresh_at })
    }

    /// Good enough to send without refreshing first.
    fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }

    /// Not yet expired (but maybe due for a refresh).
    fn is_valid(&self, now: DateTime<Utc>) -> bool {
        self.expires_on.is_none_or(|at| now < at)
    }
}

/// `Bearer <token>`, marked sensitive so HTTP-level debugging does not print it.
fn bearer(token: &AccessToken) -> Result<HeaderValue, AuthError> {
    let raw = token.token.expose();
    let invalid = || {
        // Never quote the token: say only what is wrong with it.
        AuthError::Other("the credential returned a token that cannot be sent in an HTTP header (empty or containing control characters)".into())
    };
    if raw.trim().is_empty() {
        return Err(invalid());
    }
    let mut header = HeaderValue::try_from(format!("Bearer {raw}")).map_err(|_| invalid())?;
    header.set_sensitive(true);
    Ok(header)
}

impl TokenCache {
    /// A cache asking `credential` for `scopes`, refreshing 5 minutes before expiry.
    pub(crate) fn new(credential: Arc<dyn TokenCredential>, scopes: Vec<String>) -> Self {
        TokenCache {
            credential,
            scopes,
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
            current: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// Refresh `margin` before expiry instead (negative values count as zero).
    // A test seam: the client always uses the default margin.
    #[cfg(test)]
    pub(crate) fn with_refresh_margin(mut self, margin: TimeDelta) -> Self {
        self.margin = margin.max(TimeDelta::zero());
        self
    }

    /// The credential's own secrets, to remove from error texts.
    pub(crate) fn secrets(&self) -> std::sync::Arc<[super::Secret]> {
        self.credential.redactions().into()
    }

    /// Reads time from `clock` instead of the system clock.
    pub(crate) fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The `Authorization` header value for the next attempt.
    ///
    /// `force_refresh`: the service rejected the token this cache handed out (a 401);
    /// fetch a new one unless another caller already replaced it. `claims`: a claims
    /// challenge from the 401's `WWW-Authenticate`, passed to the credential (and also
    /// forcing a refresh).
    pub(crate) async fn authorization(
        &self,
        force_refresh: bool,
        claims: Option<&str>,
    ) -> Result<HeaderValue, AuthError> {
        if !force_refresh && claims.is_none() {
            if let Some(header) = self.fresh_authorization() {
                return Ok(header);
            }
            return self.refresh(None, None).await;
        }
        // The token the caller was most likely rejected with: the current one as of now,
        // before queueing behind any refresh already in flight.
        let rejected = self.read().map(|c| c.header);
        self.refresh(Some(rejected.as_ref()), claims).await
    }

    /// Like `authorization(true, claims)`, naming the rejected header exactly, so a token
    /// that another caller fetched in the meantime is reused rather than replaced.
    // The pipeline still refreshes through `authorization(true, claims)`; this exact form
    // is kept (and tested) for the send path to adopt, so only a non-test build sees it unused.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) async fn reauthorize(
        &self,
        rejected: &HeaderValue,
        claims: Option<&str>,
    ) -> Result<HeaderValue, AuthError> {
        self.refresh(Some(Some(rejected)), claims).await
    }

    /// Forgets the cached token.
    // A test seam: the client never drops a token without fetching its replacement.
    #[cfg(test)]
    pub(crate) fn clear(&self) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The cached `Authorization` value when it is fresh: the hot path of
    /// [`authorization`](Self::authorization), without a future (the send path awaits that
    /// only when this is `None`).
    pub(crate) fn fresh_authorization(&self) -> Option<HeaderValue> {
        let now = self.clock.now();
        // Poisoning cannot leave a half-written value (writes are plain assignments), so
        // a poisoned lock is still safe to read.
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().filter(|c| c.is_fresh(now)).map(|c| c.header.clone())
    }

    fn read(&self) -> Option<Cached> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn store(&self, cached: Cached) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(cached);
    }

    /// `forced`: `None` for an ordinary (expiry) refresh; `Some(rejected)` after a 401,
    /// with the header that was rejected if known.
    async fn refresh(
        &self,
        forced: Option<Option<&HeaderValue>>,
        claims: Option<&str>,
    ) -> Result<HeaderValue, AuthError> {
        let _flight = self.refresh.lock().await;
        let now = self.clock.now();
        let current = self.read();
        if let Some(c) = &current {
            let reuse = match forced {
                // Another caller refreshed while this one waited for the lock.
                None => c.is_fresh(now),
                // Another caller already replaced the rejected token: use theirs.
                Some(rejected) => rejected != Some(&c.header) && c.is_valid(now),
            };
            if reuse {
                return Ok(c.header.clone());
            }
        }
        let mut request = TokenRequest::new(self.scopes.clone());
        request.claims = claims.map(str::to_owned);
        request.force_refresh = forced.is_some();
        tracing::debug!(forced = forced.is_some(), claims = claims.is_some(), "refreshing access token");
        let result = self.credential.get_token(&request).await;
        let error = match result.and_then(|token| Cached::new(token, now, self.margin)) {
            Ok(fresh) => {
                let header = fresh.header.clone();
                self.store(fresh);
                return Ok(header);
            }
            Err(error) => error,
        };
        // An early refresh failed, but the token in hand has not expired: keep using it
        // and try again a little later, rather than failing requests that would succeed.
        if let (None, Some(mut c)) = (forced, current) {
            if c.is_valid(now) {
                tracing::warn!(%error, "token refresh failed; using the current token until it expires");
                let retry_at = now + RETRY_FAILED_REFRESH_AFTER;
                c.refresh_at = Some(c.expires_on.map_or(retry_at, |e| retry_at.min(e)));
                let header = c.header.clone();
                self.store(c);
                return Ok(header);
            }
        }
        Err(error)
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.read();
        f.debug_struct("TokenCache")
            .field("credential", &self.credential)
            .field("scopes", &self.scopes)
            .field("refresh_margin", &self.margin)
            .field("cached", &current.is_some())
            .field("expires_on", &current.and_then(|c| c.expires_on))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Mutex,
        atomic::{AtomicI64, AtomicUsize, Ordering},
    };

    use super::*;
    use crate::auth::{BoxFuture, Secret};

    /// A credential that hands out `tok-1`, `tok-2`, … (or scripted results), counting
    /// calls and recording the requests.
    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        lifetime: Option<TimeDelta>,
        clock: Option<Arc<AtomicI64>>,
        script: Mutex<Vec<Result<AccessToken, AuthError>>>,
        requests: Mutex<Vec<TokenRequest>>,
    }

    impl TokenCredential for Counting {
        fn get_token<'a>(
            &'a self,
            request: &'a TokenRequest,
        ) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                self.requests.lock().unwrap().push(request.clone());
                // Give every concurrent caller the chance to pile up behind this call.
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                if let Some(scripted) = self.script.lock().unwrap().pop() {
                    return scripted;
                }
                let token = Secret::new(format!("tok-{n}"));
                Ok(match (self.lifetime, &self.clock) {
                    (Some(life), Some(clock)) => AccessToken::new(token, at(clock) + life),
                    _ => AccessToken::non_expiring(token),
                })
            })
        }
    }

    fn at(clock: &AtomicI64) -> DateTime<Utc> {
        DateTime::from_timestamp(clock.load(Ordering::SeqCst), 0).unwrap()
    }

    /// A wall clock the test moves (whole seconds since the epoch).
    #[derive(Debug)]
    struct MovableClock(Arc<AtomicI64>);

    impl WallClock for MovableClock {
        fn now(&self) -> DateTime<Utc> {
            at(&self.0)
        }
    }

    struct Fixture {
        credential: Arc<Counting>,
        clock: Arc<AtomicI64>,
        cache: TokenCache,
    }

    impl Fixture {
        fn new(lifetime: TimeDelta) -> Self {
            Self::with(lifetime, vec![])
        }

        fn with(lifetime: TimeDelta, script: Vec<Result<AccessToken, AuthError>>) -> Self {
            let clock = Arc::new(AtomicI64::new(1_700_000_000));
            let credential = Arc::new(Counting {
                lifetime: Some(lifetime),
                clock: Some(clock.clone()),
                script: Mutex::new(script),
                ..Counting::default()
            });
            let cache =
                TokenCache::new(credential.clone(), vec!["https://graph.microsoft.com/.default".into()])
                    .with_clock(Arc::new(MovableClock(clock.clone())));
            Fixture { credential, clock, cache }
        }

        /// Puts `token` in the cache as if it had just been fetched.
        fn hold(&self, token: AccessToken) {
            self.cache.store(Cached::new(token, at(&self.clock), DEFAULT_REFRESH_MARGIN).unwrap());
        }

        fn advance(&self, by: TimeDelta) {
            self.clock.fetch_add(by.num_seconds(), Ordering::SeqCst);
        }

        fn calls(&self) -> usize {
            self.credential.calls.load(Ordering::SeqCst)
        }

        async fn header(&self) -> String {
            let h = self.cache.authorization(false, None).await.unwrap();
            h.to_str().unwrap().to_owned()
        }
    }

    #[tokio::test]
    async fn caches_until_the_refresh_margin() {
        let f = Fixture::new(TimeDelta::minutes(60));
        assert_eq!(f.header().await, "Bearer tok-1");
        assert_eq!(f.header().await, "Bearer tok-1");
        f.advance(TimeDelta::minutes(54));
        assert_eq!(f.header().await, "Bearer tok-1");
        assert_eq!(f.calls(), 1);
        // 5 minutes before expiry: refreshed early, while the old token still works.
        f.advance(TimeDelta::minutes(1));
        assert_eq!(f.header().await, "Bearer tok-2");
        assert_eq!(f.header().await, "Bearer tok-2");
        assert_eq!(f.calls(), 2);
        let requests = f.credential.requests.lock().unwrap();
        assert_eq!(requests[0].scopes, ["https://graph.microsoft.com/.default"]);
        assert!(!requests[1].force_refresh);
    }

    #[tokio::test]
    async fn the_margin_is_configurable() {
        let mut f = Fixture::new(TimeDelta::minutes(60));
        f.cache = f.cache.with_refresh_margin(TimeDelta::minutes(10));
        f.header().await;
        f.advance(TimeDelta::minutes(50));
        assert_eq!(f.header().await, "Bearer tok-2");
    }

    #[tokio::test]
    async fn short_lived_tokens_refresh_at_half_life() {
        let f = Fixture::new(TimeDelta::minutes(4));
        assert_eq!(f.header().await, "Bearer tok-1");
        assert_eq!(f.header().await, "Bearer tok-1", "not refetched on every call");
        f.advance(TimeDelta::seconds(119));
        assert_eq!(f.header().await, "Bearer tok-1");
        f.advance(TimeDelta::seconds(1));
        assert_eq!(f.header().await, "Bearer tok-2");
    }

    #[tokio::test]
    async fn non_expiring_tokens_are_fetched_once() {
        let credential = Arc::new(Counting::default());
        let cache = TokenCache::new(credential.clone(), vec![]);
        for _ in 0..3 {
            cache.authorization(false, None).await.unwrap();
        }
        assert_eq!(credential.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn fifty_concurrent_callers_make_one_credential_call() {
        let f = Fixture::new(TimeDelta::minutes(60));
        let calls = (0..50).map(|_| f.cache.authorization(false, None));
        let headers = futures_util::future::join_all(calls).await;
        assert!(headers.iter().all(|h| h.as_ref().unwrap() == "Bearer tok-1"));
        assert_eq!(f.calls(), 1);
        // The same at the refresh point.
        f.advance(TimeDelta::minutes(56));
        let calls = (0..50).map(|_| f.cache.authorization(false, None));
        let headers = futures_util::future::join_all(calls).await;
        assert!(headers.iter().all(|h| h.as_ref().unwrap() == "Bearer tok-2"));
        assert_eq!(f.calls(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn single_flight_across_threads() {
        let f = Arc::new(Fixture::new(TimeDelta::minutes(60)));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let f = f.clone();
                tokio::spawn(async move { f.cache.authorization(false, None).await.unwrap() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "Bearer tok-1");
        }
        assert_eq!(f.calls(), 1);
    }

    #[tokio::test]
    async fn forced_refresh_replaces_the_rejected_token_once() {
        let f = Fixture::new(TimeDelta::minutes(60));
        let rejected = f.cache.authorization(false, None).await.unwrap();
        // Ten requests all got a 401 with the same token.
        let calls = (0..10).map(|_| f.cache.authorization(true, None));
        let headers = futures_util::future::join_all(calls).await;
        assert!(headers.iter().all(|h| h.as_ref().unwrap() == "Bearer tok-2"));
        assert_eq!(f.calls(), 2);
        assert!(f.credential.requests.lock().unwrap()[1].force_refresh);
        // A late 401 for the old token does not throw away the new one...
        assert_eq!(f.cache.reauthorize(&rejected, None).await.unwrap(), "Bearer tok-2");
        assert_eq!(f.calls(), 2);
        // ...but a 401 for the current one does.
        let current = f.cache.authorization(false, None).await.unwrap();
        assert_eq!(f.cache.reauthorize(&current, None).await.unwrap(), "Bearer tok-3");
    }

    #[tokio::test]
    async fn claims_are_passed_to_the_credential() {
        let f = Fixture::new(TimeDelta::minutes(60));
        f.header().await;
        let h = f.cache.authorization(false, Some("eyJjbGFpbXMiOnt9fQ==")).await.unwrap();
        assert_eq!(h, "Bearer tok-2");
        let requests = f.credential.requests.lock().unwrap();
        assert_eq!(requests[1].claims.as_deref(), Some("eyJjbGFpbXMiOnt9fQ=="));
        assert!(requests[1].force_refresh);
    }

    #[tokio::test]
    async fn extreme_expiry_dates_do_not_panic() {
        for expires in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let f = Fixture::with(TimeDelta::minutes(60), vec![Ok(AccessToken::new("tok-x", expires))]);
            assert_eq!(f.header().await, "Bearer tok-x");
        }
    }

    #[tokio::test]
    async fn headers_are_sensitive() {
        let f = Fixture::new(TimeDelta::minutes(60));
        let h = f.cache.authorization(false, None).await.unwrap();
        assert!(h.is_sensitive());
        assert!(!format!("{h:?}").contains("tok-1"));
        assert!(!format!("{:?}", f.cache).contains("tok-1"));
    }

    #[tokio::test]
    async fn tokens_unfit_for_a_header_are_errors() {
        for bad in ["", "  ", "tok\r\nX-Injected: 1", "tok\0"] {
            let f = Fixture::with(TimeDelta::minutes(60), vec![Ok(AccessToken::non_expiring(bad))]);
            let err = f.cache.authorization(false, None).await.unwrap_err();
            assert!(matches!(err, AuthError::Other(_)), "{err:?}");
            assert!(bad.trim().is_empty() || !err.to_string().contains(bad.trim()));
        }
    }

    #[tokio::test]
    async fn a_failed_early_refresh_keeps_the_valid_token() {
        let fail = || Err(AuthError::Other("endpoint down".into()));
        // Two scripted failures, then fresh tokens; the cache starts with a valid token.
        let f = Fixture::with(TimeDelta::minutes(60), vec![fail(), fail()]);
        f.hold(AccessToken::new("tok-0", at(&f.clock) + TimeDelta::minutes(60)));
        f.advance(TimeDelta::minutes(56));
        assert_eq!(f.header().await, "Bearer tok-0");
        assert_eq!(f.calls(), 1);
        // Not retried on every request...
        assert_eq!(f.header().await, "Bearer tok-0");
        assert_eq!(f.calls(), 1);
        // ...but again after a pause.
        f.advance(TimeDelta::seconds(30));
        assert_eq!(f.header().await, "Bearer tok-0");
        assert_eq!(f.calls(), 2);
        // The script is empty now: the next try succeeds.
        f.advance(TimeDelta::seconds(30));
        assert_eq!(f.header().await, "Bearer tok-3");
        // Once the old token has expired, a failure is an error.
        let f = Fixture::with(TimeDelta::minutes(60), vec![fail()]);
        f.hold(AccessToken::new("tok-0", at(&f.clock) + TimeDelta::minutes(60)));
        f.advance(TimeDelta::minutes(61));
        assert!(f.cache.authorization(false, None).await.is_err());
    }

    #[tokio::test]
    async fn a_failed_forced_refresh_is_an_error() {
        let f = Fixture::with(TimeDelta::minutes(60), vec![Err(AuthError::Other("no".into()))]);
        f.hold(AccessToken::non_expiring("tok-0"));
        assert!(f.cache.authorization(true, None).await.is_err());
        f.cache.clear();
        assert_eq!(f.header().await, "Bearer tok-2");
    }
}
