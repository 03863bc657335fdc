//! The send loop: one envelope at a time, filled from the steps that are due, until every
//! step has its result. A step that is to be retried waits for its own delay and then goes
//! out with the steps still pending; each envelope's results are kept the moment it is
//! answered.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use bytes::Bytes;
use reqwest::{
    Method, StatusCode,
    header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE},
};
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use super::{
    BatchError, Step, StepKind,
    results::{RawStepResponse, StepValue},
    wire::{RequestEnvelope, ResponseEnvelope, WireResponse, WireStep, step_headers},
};
use crate::{
    GraphClient,
    api::references::with_declared_type,
    client::is_empty_body,
    error::{Error, GraphError, OutcomeUnknown, Result},
    models::{DeviceConfiguration, DeviceConfigurationAssignment},
    odata::{Page, PageStream, Query},
    pipeline::{
        ApiRequest, ApiRequestSummary, Deadline, Decision, Judged, RawResponse, Repeat, Tries,
        retry::StatusVerdict,
    },
    redact::Redactor,
};

/// Where one step stands between rounds.
#[derive(Clone, Copy, Debug)]
struct Progress {
    /// Attempts, waits and the refresh made: what the retry decision reads.
    tries: Tries,
    /// Not sent before this instant.
    ready_at: Instant,
}

/// One batch in flight.
struct Run<'a> {
    client: &'a GraphClient,
    url: &'a Url,
    steps: &'a [Step],
    deps: &'a [Option<usize>],
    progress: Vec<Progress>,
    outcomes: Vec<Option<Result<StepValue>>>,
    /// The client's deadline, for the whole batch: every envelope and wait fits inside it.
    deadline: Option<Deadline>,
}

/// Sends every step; returns each step's result, in the steps' order.
pub(crate) async fn run(
    client: &GraphClient,
    url: &Url,
    steps: &[Step],
    deps: &[Option<usize>],
) -> Vec<Result<StepValue>> {
    let start = Progress { tries: Tries::new(), ready_at: Instant::now() };
    let mut run = Run {
        client,
        url,
        steps,
        deps,
        progress: vec![start; steps.len()],
        outcomes: steps.iter().map(|_| None).collect(),
        deadline: client.pipeline().deadline.map(Deadline::from_now),
    };
    let mut pending: Vec<usize> = (0..steps.len()).collect();
    loop {
        run.hold_for_dependencies(&mut pending);
        let Some(earliest) = pending.iter().map(|&i| run.progress[i].ready_at).min() else { break };
        // When what is left fits one envelope, it waits for its last step and goes whole:
        // the batch cannot end before that step anyway, and one round trip replaces several.
        let fits_one = pending.len() <= super::MAX_STEPS && super::plan::chunk(&pending, deps).len() == 1;
        let latest = pending.iter().map(|&i| run.progress[i].ready_at).max().unwrap_or(earliest);
        let now = Instant::now();
        let reaches_deadline =
            |at: Instant| run.deadline.is_some_and(|d| d.reached_after(at.saturating_duration_since(now)));
        let mut until = if fits_one { latest } else { earliest };
        if reaches_deadline(until) {
            // Waiting for the last step would pass the deadline: send what is due sooner.
            until = earliest;
        }
        if reaches_deadline(until) {
            // Even the first step's wait would: what is pending is not sent.
            run.deadline_passed(&pending);
            break;
        }
        if until > now {
            client.pipeline().sleep(until - now).await;
        }
        // Everything due by the instant waited for may go (judged against that instant,
        // not the clock, so an injected sleeper that does not wait still makes progress).
        // One envelope at a time, filled from every due step: a step sent again shares its
        // envelope with steps not sent yet, so retries add as few round trips as they can.
        let horizon = until.max(now);
        let due: Vec<usize> =
            pending.iter().copied().filter(|&i| run.progress[i].ready_at <= horizon).collect();
        let Some(envelope) = super::plan::chunk(&due, deps).into_iter().next() else { break };
        pending.retain(|i| !envelope.contains(i));
        pending.extend(run.envelope(&envelope).await);
        pending.sort_unstable();
    }
    run.outcomes
        .into_iter()
        .zip(steps)
        .map(|(outcome, step)| {
            outcome.unwrap_or_else(|| Err(BatchError::MissingResponse { key: step.key.clone() }.into()))
        })
        .collect()
}

