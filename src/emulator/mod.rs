//! A local Microsoft Graph **beta** endpoint with Intune semantics, for
//! examples and tests (feature `emulator`).
//!
//! It serves `…/deviceManagement/deviceConfigurations` and a small directory over plain
//! HTTP on loopback, an Entra ID style client-credentials token endpoint, and can
//! inject faults (throttling, 503/504, connection resets, truncated bodies,
//! slow responses) and enforce Intune's throttling limits.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use intune_graph::emulator::Emulator;
//!
//! let emu = Emulator::new().start().await?;
//! // emu.base_url() is e.g. http://127.0.0.1:41234/beta
//! // send `Authorization: Bearer {emu.token()}` with every /beta request.
//! println!("{} has {} objects", emu.base_url(), emu.state().len());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Routes (all `/beta` routes need `Authorization: Bearer <token>`)
//!
//! | Method and path under `/beta/deviceManagement/deviceConfigurations` | Success |
//! |---|---|
//! | `GET` (list; `$top` ≤ 999, `$filter`, `$select`, `$count`, `$orderby`, `$expand`, `$skiptoken`) | 200 |
//! | `POST` (create; `@odata.type` and `displayName` required) | 201 |
//! | `GET /{id}` (`$select`, `$expand`) | 200 |
//! | `PATCH /{id}` (merge; `version` + 1) | 204 (200 + entity with [`Emulator::patch_returns_entity`]) |
//! | `DELETE /{id}` (400 while another object references it) | 204 |
//! | `POST /{id}/assign` (replaces the assignment set) | 200 |
//! | `GET /{id}/assignments`, `GET`/`DELETE /{id}/assignments/{aid}` | 200 / 204 |
//! | `GET /{id}/microsoft.graph.T` (type cast) | 200 |
//! | `GET /{id}/microsoft.graph.T/{nav}` (a reference: the target, or a page for a collection) | 200 |
//! | `GET`/`PUT`/`POST`/`DELETE …/{nav}/$ref`, `DELETE …/{nav}/{targetId}/$ref` | 200 / 204 |
//! | `GET /{id}/microsoft.graph.iosScepCertificateProfile/managedDeviceCertificateStates` | 200 |
//!
//! | Directory (read-only, seeded with [`DirectoryEntry`]s) | Success |
//! |---|---|
//! | `GET /beta/groups`, `GET /beta/groups/{id}` ([`Emulator::groups`]) | 200 |
//! | `GET /beta/deviceManagement/assignmentFilters[/{id}]` ([`Emulator::assignment_filters`]) | 200 |
//! | `GET /beta/deviceManagement/roleScopeTags[/{id}]` ([`Emulator::scope_tags`]; `"0"` `Default` always) | 200 |
//!
//! Directory lists take `$filter=displayName eq '…'` (OData quoting, `''` for a quote;
//! compared ignoring case as Graph does), `$select`, `$top`, `$count` and are paged like the
//! configurations. Unseeded, the directory is empty: `GET /groups/{id}` is Entra ID's 404
//! `Request_ResourceNotFound` (400 `Request_BadRequest` for an id that is not a GUID).
//!
//! `POST /beta/$batch` serves JSON batches of all these routes (see [`StepFault`] for
//! per-step faults; each step counts against the quota, the envelope does not). Step
//! headers are written in Graph's casing (`Content-Type`, `Retry-After`, `Location`), as
//! Microsoft's JavaScript client reads a step body as JSON only under `Content-Type`.
//!
//! Keys may also be written `deviceConfigurations('{id}')`. The token
//! endpoint is `POST /{tenant}/oauth2/v2.0/token`.
//!
//! # References between configurations
//!
//! Every edge of [`crate::models::schema::REFERENCES`] (a SCEP profile's
//! `rootCertificate`, a Wi-Fi profile's `identityCertificateForClientAuthentication` and
//! `rootCertificatesForServerValidation`, …), with the type tree of
//! [`crate::models::schema`]:
//!
//! - `{nav}@odata.bind` on create and update: a URL for a single-valued reference, an
//!   array of URLs for a collection, each `…/deviceConfigurations('ID')` or
//!   `…/deviceConfigurations/ID`. On update a single one is replaced and a collection gains
//!   the members named (OData 4.0, as Graph adds group members). Refused with 400 and
//!   nothing stored: a navigation the type does not have, a target that does not exist or
//!   that the reference does not accept, a string where an array is needed or the reverse,
//!   a member named twice or already held.
//! - The binding is stored, never echoed: a plain GET shows no reference, as live.
//! - The cast segment of a navigation route may name the object's type or any base of it
//!   that has the navigation; a cast to a type without it is 400 `No method match route
//!   template`, a cast the object is not is 400 `BadRequest`.
//! - `POST …/{nav}/$ref` of a member already held is 400 ("One or more added object
//!   references already exist…", Graph's answer for directory references); nothing changes.
//! - `$expand` takes `assignments`, `{nav}` and `microsoft.graph.T/{nav}` (comma-separated).
//!   An expanded single reference is the target or `null`, a collection an array; a cast
//!   item is skipped for objects that are not a `T`. On one object a bare `{nav}` must be a
//!   navigation of its type (else 400). On the list, whose declared type
//!   (`deviceConfiguration`) has no references, a bare `{nav}` is refused (400) as OData
//!   refuses it: name the type.
//! - Deleting an object another one still references is 400 naming a referrer, nothing
//!   deleted (a trusted root in use by a SCEP profile cannot go first); deleting a referrer
//!   removes its edges.
//!
//! # Answers
//!
//! - A read (GET, list, create's 201, a reference target) of a type the crate models
//!   (`DeviceConfiguration`'s typed variants) carries every property of the type, `null`
//!   when unset, the common properties first, as the live service answers. Other types are
//!   answered as stored.
//! - Creates and updates of a modelled type are decoded into the model and written back,
//!   so flag sets are stored in bit order (`keyUsage` sent as
//!   `digitalSignature,keyEncipherment` comes back `keyEncipherment,digitalSignature`) and
//!   a value of the wrong JSON type is a 400 naming it. Other types are stored as sent.
//! - Secrets ([`crate::models::schema::secret_properties`]) are stored but answered `null`.
//! - `POST …/assign` is refused (400, nothing stored) for an item without a target or a
//!   target type, a group target whose `groupId` is missing, `null` or not a GUID, the same
//!   target twice, or a group both included and excluded. Groups are not looked up.
//! - [`Emulator::wrong_answers`] makes valid writes lie ([`WrongAnswer`]), always or for
//!   the first N; [`EmulatorState::wrong_answers_given`] counts the lies told.
//!
//! # Wire behaviour
//!
//! - Every response carries `request-id` (new UUID), `client-request-id`
//!   (echoed, or a new UUID) and `Date`. JSON responses use Graph's
//!   `application/json;odata.metadata=minimal;…;charset=utf-8` content type.
//! - Every object is written with `@odata.type` before any other property
//!   (after `@odata.context` at top level), then `id`.
//! - Errors use Graph's shape `{"error":{"code","message","innerError":{"date",
//!   "request-id","client-request-id"}}}` with an offset-less `date`. 400 and
//!   404 errors from the device configuration routes carry Intune's
//!   JSON-document-in-a-string `message`; the emulator's explanation is in
//!   its `CustomApiErrorPhrase`.
//! - Timestamps are written as `2026-11-26T13:00:00.1234567Z`.
//! - Unknown routes: outside `/beta` → 404 `ResourceNotFound`; an unknown
//!   segment under `/beta` → 400 `BadRequest` ("Resource not found for the
//!   segment '…'."); a bad sub-path or method under `deviceConfigurations` →
//!   400 `No method match route template`.
//! - Paging: see `@odata.nextLink`; in creation order the skip token is a
//!   position after the last object served (stable under concurrent creates
//!   and deletes); with `$orderby` it is an offset into the sorted result.
//! - Create and update ignore `id`, `createdDateTime`, `lastModifiedDateTime`,
//!   `supportsScopeTags`, navigation properties and instance annotations.
//!   Create fills in `version` (1) and `roleScopeTagIds` (`["0"]`) when absent;
//!   update ignores a sent `version` and increments the stored one.
//!
//! Objects are held as `serde_json` maps: unknown properties and types are
//! stored and returned verbatim.
//!
//! # Tokens
//!
//! `/beta` accepts the static token ([`DEFAULT_TOKEN`] unless set with
//! [`Emulator::token`]) and unexpired tokens from the token endpoint, which
//! implements the client-credentials grant with the secret in the form body
//! ([`DEFAULT_CLIENT_ID`] / [`DEFAULT_CLIENT_SECRET`] unless set with
//! [`Emulator::client_credentials`]; any tenant segment; the scope must be
//! one `…/.default` value). Failures use Entra ID's error body
//! (`error`, `error_description` starting `AADSTSnnn:`, `error_codes`,
//! `timestamp`, `trace_id`, `correlation_id`).
//!
//! # Faults and throttling
//!
//! [`Emulator::faults`] injects [`FaultKind`]s at random, deterministically
//! per seed; [`EmulatorState::inject_fault`] queues one for the next request.
//! Faults apply to authenticated `/beta` requests only. [`Emulator::quota`]
//! enforces Intune's per-app and per-tenant limits in (scaled) 20 s windows
//! and answers `429` with a decimal `Retry-After`. Counters are on
//! [`EmulatorState`].

