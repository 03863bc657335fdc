//! The send loop: one envelope at a time, filled from the steps that are due, until every
//! step has its result. A step that is to be retried waits for its own delay and then goes
//! out with the steps still pending; each envelope's results are kept the moment it is
//! answered.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use reqwest::{Method, StatusCode, header::HeaderValue};
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
    client::is_empty_body,
    error::{Error, GraphError, OutcomeUnknown, Result},
    models::DeviceConfigurationAssignment,
    odata::{Page, PageStream, Query},
    pipeline::{
        ApiRequest, ApiRequestSummary, Deadline, Envelope, RawResponse, RetryKind, retry::StatusVerdict,
    },
    redact::Redactor,
};

/// Where one step stands between rounds.
#[derive(Clone, Copy, Debug)]
struct Progress {
    /// The attempt about to be made (1 for the first).
    attempt: u32,
    /// Time this step has waited for retries.
    waited: Duration,
    /// Not sent before this instant.
    ready_at: Instant,
    /// What the step's last retry took from the budget.
    last_cost: Option<u32>,
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
    let start = Progress { attempt: 1, waited: Duration::ZERO, ready_at: Instant::now(), last_cost: None };
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
    while let Some(earliest) = pending.iter().map(|&i| run.progress[i].ready_at).min() {
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
        let pipeline = self.client.pipeline();
        let wait = pipeline.reserve_write_steps(writes);
        if self.deadline.is_some_and(|d| d.reached_after(wait)) {
            // The write limiter's wait would pass the deadline: the envelope is not sent
            // (its reserved slots go unused, erring on the side of fewer writes).
            self.deadline_passed(envelope);
            return Vec::new();
        }
        pipeline.sleep(wait).await;
        let request = match self.envelope_request(envelope) {
            Ok(request) => request,
            Err(error) => {
                self.fail_all(envelope, &Arc::new(error));
                return Vec::new();
            }
        };
        let raw = match pipeline.send_until(request, self.deadline).await {
            Ok(raw) => raw,
            Err(error) => return self.envelope_failed(envelope, error),
        };
        match raw.decode::<ResponseEnvelope>() {
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
            self.outcomes[i] = Some(Err(if step.request.is_idempotent() {
                BatchError::Envelope { key: step.key.clone(), source: shared.clone() }.into()
            } else {
                unknown(step, client_request_id.to_str().unwrap_or_default(), Some(status), None, None)
            }));
        }
    }

    fn envelope_request(&self, envelope: &[usize]) -> Result<ApiRequest> {
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
        let mut request = ApiRequest::new(Method::POST, self.url.clone()).with_json_body(body);
        let idempotent = envelope.iter().all(|&i| self.steps[i].request.is_idempotent());
        request.envelope = Some(Envelope { idempotent });
        Ok(request)
    }

    /// Records each step's answer; returns the steps to send again.
    async fn answered(
        &mut self,
        envelope: &[usize],
        client_request_id: &HeaderValue,
        redactor: &Redactor,
        decoded: ResponseEnvelope,
    ) -> Vec<usize> {
        let mut answers: HashMap<String, WireResponse> =
            decoded.responses.into_iter().map(|r| (r.id.to_lowercase(), r)).collect();
        let context = EnvelopeContext { client_request_id, redactor };
        let mut again: Vec<usize> = Vec::new();
        // In the caller's order, so a step's dependency is settled before the step.
        for &i in envelope {
            let step = &self.steps[i];
            let Some(answer) = answers.remove(&step.key.to_lowercase()) else {
                self.outcomes[i] = Some(Err(BatchError::MissingResponse { key: step.key.clone() }.into()));
                continue;
            };
            match self.settle(i, StepAnswer::new(answer), &context, &again).await {
                Settled::Again => again.push(i),
                Settled::Done(outcome) => self.outcomes[i] = Some(outcome),
            }
        }
        again
    }