impl Run<'_> {
    /// Sends one envelope and records its steps' results; returns the steps to send again.
    async fn envelope(&mut self, envelope: &[usize]) -> Vec<usize> {
        let writes = envelope.iter().filter(|&&i| self.steps[i].is_write()).count();
        let span = tracing::debug_span!("graph.batch", steps = envelope.len(), writes);
        self.send_envelope(envelope, writes).instrument(span).await
    }

    async fn send_envelope(&mut self, envelope: &[usize], writes: usize) -> Vec<usize> {
        let request = match self.envelope_request(envelope, writes) {
            Ok(request) => request,
            Err(error) => {
                self.fail_all(envelope, &Arc::new(error));
                return Vec::new();
            }
        };
        let mut raw = match self.client.pipeline().send_until(request, self.deadline).await {
            Ok(raw) => raw,
            Err(error) => return self.envelope_failed(envelope, error),
        };
        let decoded = raw.decode::<ResponseEnvelope>();
        // The step bodies were copied out as text: the envelope's bytes can go now.
        raw.body = Bytes::new();
        match decoded {
            Ok(decoded) => {
                let hint = &raw.operation_hint;
                self.answered(envelope, &hint.client_request_id, &hint.redactor, decoded).await
            }
            Err(error) => {
                self.undecodable(envelope, raw.status, &raw.operation_hint.client_request_id, error);
                Vec::new()
            }
        }
    }

    /// Holds back the pending steps whose dependency is still pending (not before it is
    /// due), and ends those whose dependency failed with the `424` Graph gives a step whose
    /// dependency failed: a chain cut into several envelopes behaves as one envelope would.
    fn hold_for_dependencies(&mut self, pending: &mut Vec<usize>) {
        pending.sort_unstable();
        let mut failed = Vec::new();
        // In the steps' order: a dependency is always an earlier step, so it is settled first.
        for &i in pending.iter() {
            let Some(d) = self.deps[i] else { continue };
            match &self.outcomes[d] {
                None => self.progress[i].ready_at = self.progress[i].ready_at.max(self.progress[d].ready_at),
                Some(Ok(_)) => {}
                Some(Err(_)) => {
                    self.outcomes[i] = Some(Err(failed_dependency(&self.steps[i], &self.steps[d])));
                    failed.push(i);
                }
            }
        }
        pending.retain(|i| !failed.contains(i));
    }

    /// The service answered the envelope, but not with a batch response: every step may
    /// have run. A create's outcome is unknown (as a create whose response was lost); the
    /// other steps get the decode error.
    fn undecodable(
        &mut self,
        envelope: &[usize],
        status: StatusCode,
        client_request_id: &HeaderValue,
        error: Error,
    ) {
        let shared = Arc::new(error);
        for &i in envelope {
            let step = &self.steps[i];
            self.outcomes[i] = Some(Err(if step.request.is_repeatable() {
                BatchError::Envelope { key: step.key.clone(), source: shared.clone() }.into()
            } else {
                unknown(step, client_request_id.to_str().unwrap_or_default(), Some(status), None, None)
            }));
        }
    }

    /// The envelope's request: repeatable exactly when every step is, taking one slot of
    /// the write limiter per write step.
    fn envelope_request(&self, envelope: &[usize], writes: usize) -> Result<ApiRequest> {
        let in_envelope: HashSet<usize> = envelope.iter().copied().collect();
        let requests = envelope
            .iter()
            .map(|&i| {
                let step = &self.steps[i];
                // A dependency outside this envelope already succeeded: nothing to wait for.
                let depends_on = self.deps[i]
                    .filter(|d| in_envelope.contains(d))
                    .map(|d| self.steps[d].key.as_str())
                    .into_iter()
                    .collect();
                WireStep {
                    id: &step.key,
                    method: step.request.method.as_str(),
                    url: &step.url,
                    headers: step_headers(&step.request.headers),
                    body: step.body.as_ref(),
                    depends_on,
                }
            })
            .collect();
        let body = serde_json::to_vec(&RequestEnvelope { requests }).map_err(Error::Encode)?;
        let repeatable = envelope.iter().all(|&i| self.steps[i].request.is_repeatable());
        let repeat = if repeatable { Repeat::Safe } else { Repeat::Once };
        let slots = u32::try_from(writes).unwrap_or(u32::MAX);
        Ok(ApiRequest::new(Method::POST, self.url.clone(), repeat)
            .with_write_slots(slots)
            .with_json_body(body))
    }

    /// Records each step's answer; returns the steps to send again. A step answered twice
    /// or not at all ends with [`BatchError`]; steps answered 401 get one forced token
    /// refresh (one for the envelope) and go again.
    async fn answered(
        &mut self,
        envelope: &[usize],
        client_request_id: &HeaderValue,
        redactor: &Redactor,
        decoded: ResponseEnvelope,
    ) -> Vec<usize> {
        let mut answers: HashMap<String, (WireResponse, usize)> =
            HashMap::with_capacity(decoded.responses.len());
        for answer in decoded.responses {
            answers
                .entry(answer.id.to_lowercase())
                .and_modify(|(_, count)| *count += 1)
                .or_insert((answer, 1));
        }
        let context = EnvelopeContext { client_request_id, redactor };
        let mut again: Vec<usize> = Vec::new();
        let mut refresh = Refresh::default();
        // In the caller's order, so a step's dependency is settled before the step.
        for &i in envelope {
            let key = self.steps[i].key.clone();
            let answer = match answers.remove(&key.to_lowercase()) {
                Some((answer, 1)) => answer,
                Some((_, count)) => {
                    self.outcomes[i] = Some(Err(BatchError::DuplicateResponse { key, count }.into()));
                    continue;
                }
                None => {
                    self.outcomes[i] = Some(Err(BatchError::MissingResponse { key }.into()));
                    continue;
                }
            };
            match self.settle(i, StepAnswer::new(answer), &context, &again).await {
                Settled::Again => again.push(i),
                Settled::Refresh { claims, error } => {
                    refresh.claims = refresh.claims.or(claims);
                    refresh.steps.push((i, error));
                }
                Settled::Done(outcome) => self.outcomes[i] = Some(outcome),
            }
        }
        again.extend(self.refresh(refresh).await);
        again
    }

    /// The credential's forced refresh, once for the steps of one envelope answered 401
    /// (as a single call makes it); returns those steps to send again at once, or ends
    /// them with their 401 when no token comes.
    async fn refresh(&mut self, refresh: Refresh) -> Vec<usize> {
        if refresh.steps.is_empty() {
            return Vec::new();
        }
        let tokens = &self.client.pipeline().tokens;
        if let Err(error) = tokens.authorization(true, refresh.claims.as_deref()).await {
            tracing::debug!(error = %error, "token refresh for batch steps failed");
            for (i, unauthorized) in refresh.steps {
                self.outcomes[i] = Some(Err(Error::Graph(unauthorized)));
            }
            return Vec::new();
        }
        let now = Instant::now();
        refresh
            .steps
            .into_iter()
            .map(|(i, _)| {
                self.progress[i].ready_at = now;
                i
            })
            .collect()
    }

    /// What step `i`'s answer means: a result, or another go (a retry, a refresh, or its
    /// dependency's), decided as a single call's answer is.
    async fn settle(
        &mut self,
        i: usize,
        answer: StepAnswer,
        context: &EnvelopeContext<'_>,
        again: &[usize],
    ) -> Settled {
        let step = &self.steps[i];
        let status = answer.status;
        // A 424 only says the step's dependency failed: if that one goes again, so does this.
        if status == StatusCode::FAILED_DEPENDENCY {
            if let Some(d) = self.deps[i].filter(|d| again.contains(d)) {
                self.progress[i].ready_at = self.progress[d].ready_at;
                tracing::debug!(key = %step.key, status = status.as_u16(), "batch step waits for its dependency");
                return Settled::Again;
            }
        }
        let pipeline = self.client.pipeline();
        let judged = pipeline.judge(status, &answer.headers, step.request.is_repeatable());
        let attempt = self.progress[i].tries.attempt;
        tracing::debug!(
            key = %step.key,
            method = %step.request.method,
            url = %step.url,
            status = status.as_u16(),
            attempt,
            verdict = ?judged.verdict,
            "batch step"
        );
        let error = |hint| answer.graph_error(step, attempt, context, hint);
        if judged.verdict == StatusVerdict::Success {
            pipeline.succeeded(&self.progress[i].tries);
            let headers = answer.headers.clone();
            return Settled::Done(decode(self.client, step, answer.into_raw(step, context), headers).await);
        }
        if judged.verdict == StatusVerdict::OutcomeUnknown {
            let graph = Some(Box::new(error(judged.hint)));
            let id = context.client_request_id.to_str().unwrap_or_default();
            return Settled::Done(Err(unknown(step, id, Some(status), graph, None)));
        }
        if step.kind.reads_absent_as_none() && status == StatusCode::NOT_FOUND {
            return Settled::Done(Ok(StepValue::absent(step.kind)));
        }
        let graph = error(judged.hint);
        match self.decide(i, &judged, || format!("HTTP {}", status.as_u16())) {
            Decision::Retry(_) => Settled::Again,
            Decision::Refresh => {
                let claims = answer
                    .headers
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(crate::auth::challenge::parse_claims_challenge);
                Settled::Refresh { claims, error: Box::new(graph) }
            }
            Decision::Stop(reason) => {
                tracing::debug!(key = %self.steps[i].key, reason, "batch step not retried");
                Settled::Done(Err(graph.into()))
            }
        }
    }

    /// The retry decision for step `i` (the single call's); a retry is scheduled after its
    /// wait, a refresh at once.
    fn decide(&mut self, i: usize, judged: &Judged, failed: impl FnOnce() -> String) -> Decision {
        let step = &self.steps[i];
        let report = || {
            // The path only: a query may carry filter values.
            let path = step.url.split('?').next().unwrap_or_default();
            (format!("batch step {} ({} {path})", step.key, step.request.method), failed())
        };
        let deadline = self.deadline.map(|d| d.at);
        let progress = &mut self.progress[i];
        let decision = self.client.pipeline().decide(&mut progress.tries, judged, deadline, report);
        if let Decision::Retry(delay) = decision {
            progress.ready_at = Instant::now() + delay;
        }
        decision
    }

    /// The envelope failed as a whole after the single-call rules: each step's result is
    /// what its own call would have given. Returns the steps to send again.
    fn envelope_failed(&mut self, envelope: &[usize], error: Error) -> Vec<usize> {
        let Error::OutcomeUnknown(envelope_unknown) = &error else {
            // Not sent, refused or given up on: nothing happened to any step.
            match &error {
                Error::DeadlineExceeded { deadline, attempts: made, .. } => {
                    for &i in envelope {
                        // The step's earlier envelopes, and this one's attempts.
                        let attempts = self.progress[i].tries.attempt - 1 + made;
                        self.outcomes[i] = Some(Err(deadline_exceeded(&self.steps[i], *deadline, attempts)));
                    }
                }
                Error::Graph(graph) => {
                    for &i in envelope {
                        self.outcomes[i] = Some(Err(Error::Graph(graph.clone())));
                    }
                }
                _ => self.fail_all(envelope, &Arc::new(error)),
            }
            return Vec::new();
        };
        // The envelope carried a create and may have been carried out: creates are
        // unknown; every other step is judged as its own call would be.
        let client_request_id = envelope_unknown.client_request_id.clone();
        let status = envelope_unknown.status;
        let graph_error = envelope_unknown.graph_error.clone();
        let judged = self.envelope_judged(envelope_unknown);
        // Cut short in flight by the deadline: the steps that may have run are unknown
        // (saying so), the others end as their own calls would, past the deadline.
        let cut_by = envelope_unknown.deadline;
        let shared = Arc::new(error);
        let mut again = Vec::new();
        for &i in envelope {
            let step = &self.steps[i];
            if !step.request.is_repeatable() {
                let error = unknown(step, &client_request_id, status, graph_error.clone(), cut_by);
                self.outcomes[i] = Some(Err(error));
                continue;
            }
            if let Some(limit) = cut_by {
                let attempts = self.progress[i].tries.attempt;
                self.outcomes[i] = Some(Err(deadline_exceeded(step, limit, attempts)));
                continue;
            }
            if let Decision::Retry(_) = self.decide(i, &judged, || describe_envelope_failure(status)) {
                again.push(i);
                continue;
            }
            self.outcomes[i] = Some(Err(match &graph_error {
                Some(graph) => Error::Graph(graph.clone()),
                None => {
                    BatchError::Envelope { key: self.steps[i].key.clone(), source: shared.clone() }.into()
                }
            }));
        }
        again
    }

    /// How the failure of an envelope that carried a create is judged for one of its
    /// repeatable steps: as that step's own call would judge it.
    fn envelope_judged(&self, unknown: &OutcomeUnknown) -> Judged {
        let pipeline = self.client.pipeline();
        match (&unknown.transport, unknown.status) {
            (Some(error), _) => Judged::transport(error, true),
            (None, Some(status)) => {
                let hint = unknown.graph_error.as_ref().and_then(|g| g.retry_after);
                let mut judged = pipeline.judge(status, &HeaderMap::new(), true);
                judged.hint = hint;
                judged
            }
            (None, None) => Judged::broken_body(),
        }
    }

    /// The batch's deadline came before `steps` were sent (again): each ends with
    /// [`Error::DeadlineExceeded`], counting the attempts it made.
    fn deadline_passed(&mut self, steps: &[usize]) {
        let Some(deadline) = self.deadline else { return };
        for &i in steps {
            let attempts = self.progress[i].tries.attempt - 1;
            self.outcomes[i] = Some(Err(deadline_exceeded(&self.steps[i], deadline.limit, attempts)));
        }
    }

    fn fail_all(&mut self, envelope: &[usize], error: &Arc<Error>) {
        for &i in envelope {
            let key = self.steps[i].key.clone();
            self.outcomes[i] = Some(Err(BatchError::Envelope { key, source: error.clone() }.into()));
        }
    }
}