mod assignments;
mod batch;
mod body;
mod clock;
mod conn;
mod ctx;
mod device_configurations;
mod directory;
mod errors;
mod faults;
mod filter;
mod navigation;
mod paging;
mod percent;
mod query;
mod quota;
mod reference_routes;
mod references;
mod resources;
mod routes;
mod shape;
mod state;
mod store;
mod token;
mod types;
mod wire;
mod writes;
mod wrong;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use batch::StepFault;
pub use directory::DirectoryEntry;
pub use faults::{FaultConfig, FaultKind};
pub use quota::QuotaConfig;
pub use state::EmulatorState;
pub use wrong::{WrongAnswer, WrongAnswerRule};

use conn::{ConnKill, KillListener};
use directory::Directory;
use state::{Config, Shared};

/// The bearer token the emulator accepts by default.
pub const DEFAULT_TOKEN: &str = "emulator-token";
/// A tenant id for examples; the token endpoint accepts any tenant segment.
pub const DEFAULT_TENANT_ID: &str = "00000000-0000-0000-0000-000000000001";
/// The client id the token endpoint accepts by default.
pub const DEFAULT_CLIENT_ID: &str = "00000000-0000-0000-0000-000000000002";
/// The client secret the token endpoint accepts by default.
pub const DEFAULT_CLIENT_SECRET: &str = "emulator-secret";
/// Default page size of the list route when `$top` is absent.
pub const DEFAULT_PAGE_SIZE: usize = 25;
/// Default lifetime of issued access tokens.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Emulator configuration; [`start`](Emulator::start) it or embed its
/// [`router`](Emulator::router).
#[derive(Clone)]
pub struct Emulator {
    config: Config,
    addr: SocketAddr,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("page_size", &self.config.page_size)
            .field("client_id", &self.config.client_id)
            .field("token_lifetime", &self.config.token_lifetime)
            .field("faults", &self.config.faults)
            .field("quota", &self.config.quota)
            .field("patch_returns_entity", &self.config.patch_returns_entity)
            .field("wrong_answers", &self.config.wrong_answers)
            .field("directory", &self.config.directory)
            .finish_non_exhaustive()
    }
}

