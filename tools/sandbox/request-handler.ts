/**
 * How the sandbox handles a call: /_sandbox/… goes to admin.ts; a call of LinkedIn's API is recorded, held
 * at the gates, delayed or faulted as the knobs say (faults.ts), routed to its endpoint's file and answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admin, type AdminTarget } from './admin';
import { faultReply } from './fault-reply';
import type { FaultSpec } from './fault-rules';
import type { Faults } from './faults';
import {
  bearerToken,
  classify,
  headerValue,
  parseJson,
  readBody,
  send,
  SERVICE_ERROR_NONE,
  tooLarge,
  wholeCallError,
} from './http';
import type { Endpoint, Reply } from './http';
import type { StatusBook } from './job-posting-status';
import { jobPostingStatus } from './job-posting-status-endpoint';
import { batchCreate, BatchBody } from './simple-job-postings';
import { taskStatus } from './simple-job-posting-tasks';
import type { RecordedCall, SandboxState } from './state';
import { issueToken, type TokenSettings } from './token';

/** What the handler works on: the sandbox's state and knobs, its token settings and its whole reset. */
export interface SandboxParts extends AdminTarget {
  faults: Faults;
  drift: StatusBook;
  tokenSettings: TokenSettings;
}

export class RequestHandler {
  private closed = false;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(private readonly parts: SandboxParts) {}

  private get state(): SandboxState {
    return this.parts.state;
  }

  private get faults(): Faults {
    return this.parts.faults;
  }

  private now(): number {
    return this.state.now();
  }

  /** No call is answered from now on; calls waiting out a latency wake up and end unanswered. */
  close(): void {
    this.closed = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (target.pathname.startsWith('/_sandbox/')) {
      const body = await readBody(req);
      send(res, body === undefined ? tooLarge() : admin(this.parts, req.method ?? 'GET', target, body));
      return;
    }

    const endpoint = classify(target.pathname);
    const call = this.record(req, target, endpoint);
    const finish = this.trackInFlight(call);
    res.on('close', () => {
      if (call.endedAt === 0) call.endedAt = this.now();
      finish();
    });

    const body = await readBody(req);
    if (body === undefined) {
      this.answer(res, call, finish, tooLarge());
      return;
    }
    if (endpoint === 'simpleJobPostings') {
      const batch = BatchBody.safeParse(parseJson(body));
      if (batch.success) call.elements = batch.data.elements;
    }
    if (endpoint === 'token') {
      const clientId = new URLSearchParams(body).get('client_id');
      call.developerApplicationUrn =
        this.state.applicationByClientId(clientId)?.developerApplicationUrn ?? null;
    }
    if (endpoint === 'other') {
      this.answer(res, call, finish, this.route(endpoint, req, target, body, call.seq));
      return;
    }
    const jobs = (call.elements ?? []).map(
      (element) => (element as { externalJobPostingId?: string }).externalJobPostingId ?? '',
    );
    const held = await this.faults.passGates(endpoint, call.developerApplicationUrn, jobs);
    if (this.closed || res.destroyed) return;
    const throttled = this.throttled(endpoint, call.developerApplicationUrn, jobs.length);
    if (throttled !== undefined) {
      this.answer(res, call, finish, throttled);
      return;
    }
    const fault = this.faults.take(endpoint, jobs);
    const delay = this.faults.latencyFor(endpoint) + (fault?.latencyMs ?? 0);
    // The answer time counts from the call's arrival (its release, when a gate held it), and LinkedIn's own
    // work is part of it: a call with no scripted fault is acted on as it arrives, then answered once the
    // time has passed. A caller that gives up meanwhile loses the answer, not the effect.
    const from = held ? this.now() : call.startedAt;
    const early =
      fault === undefined && delay > 0 ? this.route(endpoint, req, target, body, call.seq) : undefined;
    const wait = delay > 0 ? from + delay - this.now() : 0;
    if (wait > 0) await this.sleep(wait);
    if (this.closed || res.destroyed) return;
    if (early) {
      this.answer(res, call, finish, early);
      return;
    }
    if (fault?.hang === true) return;
    if (fault?.disconnect === true) {
      // A reset connection, as a dropped proxy or a crashed server gives.
      req.socket.destroy();
      return;
    }
    if (fault?.disconnectAfterApply === true || fault?.hangAfterApply === true) {
      // LinkedIn got the call and acted on it; the answer is lost on the way back.
      this.route(endpoint, req, target, body, call.seq);
      if (fault.disconnectAfterApply === true) req.socket.destroy();
      return;
    }

    const faulted = fault === undefined ? undefined : faultReply(endpoint, fault);
    this.answer(res, call, finish, faulted ?? this.route(endpoint, req, target, body, call.seq, fault));
  }