/// The step's outcome is unknown: it carries the step's own body, for reconciling or
/// re-sending by hand, and the deadline when that is what cut its envelope short.
fn unknown(
    step: &Step,
    client_request_id: &str,
    status: Option<StatusCode>,
    graph_error: Option<Box<GraphError>>,
    deadline: Option<Duration>,
) -> Error {
    OutcomeUnknown {
        operation: step.describe(),
        client_request_id: client_request_id.to_owned(),
        body: step.request.body.clone().unwrap_or_default(),
        status,
        graph_error,
        transport: None,
        deadline,
    }
    .into()
}

/// What failed, for the retry report of a step whose envelope failed.
fn describe_envelope_failure(status: Option<StatusCode>) -> String {
    match status {
        Some(status) => format!("the envelope got HTTP {}", status.as_u16()),
        None => "the envelope's connection failed".to_owned(),
    }
}

/// The step did not finish within the batch's deadline.
fn deadline_exceeded(step: &Step, deadline: Duration, attempts: u32) -> Error {
    Error::DeadlineExceeded { operation: step.describe(), deadline, attempts }
}

/// What every step of one envelope's answer shares: the envelope's request id and the
/// redactor of the token it was sent with.
struct EnvelopeContext<'a> {
    client_request_id: &'a HeaderValue,
    redactor: &'a Redactor,
}