impl Default for Emulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Emulator {
    /// Defaults: `127.0.0.1:0` (a free port), token [`DEFAULT_TOKEN`], page
    /// size [`DEFAULT_PAGE_SIZE`], client credentials [`DEFAULT_CLIENT_ID`] /
    /// [`DEFAULT_CLIENT_SECRET`], token lifetime 3600 s, no faults, no quota.
    pub fn new() -> Self {
        Self {
            config: Config {
                token: DEFAULT_TOKEN.to_owned(),
                page_size: DEFAULT_PAGE_SIZE,
                client_id: DEFAULT_CLIENT_ID.to_owned(),
                client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
                token_lifetime: DEFAULT_TOKEN_LIFETIME,
                link_origin: None,
                faults: None,
                quota: None,
                patch_returns_entity: false,
                wrong_answers: Vec::new(),
                directory: Directory::default(),
            },
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        }
    }

    /// The static bearer token accepted on `/beta` (besides issued tokens).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.config.token = token.into();
        self
    }

    /// Page size of the list route when `$top` is absent (at least 1).
    pub fn page_size(mut self, n: usize) -> Self {
        self.config.page_size = n.max(1);
        self
    }

    /// The address to bind (default `127.0.0.1:0`).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The client id and secret the token endpoint accepts.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.config.client_id = client_id.into();
        self.config.client_secret = client_secret.into();
        self
    }

    /// Lifetime of issued tokens (`expires_in` reports whole seconds,
    /// rounded down); `/beta` rejects a token once it has passed.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.token_lifetime = lifetime;
        self
    }

    /// Random fault injection on `/beta` routes.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.config.faults = Some(faults);
        self
    }

    /// Enforce Intune's throttling limits.
    pub fn quota(mut self, quota: QuotaConfig) -> Self {
        self.config.quota = Some(quota);
        self
    }

    /// Answer a successful PATCH with `200 OK` and the updated entity (what
    /// the docs describe) instead of `204 No Content` (what the live service
    /// does, and the default), so clients can test both.
    pub fn patch_returns_entity(mut self, yes: bool) -> Self {
        self.config.patch_returns_entity = yes;
        self
    }

    /// Answers valid writes wrongly, as each rule says (a bare [`WrongAnswer`] applies to
    /// every matching request; [`WrongAnswer::once`] and [`WrongAnswer::times`] to the first
    /// ones), so a client can prove it checks answers. Rules add up across calls; each
    /// wrong answer given is counted ([`EmulatorState::wrong_answers_given`]).
    ///
    /// ```
    /// use intune_graph::emulator::{Emulator, WrongAnswer};
    /// let emulator = Emulator::new()
    ///     .wrong_answers([WrongAnswer::CreateAnswersExisting.once(), WrongAnswer::PatchStoresNothing.always()]);
    /// # let _ = emulator;
    /// ```
    pub fn wrong_answers<R: Into<WrongAnswerRule>>(mut self, rules: impl IntoIterator<Item = R>) -> Self {
        self.config.wrong_answers.extend(rules.into_iter().map(Into::into));
        self
    }

    /// Seeds the groups `GET /groups` and `GET /groups/{id}` answer (none by default: every
    /// group is then a 404, as Graph answers for an unknown id). An entry whose id is
    /// already seeded replaces it.
    pub fn groups(mut self, groups: impl IntoIterator<Item = DirectoryEntry>) -> Self {
        directory::merge(&mut self.config.directory.groups, groups);
        self
    }

    /// Seeds the assignment filters of `GET /deviceManagement/assignmentFilters`; each is
    /// answered with `platform` `"unknown"` and `rule` `""` unless the entry sets them.
    pub fn assignment_filters(mut self, filters: impl IntoIterator<Item = DirectoryEntry>) -> Self {
        directory::merge(&mut self.config.directory.assignment_filters, filters);
        self
    }

    /// Seeds the scope tags of `GET /deviceManagement/roleScopeTags`, after the built-in
    /// `{"id":"0","displayName":"Default"}` that is always there (an entry with id `"0"` is
    /// ignored).
    pub fn scope_tags(mut self, tags: impl IntoIterator<Item = DirectoryEntry>) -> Self {
        directory::merge(&mut self.config.directory.scope_tags, tags);
        self
    }

    /// The origin written into `@odata.context` and `@odata.nextLink`
    /// (default: taken from each request's `Host` header). Set it to another
    /// origin to test that a client refuses to follow a foreign next link.
    pub fn link_origin(mut self, origin: url::Url) -> Self {
        self.config.link_origin = Some(origin);
        self
    }

    /// Binds the address and serves on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<RunningEmulator> {
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let token = self.config.token.clone();
        let client_id = self.config.client_id.clone();
        let client_secret = self.config.client_secret.clone();
        let shared = Arc::new(Shared::new(self.config));
        let _ = shared.bound.set(addr);
        let router = routes::build(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let serve =
            axum::serve(KillListener(listener), router.into_make_service_with_connect_info::<ConnKill>())
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                });
        let task = tokio::spawn(async move { serve.await });
        let origin = url::Url::parse(&format!("http://{addr}/"))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        Ok(RunningEmulator {
            addr,
            origin,
            token,
            client_id,
            client_secret,
            state: EmulatorState { shared },
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The router and its state, to mount in one's own server. Links use the
    /// request's `Host`. Connection-reset faults work best with
    /// [`start`](Emulator::start); embedded, a reset is approximated by a
    /// response whose body fails.
    pub fn router(self) -> (axum::Router, EmulatorState) {
        let shared = Arc::new(Shared::new(self.config));
        let router = routes::build(shared.clone());
        (router, EmulatorState { shared })
    }
}

/// A started emulator. Dropping it stops the server (the task is aborted);
/// [`shutdown`](RunningEmulator::shutdown) stops it gracefully.
pub struct RunningEmulator {
    addr: SocketAddr,
    origin: url::Url,
    token: String,
    client_id: String,
    client_secret: String,
    state: EmulatorState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("addr", &self.addr)
            .field("client_id", &self.client_id)
            .field("objects", &self.state.len())
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT/beta` (no trailing slash).
    pub fn base_url(&self) -> url::Url {
        let mut url = self.origin.clone();
        url.set_path("/beta");
        url
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn origin(&self) -> url::Url {
        self.origin.clone()
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The static bearer token `/beta` accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The token endpoint for `tenant`:
    /// `http://127.0.0.1:PORT/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self, tenant: &str) -> url::Url {
        let mut url = self.origin.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.clear().extend([tenant, "oauth2", "v2.0", "token"]);
        }
        url
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    /// Stored objects and counters.
    pub fn state(&self) -> &EmulatorState {
        &self.state
    }

    /// Stops accepting connections, lets in-flight requests finish (for up
    /// to 5 s) and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