  /** The 429 a posting call past the application's limit gets at once (`FaultKnobs.throttle`). */
  private throttled(endpoint: Endpoint, urn: string | null, records: number): Reply | undefined {
    const throttle = this.faults.postingThrottle;
    if (throttle === undefined || endpoint !== 'simpleJobPostings' || urn === null) return undefined;
    const verdict = throttle.admit(urn, records, this.now());
    if (verdict.accepted) return undefined;
    return {
      status: 429,
      body: wholeCallError(
        429,
        SERVICE_ERROR_NONE,
        'Resource level throttle limit for calls to this resource is reached',
      ),
      headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
    };
  }

  /** A new entry in the record of calls, open until answered. */
  private record(req: IncomingMessage, target: URL, endpoint: Endpoint): RecordedCall {
    const bearer = bearerToken(req);
    const call: RecordedCall = {
      seq: ++this.state.seq,
      method: req.method ?? 'GET',
      path: target.pathname,
      query: target.search.replace(/^\?/, ''),
      endpoint,
      developerApplicationUrn:
        bearer === null ? null : (this.state.tokens.get(bearer)?.developerApplicationUrn ?? null),
      restliMethod: headerValue(req, 'x-restli-method'),
      startedAt: this.now(),
      endedAt: 0,
      status: 0,
      responseBody: undefined,
    };
    this.state.record.push(call);
    return call;
  }

  private route(
    endpoint: Endpoint,
    req: IncomingMessage,
    target: URL,
    body: string,
    seq: number,
    fault?: FaultSpec,
  ): Reply {
    const method = req.method ?? 'GET';
    const versioned = target.pathname.startsWith('/rest/');
    if (endpoint === 'token' && method === 'POST')
      return issueToken(this.state, this.parts.tokenSettings, req, body);
    if (endpoint === 'simpleJobPostings' && method === 'POST')
      return batchCreate(this.state, this.faults, req, body, {
        versioned,
        seq,
        failingElements:
          fault?.elementShare === undefined
            ? undefined
            : { share: fault.elementShare, status: fault.elementStatus ?? 500 },
      });
    if (endpoint === 'simpleJobPostingTasks' && method === 'GET')
      return taskStatus(this.state, this.faults, req, target, versioned);
    if (endpoint === 'jobPostingStatus' && method === 'GET')
      return jobPostingStatus(this.state, this.parts.drift, req, target, versioned);
    return {
      status: 404,
      body: wholeCallError(404, SERVICE_ERROR_NONE, `No resource ${method} ${target.pathname}`),
    };
  }

  private answer(res: ServerResponse, call: RecordedCall, finish: () => void, reply: Reply): void {
    call.status = reply.status;
    call.responseBody = reply.raw ?? reply.body;
    const retryAfter = Number(reply.headers?.['Retry-After']);
    if (reply.headers?.['Retry-After'] !== undefined && Number.isFinite(retryAfter))
      call.retryAfterSeconds = retryAfter;
    call.endedAt = this.now();
    // Out of flight before the client can see the answer, so its next call never overlaps this one.
    finish();
    send(res, reply);
  }

  private trackInFlight(call: RecordedCall): () => void {
    const urn = call.developerApplicationUrn;
    if (call.endpoint !== 'simpleJobPostings' || urn === null) return () => undefined;
    const current = (this.state.inFlight.get(urn) ?? 0) + 1;
    this.state.inFlight.set(urn, current);
    this.state.maxInFlight.set(urn, Math.max(this.state.maxInFlight.get(urn) ?? 0, current));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.state.inFlight.set(urn, Math.max(0, (this.state.inFlight.get(urn) ?? 1) - 1));
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleepers.add(sleeper);
    });
  }
}