/// One step's answer, read out of the envelope.
struct StepAnswer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: bytes::Bytes,
}

/// What an envelope's answer settles for one step.
enum Settled {
    /// The step goes in a later envelope.
    Again,
    /// The step was answered 401: it goes again after a forced token refresh, or ends
    /// with `error` when no token comes.
    Refresh { claims: Option<String>, error: Box<GraphError> },
    /// The step's result.
    Done(Result<StepValue>),
}

/// The steps of one envelope answered 401, and the claims challenge one of them carried.
#[derive(Default)]
struct Refresh {
    claims: Option<String>,
    steps: Vec<(usize, Box<GraphError>)>,
}

/// What a step whose dependency failed in an earlier envelope gets: the `424` Graph gives
/// such a step when both travel in one envelope.
fn failed_dependency(step: &Step, dependency: &Step) -> Error {
    let body = serde_json::json!({"error": {
        "code": "FailedDependency",
        "message": format!("the step {:?} this step depends on failed", dependency.key),
    }});
    GraphError::from_response(
        StatusCode::FAILED_DEPENDENCY,
        &HeaderMap::new(),
        body.to_string().as_bytes(),
        step.request.describe(),
        None,
        None,
    )
    .into()
}

impl StepAnswer {
    fn new(mut answer: WireResponse) -> Self {
        StepAnswer {
            status: StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY),
            body: answer.take_body(),
            headers: answer.headers,
        }
    }

    /// The error the single call would give for this answer, secrets removed.
    fn graph_error(
        &self,
        step: &Step,
        attempt: u32,
        context: &EnvelopeContext<'_>,
        hint: Option<Duration>,
    ) -> GraphError {
        let redactor = context.redactor;
        let mut error = GraphError::from_response(
            self.status,
            &self.headers,
            &redactor.bytes(&self.body),
            step.request.describe(),
            context.client_request_id.to_str().ok(),
            hint,
        );
        error.attempts = attempt;
        redactor.option(&mut error.request_id);
        redactor.option(&mut error.client_request_id);
        error
    }

    /// A success answer as the single call's response, so it decodes the same way.
    fn into_raw(self, step: &Step, context: &EnvelopeContext<'_>) -> RawResponse {
        RawResponse {
            decoded: None,
            status: self.status,
            body: self.body,
            operation_hint: ApiRequestSummary {
                client_request_id: context.client_request_id.clone(),
                method: step.request.method.clone(),
                url: step.request.url.clone(),
                sent_body: step.request.body.clone(),
                headers: self.headers,
                redactor: context.redactor.clone(),
            },
        }
    }
}

