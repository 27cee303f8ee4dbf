import {
  admit,
  initialBreaker,
  record,
  windowStats,
  type Admission,
  type BreakerPolicy,
  type BreakerSnapshot,
  type BreakerState,
  type BreakerTransition,
  type CallOutcome,
} from '../domain/breaker';
import type { ProviderName } from '../domain/review';
import { withTransaction, type Db, type Queryable } from './db';

/**
 * Breaker rows shared by every worker. A change reads the row, computes the next snapshot with
 * the pure functions in domain/breaker.ts (so the rules are unit-tested once, not restated in
 * SQL), and writes it back only if the row's version is still the one read: a compare-and-set
 * in one statement, together with the transition row when there is one. No transaction stays
 * open across a round trip (on the embedded PGlite an open transaction holds the one backend),
 * and a breaker costs two short statements per call. Under heavy contention it falls back to a
 * row lock; a worker also folds the outcomes of its concurrent calls into one write
 * (activities/breakers.ts). Times come from the database clock, so workers whose clocks disagree still agree on
 * when a cooldown ends.
 */

export interface BreakerId {
  key: string;
  provider: ProviderName;
  model: string;
  endpoint: string | null;
}

/** `openai/gpt-5.4`, or `openai/gpt-5.4@host:port` when a non-default endpoint is configured. */
export function breakerId(provider: ProviderName, model: string, baseUrl?: string): BreakerId {
  let endpoint: string | null = null;
  if (baseUrl) {
    try {
      endpoint = new URL(baseUrl).host;
    } catch {
      endpoint = baseUrl;
    }
  }
  const key = `${provider}/${model}${endpoint ? `@${endpoint}` : ''}`;
  return { key, provider, model, endpoint };
}

export interface BreakerChange {
  snapshot: BreakerSnapshot;
  transition?: BreakerTransition;
  /** database clock, epoch ms */
  now: number;
}

type Step<E> = (
  s: BreakerSnapshot,
  now: number,
) => { snapshot: BreakerSnapshot; transition?: BreakerTransition } & E;

interface Row {
  snapshot: BreakerSnapshot;
  version: string;
  now: number;
}

const NOW = `(extract(epoch from clock_timestamp()) * 1000)::float8`;
const OPTIMISTIC_TRIES = 4;

async function read(db: Queryable, id: BreakerId, lock = false): Promise<Row | undefined> {
  const res = await db.query<Row>(
    `SELECT snapshot, version, ${NOW} AS now FROM breakers WHERE key = $1${lock ? ' FOR UPDATE' : ''}`,
    [id.key],
  );
  return res.rows[0];
}

async function create(db: Queryable, id: BreakerId): Promise<void> {
  await db.query(
    `INSERT INTO breakers (key, provider, model, endpoint, snapshot) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (key) DO NOTHING`,
    [id.key, id.provider, id.model, id.endpoint, JSON.stringify(initialBreaker())],
  );
}

