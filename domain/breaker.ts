import type { ProviderName, Role } from './review';
import { ProviderErrorType } from './reviewFlow';

/**
 * The circuit breaker as a pure state machine over a snapshot. The store keeps one snapshot per
 * provider (and model and endpoint) in PostgreSQL and applies these functions inside a row lock,
 * so every worker process sees and moves the same breaker. Times are epoch milliseconds from the
 * database clock, passed in: nothing here reads a clock.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerPolicy {
  /** length of the sliding window the failure ratio is measured over */
  windowMs: number;
  /** fewer calls than this in the window never open the breaker by ratio */
  minCalls: number;
  /** failures / calls in the window at or above which the breaker opens */
  failureRatio: number;
  /** this many failures in a row open the breaker whatever the window says */
  consecutiveFailures: number;
  /** how long an open breaker refuses calls before letting probes through */
  cooldownMs: number;
  /** a vendor's retry-after lengthens the cooldown, but never beyond this */
  maxCooldownMs: number;
  /** calls let through at once while half-open */
  halfOpenProbes: number;
  /** a probe that never reports back (its worker died) frees its slot after this */
  probeLeaseMs: number;
  /** how long a review waits, in total, for an all-open chain before it fails */
  maxWaitMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  windowMs: 60_000,
  minCalls: 10,
  failureRatio: 0.5,
  // Above the 4 attempts one chain walk makes, so one review's retries alone do not trip it.
  consecutiveFailures: 10,
  cooldownMs: 30_000,
  maxCooldownMs: 10 * 60_000,
  halfOpenProbes: 1,
  probeLeaseMs: 150_000,
  maxWaitMs: 15 * 60_000,
};

/** The window is kept as this many time buckets: a bounded row whatever the call rate. */
export const WINDOW_BUCKETS = 10;

export interface WindowBucket {
  start: number;
  calls: number;
  failures: number;
}

export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  at: number;
  reason: string;
  /** 1 for the first transition of a breaker; keys its audit entry */
  generation: number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  buckets: WindowBucket[];
  consecutiveFailures: number;
  /** while open: when probes may start */
  halfOpenAt: number | null;
  /** while half-open: lease expiry of each probe in flight */
  probes: number[];
  generation: number;
  lastTransition: BreakerTransition | null;
}

export type CallOutcome =
  | { kind: 'success' }
  /** the vendor (or the path to it) failed: 5xx, timeout, refused, 429, auth */
  | { kind: 'failure'; reason: string; retryAfterMs?: number }
  /** our own bad request: says nothing about the vendor's health */
  | { kind: 'neutral' };

export type Admission =
  { allowed: true; probe: boolean } | { allowed: false; state: BreakerState; retryAt: number };

export function initialBreaker(): BreakerSnapshot {
  return {
    state: 'closed',
    buckets: [],
    consecutiveFailures: 0,
    halfOpenAt: null,
    probes: [],
    generation: 0,
    lastTransition: null,
  };
}

const bucketMs = (p: BreakerPolicy) => Math.max(1, Math.floor(p.windowMs / WINDOW_BUCKETS));

function liveBuckets(s: BreakerSnapshot, now: number, p: BreakerPolicy): WindowBucket[] {
  return s.buckets.filter((b) => b.start + bucketMs(p) > now - p.windowMs);
}

export function windowStats(
  s: BreakerSnapshot,
  now: number,
  p: BreakerPolicy,
): { calls: number; failures: number; failureRatio: number } {
  const live = liveBuckets(s, now, p);
  const calls = live.reduce((n, b) => n + b.calls, 0);
  const failures = live.reduce((n, b) => n + b.failures, 0);
  return { calls, failures, failureRatio: calls === 0 ? 0 : failures / calls };
}

