//! Shared emulator state and [`EmulatorState`], its public handle.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use serde_json::{Map, Value};

use super::batch::{StepFault, StepFaults};
use super::clock;
use super::directory::Directory;
use super::faults::{FaultConfig, FaultKind, FaultState};
use super::quota::{QuotaConfig, QuotaState};
use super::store::{Entry, Store};
use super::token::TokenStore;
use super::wrong::{WrongAnswer, WrongAnswerRule, WrongAnswers};

/// Settings fixed at startup.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) token: String,
    pub(crate) page_size: usize,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) link_origin: Option<url::Url>,
    pub(crate) faults: Option<FaultConfig>,
    pub(crate) quota: Option<QuotaConfig>,
    pub(crate) patch_returns_entity: bool,
    pub(crate) wrong_answers: Vec<WrongAnswerRule>,
    pub(crate) directory: Directory,
}

/// Request and fault counters.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) tokens_issued: AtomicU64,
    pub(crate) throttled: AtomicU64,
    pub(crate) batches: AtomicU64,
    pub(crate) batch_steps: AtomicU64,
    pub(crate) faults: [AtomicU64; FaultKind::ALL.len()],
}

/// Everything the handlers share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) store: RwLock<Store>,
    tokens: Mutex<TokenStore>,
    faults: Mutex<FaultState>,
    quota: Mutex<QuotaState>,
    step_faults: Mutex<StepFaults>,
    wrong: Mutex<WrongAnswers>,
    pub(crate) counters: Counters,
    /// The address `start()` bound, for links when a request has no `Host`.
    pub(crate) bound: OnceLock<SocketAddr>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere never leaves these structures half-updated in a way
    // that matters to an emulator: recover from poisoning.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(config: Config) -> Self {
        let seed = config.faults.as_ref().map_or(0, |f| f.seed);
        let wrong = WrongAnswers::new(&config.wrong_answers);
        Self {
            config,
            store: RwLock::default(),
            tokens: Mutex::default(),
            faults: Mutex::new(FaultState::new(seed)),
            quota: Mutex::default(),
            step_faults: Mutex::default(),
            wrong: Mutex::new(wrong),
            counters: Counters::default(),
            bound: OnceLock::new(),
        }
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn tokens(&self) -> MutexGuard<'_, TokenStore> {
        lock(&self.tokens)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultState> {
        lock(&self.faults)
    }

    pub(crate) fn quota(&self) -> MutexGuard<'_, QuotaState> {
        lock(&self.quota)
    }

    pub(crate) fn step_faults(&self) -> MutexGuard<'_, StepFaults> {
        lock(&self.step_faults)
    }

    /// Whether this request gets the wrong answer `kind` (counted when it does).
    pub(crate) fn wrong(&self, kind: WrongAnswer) -> bool {
        lock(&self.wrong).take(kind)
    }

    pub(crate) fn count_fault(&self, kind: FaultKind) {
        if let Some(c) = self.counters.faults.get(kind.index()) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A handle on the emulator's stored objects and counters, for seeding and
/// inspecting from tests. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct EmulatorState {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for EmulatorState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorState")
            .field("objects", &self.len())
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

fn to_value(entry: &Entry) -> Value {
    Value::Object(entry.obj.clone())
}

impl EmulatorState {
    /// Stored deviceConfigurations, in creation order.
    pub fn objects(&self) -> Vec<Value> {
        self.shared.read().iter().map(to_value).collect()
    }

    /// The stored object with this id (case-insensitive).
    pub fn get(&self, id: &str) -> Option<Value> {
        self.shared.read().get(id).map(to_value)
    }

    /// Stores `obj` as-is, assigning `id` (a new GUID) and `createdDateTime` /
    /// `lastModifiedDateTime` (now) when missing; nothing else is validated or
    /// normalised, so tests can seed objects the service would not create
    /// (unknown types, odd values). An object with an existing id replaces
    /// that object in place. Returns the id.
    ///
    /// # Panics
    ///
    /// If `obj` is not a JSON object.
    pub fn insert_raw(&self, obj: Value) -> String {
        let Value::Object(mut map) = obj else {
            panic!("EmulatorState::insert_raw needs a JSON object");
        };
        let id = match map.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => uuid::Uuid::new_v4().to_string(),
        };
        map.insert("id".into(), Value::String(id.clone()));
        let now = clock::graph_timestamp(chrono::Utc::now());
        for key in ["createdDateTime", "lastModifiedDateTime"] {
            map.entry(key).or_insert_with(|| Value::String(now.clone()));
        }
        self.shared.write().upsert(&id, map);
        id
    }

    /// Removes an object; returns it if it existed.
    pub fn remove(&self, id: &str) -> Option<Value> {
        self.shared.write().remove(id).map(|e| Value::Object(e.obj))
    }

    /// Removes every object.
    pub fn clear(&self) {
        self.shared.write().clear();
    }

    /// Number of stored objects.
    pub fn len(&self) -> usize {
        self.shared.read().len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The assignments of an object (as `GET …/assignments` returns them).
    pub fn assignments(&self, id: &str) -> Option<Vec<Value>> {
        let store = self.shared.read();
        let entry = store.get(id)?;
        Some(entry.assignments.iter().map(|a| Value::Object(a.clone())).collect())
    }

    /// The references an object holds to other objects: navigation property (as the
    /// schema spells it, e.g. `rootCertificate`) → target ids, one for a single-valued
    /// reference. Unset references are absent. `None` when the object does not exist.
    pub fn references(&self, id: &str) -> Option<BTreeMap<String, Vec<String>>> {
        Some(self.shared.read().get(id)?.references.clone())
    }

    /// The id of the trusted root certificate linked to a profile (its `rootCertificate`).
    pub fn root_certificate(&self, id: &str) -> Option<String> {
        self.shared.read().get(id)?.references.get("rootCertificate")?.first().cloned()
    }

    /// Sets an object's reference `navigation` to `targets` as given, unchecked (like
    /// [`insert_raw`](Self::insert_raw)), so tests can seed references the service would
    /// refuse; no targets removes it. Returns `false` when the object does not exist.
    pub fn set_reference(&self, id: &str, navigation: &str, targets: Vec<String>) -> bool {
        let mut store = self.shared.write();
        let Some(entry) = store.get_mut(id) else {
            return false;
        };
        if targets.is_empty() {
            entry.references.remove(navigation);
        } else {
            entry.references.insert(navigation.to_owned(), targets);
        }
        true
    }

    /// Adds a wrong-answer rule while the emulator runs (after those of
    /// [`Emulator::wrong_answers`](super::Emulator::wrong_answers)).
    pub fn add_wrong_answer(&self, rule: impl Into<WrongAnswerRule>) {
        lock(&self.shared.wrong).add(rule.into());
    }

    /// How many wrong answers of `kind` were given.
    pub fn wrong_answers_given(&self, kind: WrongAnswer) -> usize {
        lock(&self.shared.wrong).given(kind)
    }

    /// Seeds `managedDeviceCertificateStates` of a profile (non-objects are
    /// skipped). Returns `false` when the profile does not exist.
    pub fn set_certificate_states(&self, id: &str, states: Vec<Value>) -> bool {
        let mut store = self.shared.write();
        let Some(entry) = store.get_mut(id) else {
            return false;
        };
        entry.certificate_states = states
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect::<Vec<Map<String, Value>>>();
        true
    }

    /// Requests served so far (every route, including the token endpoint).
    pub fn requests(&self) -> usize {
        usize::try_from(self.shared.counters.requests.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// Access tokens issued by the token endpoint.
    pub fn tokens_issued(&self) -> usize {
        usize::try_from(self.shared.counters.tokens_issued.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// `$batch` envelopes received (each is one of [`requests`](Self::requests)).
    pub fn batches(&self) -> usize {
        usize::try_from(self.shared.counters.batches.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// Steps of valid `$batch` envelopes. Each counts against the quota as a request of its
    /// own, so the quota sees `requests() - batches() + batch_steps()` requests.
    pub fn batch_steps(&self) -> usize {
        usize::try_from(self.shared.counters.batch_steps.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// Requests answered 429 by the quota limits.
    pub fn throttled(&self) -> usize {
        usize::try_from(self.shared.counters.throttled.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// How many faults of `kind` were injected.
    pub fn fault_count(&self, kind: FaultKind) -> usize {
        self.shared
            .counters
            .faults
            .get(kind.index())
            .map_or(0, |c| usize::try_from(c.load(Ordering::Relaxed)).unwrap_or(usize::MAX))
    }

    /// How many faults were injected in total.
    pub fn faults_injected(&self) -> usize {
        FaultKind::ALL.iter().map(|k| self.fault_count(*k)).sum()
    }

    /// Queues `kind` for the next `/beta` request that passes authentication
    /// and quota, ahead of (and without consuming) random draws. Works
    /// without a [`FaultConfig`](super::FaultConfig); the hint and delay
    /// values then come from `FaultConfig::default()`.
    pub fn inject_fault(&self, kind: FaultKind) {
        self.shared.faults().push(kind);
    }

    /// Queues `fault` for the next `$batch` step whose id is `id` (compared
    /// case-insensitively), ahead of random draws.
    pub fn inject_step_fault(&self, id: &str, fault: StepFault) {
        self.shared.step_faults().push(id, fault);
    }
}