/** Writes the snapshot if the row is still at `version`; the transition row goes with it. */
async function compareAndSet(
  db: Queryable,
  id: BreakerId,
  version: string,
  snapshot: BreakerSnapshot,
  t: BreakerTransition | undefined,
): Promise<boolean> {
  const update = `UPDATE breakers SET state = $2, snapshot = $3, version = version + 1,
      updated_at = now() WHERE key = $1 AND version = $4 RETURNING key`;
  const params = [id.key, snapshot.state, JSON.stringify(snapshot), version];
  if (!t) return ((await db.query(update, params)).rowCount ?? 0) > 0;
  const res = await db.query(
    `WITH written AS (${update})
     INSERT INTO breaker_transitions (breaker_key, generation, from_state, to_state, reason, at)
     SELECT key, $5, $6, $7, $8, to_timestamp($9::float8 / 1000) FROM written
     ON CONFLICT (breaker_key, generation) DO NOTHING
     RETURNING breaker_key`,
    [...params, t.generation, t.from, t.to, t.reason, t.at],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Applies `step` to the breaker's current snapshot and stores the result. `step` may be run more
 * than once (a lost compare-and-set reads again); it is pure, so that is harmless.
 */
async function change<E>(
  db: Db,
  id: BreakerId,
  step: Step<E>,
  seen?: Row,
): Promise<BreakerChange & E> {
  let row = seen;
  for (let i = 0; i < OPTIMISTIC_TRIES; i += 1) {
    row ??= await read(db, id);
    if (!row) {
      await create(db, id);
      row = await read(db, id);
      if (!row) throw new Error(`breakers: could not create ${id.key}`);
    }
    const next = step(row.snapshot, row.now);
    if (next.snapshot === row.snapshot) return { ...next, now: row.now };
    if (await compareAndSet(db, id, row.version, next.snapshot, next.transition)) {
      return { ...next, now: row.now };
    }
    row = undefined;
  }
  return withTransaction(db, async (client) => {
    const locked = await read(client, id, true);
    if (!locked) throw new Error(`breakers: ${id.key} vanished`);
    const next = step(locked.snapshot, locked.now);
    if (next.snapshot !== locked.snapshot) {
      await compareAndSet(client, id, locked.version, next.snapshot, next.transition);
    }
    return { ...next, now: locked.now };
  });
}

/**
 * Asks the breaker before a call. A closed breaker (the common case) costs one read; an open or
 * half-open one is written, to move to half-open or to claim a probe slot.
 */
export async function admitCall(
  db: Db,
  id: BreakerId,
  policy: BreakerPolicy,
): Promise<BreakerChange & { admission: Admission }> {
  const row = await read(db, id);
  if (!row || row.snapshot.state === 'closed') {
    const snapshot = row?.snapshot ?? initialBreaker();
    return { snapshot, now: row?.now ?? 0, admission: { allowed: true, probe: false } };
  }
  return change(db, id, (s, now) => admit(s, now, policy), row);
}

/** Counts one finished call; returns the transition it caused, if any. */
export async function recordCall(
  db: Db,
  id: BreakerId,
  outcome: CallOutcome,
  wasProbe: boolean,
  policy: BreakerPolicy,
): Promise<BreakerChange> {
  return recordCalls(db, id, [{ outcome, wasProbe }], policy);
}

/**
 * Counts finished calls in one write, in order, up to and including the first that causes a
 * transition (one transition per write, as the transition log expects); `consumed` says how many
 * were counted, and the caller writes the rest next.
 */
export async function recordCalls(
  db: Db,
  id: BreakerId,
  calls: readonly { outcome: CallOutcome; wasProbe: boolean }[],
  policy: BreakerPolicy,
): Promise<BreakerChange & { consumed: number }> {
  return change(db, id, (s, now) => {
    let snapshot = s;
    let consumed = 0;
    for (const c of calls) {
      const next = record(snapshot, c.outcome, now, policy, c.wasProbe);
      consumed += 1;
      if (next.transition)
        return { snapshot: next.snapshot, transition: next.transition, consumed };
      snapshot = next.snapshot;
    }
    return { snapshot, consumed };
  });
}

export interface StoredTransition {
  breakerKey: string;
  generation: number;
  from: BreakerState;
  to: BreakerState;
  reason: string;
  at: string;
}

interface TransitionRow {
  breaker_key: string;
  generation: string;
  from_state: BreakerState;
  to_state: BreakerState;
  reason: string;
  at: Date;
}

const toTransition = (r: TransitionRow): StoredTransition => ({
  breakerKey: r.breaker_key,
  generation: Number(r.generation),
  from: r.from_state,
  to: r.to_state,
  reason: r.reason,
  at: r.at.toISOString(),
});

/** Transitions not yet in the audit log, oldest first. */
export async function unauditedTransitions(db: Queryable, limit = 50): Promise<StoredTransition[]> {
  const res = await db.query<TransitionRow>(
    `SELECT breaker_key, generation, from_state, to_state, reason, at FROM breaker_transitions
     WHERE NOT audited ORDER BY at, breaker_key, generation LIMIT $1`,
    [limit],
  );
  return res.rows.map(toTransition);
}

export async function markTransitionAudited(
  db: Queryable,
  breakerKey: string,
  generation: number,
): Promise<void> {
  await db.query(
    'UPDATE breaker_transitions SET audited = true WHERE breaker_key = $1 AND generation = $2',
    [breakerKey, generation],
  );
}

export interface BreakerView {
  key: string;
  provider: ProviderName;
  model: string;
  endpoint: string | null;
  state: BreakerState;
  callsInWindow: number;
  failuresInWindow: number;
  failureRatio: number;
  consecutiveFailures: number;
  /** while open: when probes may start */
  halfOpenAt: string | null;
  lastTransition: Omit<StoredTransition, 'breakerKey' | 'generation'> | null;
  updatedAt: string;
}

/**
 * Every breaker as an operator reads it, with the window measured now. An open breaker whose
 * cooldown has ended is still shown open: it half-opens when the next call asks.
 */
export async function listBreakers(db: Queryable, policy: BreakerPolicy): Promise<BreakerView[]> {
  const res = await db.query<{
    key: string;
    provider: ProviderName;
    model: string;
    endpoint: string | null;
    snapshot: BreakerSnapshot;
    updated_at: Date;
    now: number;
  }>(
    `SELECT key, provider, model, endpoint, snapshot, updated_at, ${NOW} AS now
     FROM breakers ORDER BY provider, model, key`,
  );
  return res.rows.map((r) => {
    const stats = windowStats(r.snapshot, r.now, policy);
    const last = r.snapshot.lastTransition;
    return {
      key: r.key,
      provider: r.provider,
      model: r.model,
      endpoint: r.endpoint,
      state: r.snapshot.state,
      callsInWindow: stats.calls,
      failuresInWindow: stats.failures,
      failureRatio: Math.round(stats.failureRatio * 1000) / 1000,
      consecutiveFailures: r.snapshot.consecutiveFailures,
      halfOpenAt:
        r.snapshot.state === 'open' && r.snapshot.halfOpenAt !== null
          ? new Date(r.snapshot.halfOpenAt).toISOString()
          : null,
      lastTransition: last
        ? {
            from: last.from,
            to: last.to,
            reason: last.reason,
            at: new Date(last.at).toISOString(),
          }
        : null,
      updatedAt: r.updated_at.toISOString(),
    };
  });
}