function move(
  s: BreakerSnapshot,
  to: BreakerState,
  now: number,
  reason: string,
): { snapshot: BreakerSnapshot; transition: BreakerTransition } {
  const transition: BreakerTransition = {
    from: s.state,
    to,
    at: now,
    reason,
    generation: s.generation + 1,
  };
  return {
    snapshot: { ...s, state: to, generation: transition.generation, lastTransition: transition },
    transition,
  };
}

function open(
  s: BreakerSnapshot,
  now: number,
  p: BreakerPolicy,
  reason: string,
  retryAfterMs: number | undefined,
) {
  const cooldown = Math.min(p.maxCooldownMs, Math.max(p.cooldownMs, retryAfterMs ?? 0));
  const moved = move(s, 'open', now, reason);
  return {
    snapshot: { ...moved.snapshot, halfOpenAt: now + cooldown, probes: [] },
    transition: moved.transition,
  };
}

/**
 * May a call go ahead now? Closed: yes. Open: no until the cooldown ends, then the breaker goes
 * half-open and this call is its first probe. Half-open: while probe slots are free.
 */
export function admit(
  s: BreakerSnapshot,
  now: number,
  p: BreakerPolicy,
): { snapshot: BreakerSnapshot; admission: Admission; transition?: BreakerTransition } {
  if (s.state === 'closed') return { snapshot: s, admission: { allowed: true, probe: false } };
  let current = s;
  let transition: BreakerTransition | undefined;
  if (current.state === 'open') {
    const halfOpenAt = current.halfOpenAt ?? now;
    if (now < halfOpenAt) {
      return {
        snapshot: current,
        admission: { allowed: false, state: 'open', retryAt: halfOpenAt },
      };
    }
    const moved = move(current, 'half_open', now, 'cooldown elapsed');
    current = { ...moved.snapshot, halfOpenAt: null, probes: [] };
    transition = moved.transition;
  }
  const probes = current.probes.filter((lease) => lease > now);
  if (probes.length >= p.halfOpenProbes) {
    // A probe usually answers well before its lease ends; look again after one cooldown at most.
    const retryAt = Math.min(Math.min(...probes), now + p.cooldownMs);
    return {
      snapshot: { ...current, probes },
      admission: { allowed: false, state: 'half_open', retryAt },
      ...(transition ? { transition } : {}),
    };
  }
  return {
    snapshot: { ...current, probes: [...probes, now + p.probeLeaseMs].sort((a, b) => a - b) },
    admission: { allowed: true, probe: true },
    ...(transition ? { transition } : {}),
  };
}

function counted(s: BreakerSnapshot, now: number, p: BreakerPolicy, failed: boolean) {
  const start = Math.floor(now / bucketMs(p)) * bucketMs(p);
  const live = liveBuckets(s, now, p);
  const last = live[live.length - 1];
  const buckets =
    last && last.start === start
      ? [
          ...live.slice(0, -1),
          { start, calls: last.calls + 1, failures: last.failures + (failed ? 1 : 0) },
        ]
      : [...live, { start, calls: 1, failures: failed ? 1 : 0 }];
  return {
    ...s,
    buckets,
    consecutiveFailures: failed ? s.consecutiveFailures + 1 : 0,
  };
}

/**
 * What one finished call does to the breaker. Half-open: a probe's success closes it, its failure
 * opens it again. Closed: the window and the run of failures decide. Open: calls that started
 * before it opened are counted but move nothing.
 */