/// Decodes a step's success into the type its single call returns.
async fn decode(
    client: &GraphClient,
    step: &Step,
    raw: RawResponse,
    headers: reqwest::header::HeaderMap,
) -> Result<StepValue> {
    Ok(match step.kind {
        StepKind::Configuration | StepKind::Created => StepValue::Configuration(Box::new(raw.decode()?)),
        StepKind::Update if is_empty_body(&raw.body) => StepValue::Updated(None),
        StepKind::Update => StepValue::Updated(Some(Box::new(raw.decode()?))),
        StepKind::Delete => StepValue::Deleted,
        kind if kind.reads_absent_as_none() && is_empty_body(&raw.body) => StepValue::absent(kind),
        StepKind::RootCertificate => StepValue::RootCertificate(Some(Box::new(raw.decode()?))),
        StepKind::Assignments => {
            let page: Page<DeviceConfigurationAssignment> = Page::from_response(&raw, &step.request.url)?;
            let mut items = page.items;
            if let Some(next) = page.next_link {
                // Further pages are rare (a handful of assignments is the norm): single calls.
                items.extend(
                    PageStream::new(client.clone(), Ok(next), &Query::new()).items().collect_all().await?,
                );
            }
            StepValue::Assignments(items)
        }
        StepKind::Assigned if is_empty_body(&raw.body) => StepValue::Assignments(Vec::new()),
        StepKind::Assigned => StepValue::Assignments(
            Page::<DeviceConfigurationAssignment>::from_response(&raw, &step.request.url)?.items,
        ),
        StepKind::Reference(reference) if !reference.many => {
            let target = with_declared_type(raw.decode()?, reference)?;
            StepValue::Reference(Some(Box::new(target)))
        }
        StepKind::Reference(reference) => {
            let page: Page<DeviceConfiguration> = Page::from_response(&raw, &step.request.url)?;
            let mut members = page.items;
            if let Some(next) = page.next_link {
                members.extend(client.device_configurations().members_from(next).collect_all().await?);
            }
            let members = members.into_iter().map(|m| with_declared_type(m, reference));
            StepValue::ReferenceMembers(members.collect::<Result<_>>()?)
        }
        StepKind::Raw => StepValue::Raw(Box::new(RawStepResponse { inner: raw, headers })),
    })
}