    /// What step `i`'s answer means: a result, or another go (a retry, or its dependency's).
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
        let verdict = pipeline.classify_step(status, &answer.headers, step.request.is_idempotent());
        tracing::debug!(
            key = %step.key,
            method = %step.request.method,
            url = %step.url,
            status = status.as_u16(),
            attempt = self.progress[i].attempt,
            verdict = ?verdict.verdict,
            "batch step"
        );
        let attempt = self.progress[i].attempt;
        let error = |hint| answer.graph_error(step, attempt, context, hint);
        Settled::Done(match verdict.verdict {
            StatusVerdict::Success => {
                pipeline.step_succeeded(self.progress[i].last_cost);
                let headers = answer.headers.clone();
                decode(self.client, step, answer.into_raw(step, context), headers).await
            }
            StatusVerdict::Retry => match self.retry(i, status, verdict.hint) {
                Ok(()) => return Settled::Again,
                Err(()) => Err(error(verdict.hint).into()),
            },
            StatusVerdict::OutcomeUnknown => Err(unknown(
                step,
                context.client_request_id.to_str().unwrap_or_default(),
                Some(status),
                Some(Box::new(error(verdict.hint))),
                None,
            )),
            StatusVerdict::Fail | StatusVerdict::Unauthorized
                if step.kind == StepKind::RootCertificate && status == StatusCode::NOT_FOUND =>
            {
                Ok(StepValue::RootCertificate(None))
            }
            StatusVerdict::Fail | StatusVerdict::Unauthorized => Err(error(verdict.hint).into()),
        })
    }

    /// Schedules step `i` again after its wait, when the policy, the budget and the batch's
    /// deadline allow one more attempt.
    fn retry(&mut self, i: usize, status: StatusCode, hint: Option<Duration>) -> std::result::Result<(), ()> {
        let key = &self.steps[i].key;
        let progress = self.progress[i];
        let throttled = status == StatusCode::TOO_MANY_REQUESTS && hint.is_some();
        let kind = if throttled { RetryKind::Throttled } else { RetryKind::Error };
        match self.client.pipeline().step_retry(progress.attempt, hint, progress.waited, kind, self.deadline)
        {
            Ok((delay, cost)) => {
                self.progress[i] = Progress {
                    attempt: progress.attempt + 1,
                    waited: progress.waited + delay,
                    ready_at: Instant::now() + delay,
                    last_cost: Some(cost),
                };
                let step = &self.steps[i];
                // The path only: a query may carry filter values.
                let path = step.url.split('?').next().unwrap_or_default();
                let what = format!("batch step {key} ({} {path})", step.request.method);
                self.client.pipeline().report_step_retry(&what, status, progress.attempt + 1, delay);
                Ok(())
            }
            Err(reason) => {
                tracing::debug!(key = %key, reason, "batch step not retried");
                Err(())
            }
        }
    }

    /// The envelope failed as a whole after the single-call rules: each step's result is
    /// what its own call would have given. Returns the steps to send again.
    fn envelope_failed(&mut self, envelope: &[usize], error: Error) -> Vec<usize> {
        let Error::OutcomeUnknown(envelope_unknown) = &error else {
            // Not sent, refused or given up on: nothing happened to any step.
            match &error {
                Error::DeadlineExceeded { deadline, .. } => {
                    for &i in envelope {
                        let attempts = self.progress[i].attempt;
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
        let pipeline = self.client.pipeline();
        let timeout = envelope_unknown.transport.as_ref().is_some_and(reqwest::Error::is_timeout);
        let hint = envelope_unknown.graph_error.as_ref().and_then(|g| g.retry_after);
        let client_request_id = envelope_unknown.client_request_id.clone();
        let status = envelope_unknown.status;
        let graph_error = envelope_unknown.graph_error.clone();
        // Cut short in flight by the deadline: the steps that may have run are unknown
        // (saying so), the others end as their own calls would, past the deadline.
        let cut_by = envelope_unknown.deadline;
        let shared = Arc::new(error);
        let mut again = Vec::new();
        for &i in envelope {
            let step = &self.steps[i];
            if !step.request.is_idempotent() {
                let error = unknown(step, &client_request_id, status, graph_error.clone(), cut_by);
                self.outcomes[i] = Some(Err(error));
                continue;
            }
            if let Some(limit) = cut_by {
                self.outcomes[i] = Some(Err(deadline_exceeded(step, limit, self.progress[i].attempt)));
                continue;
            }
            let retry = match status {
                Some(status) => {
                    crate::pipeline::retry::classify_status(status, true, hint.is_some())
                        == StatusVerdict::Retry
                }
                None => true,
            };
            let progress = self.progress[i];
            let kind = if timeout { RetryKind::Timeout } else { RetryKind::Error };
            match retry
                .then(|| pipeline.step_retry(progress.attempt, hint, progress.waited, kind, self.deadline))
            {
                Some(Ok((delay, cost))) => {
                    self.progress[i] = Progress {
                        attempt: progress.attempt + 1,
                        waited: progress.waited + delay,
                        ready_at: Instant::now() + delay,
                        last_cost: Some(cost),
                    };
                    again.push(i);
                }
                _ => {
                    self.outcomes[i] = Some(Err(match &graph_error {
                        Some(graph) => Error::Graph(graph.clone()),
                        None => BatchError::Envelope { key: step.key.clone(), source: shared.clone() }.into(),
                    }));
                }
            }
        }
        again
    }

    /// The batch's deadline came before `steps` were sent (again): each ends with
    /// [`Error::DeadlineExceeded`], counting the attempts it made.
    fn deadline_passed(&mut self, steps: &[usize]) {
        let Some(deadline) = self.deadline else { return };
        for &i in steps {
            let attempts = self.progress[i].attempt - 1;
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
    /// The step's result.
    Done(Result<StepValue>),
}

impl StepAnswer {
    fn new(answer: WireResponse) -> Self {
        StepAnswer {
            status: StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY),
            headers: answer.header_map(),
            body: answer.body_bytes(),
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
        StepKind::RootCertificate if is_empty_body(&raw.body) => StepValue::RootCertificate(None),
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
        StepKind::Raw => StepValue::Raw(Box::new(RawStepResponse { inner: raw, headers })),
    })
}