export function record(
  s: BreakerSnapshot,
  outcome: CallOutcome,
  now: number,
  p: BreakerPolicy,
  wasProbe: boolean,
): { snapshot: BreakerSnapshot; transition?: BreakerTransition } {
  const released = wasProbe && s.state === 'half_open' ? { ...s, probes: s.probes.slice(1) } : s;
  if (outcome.kind === 'neutral') return { snapshot: released };
  const failed = outcome.kind === 'failure';
  const next = counted(released, now, p, failed);

  if (s.state === 'half_open' && wasProbe) {
    if (outcome.kind === 'failure') {
      return open(next, now, p, `probe failed: ${outcome.reason}`, outcome.retryAfterMs);
    }
    const moved = move(next, 'closed', now, 'probe succeeded');
    return {
      snapshot: { ...moved.snapshot, buckets: [], consecutiveFailures: 0, probes: [] },
      transition: moved.transition,
    };
  }
  if (s.state !== 'closed' || outcome.kind !== 'failure') return { snapshot: next };

  if (next.consecutiveFailures >= p.consecutiveFailures) {
    const reason = `${next.consecutiveFailures} consecutive failures, last: ${outcome.reason}`;
    return open(next, now, p, reason, outcome.retryAfterMs);
  }
  const stats = windowStats(next, now, p);
  if (stats.calls >= p.minCalls && stats.failureRatio >= p.failureRatio) {
    const reason =
      `failure ratio ${stats.failureRatio.toFixed(2)} over ${stats.calls} calls in ` +
      `${Math.round(p.windowMs / 1000)} s, last: ${outcome.reason}`;
    return open(next, now, p, reason, outcome.retryAfterMs);
  }
  return { snapshot: next };
}

/**
 * How a finished call counts, from the failure type activities/providers/errors.ts gave it.
 * Timeouts, refused connections and garbled bodies arrive as ProviderUnavailable.
 */
export function outcomeOf(
  failure: { type: string | undefined; message: string; retryAfterSeconds?: number } | null,
): CallOutcome {
  if (failure === null) return { kind: 'success' };
  if (failure.type === ProviderErrorType.BadRequest) return { kind: 'neutral' };
  if (failure.type === ProviderErrorType.SchemaInvalid) return { kind: 'neutral' };
  return {
    kind: 'failure',
    reason: `${failure.type ?? 'Error'}: ${failure.message}`.slice(0, 300),
    ...(failure.retryAfterSeconds !== undefined
      ? { retryAfterMs: failure.retryAfterSeconds * 1000 }
      : {}),
  };
}

/** The gauge value of a state: ordered by how unavailable the provider is. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = {
  closed: 0,
  half_open: 1,
  open: 2,
};

// ---- what crosses Temporal ----

/** The failure type an activity raises when the breaker refuses a call. */
export const CIRCUIT_OPEN = 'CircuitOpen';

/** `details[0]` of a CircuitOpen failure: enough for the workflow to decide how long to wait. */
export interface CircuitOpenDetails {
  provider: ProviderName;
  breaker: string;
  state: BreakerState;
  /** when a probe may next go through (database clock, ISO) */
  retryAt: string;
  /** the same, relative to the refusal, so workflow and database clocks need not agree */
  retryInMs: number;
  /** the configured bound on a review's wait for an all-open chain */
  maxWaitMs: number;
}

export function isCircuitOpenDetails(v: unknown): v is CircuitOpenDetails {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    typeof d.provider === 'string' &&
    typeof d.retryInMs === 'number' &&
    typeof d.maxWaitMs === 'number' &&
    typeof d.retryAt === 'string'
  );
}

/** model-call child → review parent: this role of this chunk waits for open circuits (or not). */
export const PROVIDERS_WAITING_SIGNAL = 'providersWaiting';

export interface ProvidersWaitingReport {
  chunkIndex: number;
  role: Role;
  /** null: the wait is over */
  wait: ProvidersWait | null;
}

export interface ProvidersWait {
  /** when the chain is tried again (workflow clock, ISO) */
  until: string;
  providers: ProviderName[];
}

/** The review's view over all waiting calls: the soonest retry, every provider waited for. */
export function combineWaits(waits: readonly ProvidersWait[]): ProvidersWait | undefined {
  if (waits.length === 0) return undefined;
  const until = waits.map((w) => w.until).sort()[0] as string;
  const providers = [...new Set(waits.flatMap((w) => w.providers))].sort();
  return { until, providers };
}
