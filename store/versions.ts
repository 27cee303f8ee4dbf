import type { CheckResult } from '../domain/gate/checks';
import type { GatePolicy } from '../domain/gate/policy';
import { routeFor, type Route } from '../domain/gate/routing';
import {
  canTransition,
  isInGate,
  type GateStageName,
  type VersionStatus,
} from '../domain/gate/status';
import type { ModelConfig } from '../domain/modelConfig';
import { withTransaction, type Db, type Queryable } from './db';

/** Model-config versions, their gate history, and the live traffic split. */

export interface StoredVersion {
  id: string;
  modelConfig: ModelConfig;
  policy: GatePolicy | null;
  notes: string | null;
  status: VersionStatus;
  stage: GateStageName | null;
  weight: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  productionSince: string | null;
  retiredAt: string | null;
}

export type VersionEventKind =
  'action' | 'stage_started' | 'measurement' | 'stage_ended' | 'gate_ended' | 'weight' | 'alert';

export interface VersionEvent {
  id: number;
  versionId: string;
  kind: VersionEventKind;
  stage: string | null;
  actor: string | null;
  details: Record<string, unknown>;
  checks: CheckResult[];
  at: string;
}

/** A store error with a code the API maps to a status (api/errors.ts). */
export class VersionError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'VersionError';
  }
}

interface VersionRow {
  id: string;
  model_config: ModelConfig;
  policy: GatePolicy | null;
  notes: string | null;
  status: VersionStatus;
  stage: GateStageName | null;
  weight: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  production_since: Date | null;
  retired_at: Date | null;
}

const COLUMNS = `id, model_config, policy, notes, status, stage, weight, created_by, created_at,
  updated_at, production_since, retired_at`;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toVersion(r: VersionRow): StoredVersion {
  return {
    id: r.id,
    modelConfig: r.model_config,
    policy: r.policy,
    notes: r.notes,
    status: r.status,
    stage: r.stage,
    weight: Number(r.weight),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    productionSince: iso(r.production_since),
    retiredAt: iso(r.retired_at),
  };
}

export async function getVersion(db: Queryable, id: string): Promise<StoredVersion | undefined> {
  const rows = await db.query<VersionRow>(`SELECT ${COLUMNS} FROM model_versions WHERE id = $1`, [
    id,
  ]);
  return rows.rows[0] ? toVersion(rows.rows[0]) : undefined;
}

export async function listVersions(db: Queryable): Promise<StoredVersion[]> {
  const rows = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM model_versions ORDER BY created_at DESC, id LIMIT 500`,
  );
  return rows.rows.map(toVersion);
}

export async function productionVersion(db: Queryable): Promise<StoredVersion | undefined> {
  const rows = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM model_versions WHERE status = 'production'`,
  );
  return rows.rows[0] ? toVersion(rows.rows[0]) : undefined;
}

/**
 * The first production version is whatever the deployment runs today (its configured models):
 * recorded on first use so a release always has a baseline to be measured against.
 */
export async function ensureProductionVersion(
  db: Db,
  id: string,
  modelConfig: ModelConfig,
): Promise<StoredVersion> {
  await db.query(
    `INSERT INTO model_versions (id, model_config, status, stage, created_by, production_since)
     SELECT $1, $2, 'production', 'production', 'system', now()
     WHERE NOT EXISTS (SELECT 1 FROM model_versions WHERE status = 'production')
     ON CONFLICT DO NOTHING`,
    [id, JSON.stringify(modelConfig)],
  );
  const prod = await productionVersion(db);
  if (!prod) throw new VersionError('conflict', 'no production version could be recorded');
  return prod;
}

export interface NewVersion {
  id: string;
  modelConfig: ModelConfig;
  policy: GatePolicy;
  notes?: string;
  createdBy: string;
}

/** Registers a candidate. One gate at a time: the traffic split has room for one candidate. */
export async function registerCandidate(db: Db, v: NewVersion): Promise<StoredVersion> {
  return withTransaction(db, async (client) => {
    await client.query('LOCK TABLE model_versions IN SHARE ROW EXCLUSIVE MODE');
    const existing = await getVersion(client, v.id);
    if (existing) {
      throw new VersionError('conflict', `version ${v.id} already exists (${existing.status})`);
    }
    const busy = await client.query<{ id: string }>(
      `SELECT id FROM model_versions
       WHERE status IN ('candidate', 'qualifying', 'staging', 'canary', 'rolling_out')`,
    );
    if (busy.rows[0]) {
      throw new VersionError('conflict', `version ${busy.rows[0].id} is already in the gate`);
    }
    const rows = await client.query<VersionRow>(
      `INSERT INTO model_versions (id, model_config, policy, notes, status, created_by)
       VALUES ($1, $2, $3, $4, 'candidate', $5) RETURNING ${COLUMNS}`,
      [v.id, JSON.stringify(v.modelConfig), JSON.stringify(v.policy), v.notes ?? null, v.createdBy],
    );
    return toVersion(rows.rows[0] as VersionRow);
  });
}

/** Moves a version along its status machine; repeating the current status is a no-op. */
export async function setVersionStatus(
  db: Db,
  id: string,
  status: VersionStatus,
  stage: GateStageName | null,
): Promise<StoredVersion> {
  return withTransaction(db, async (client) => {
    const rows = await client.query<VersionRow>(
      `SELECT ${COLUMNS} FROM model_versions WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const row = rows.rows[0];
    if (!row) throw new VersionError('not_found', `no version ${id}`);
    if (!canTransition(row.status, status)) {
      throw new VersionError('conflict', `version ${id} cannot go from ${row.status} to ${status}`);
    }
    const updated = await client.query<VersionRow>(
      `UPDATE model_versions SET status = $2, stage = $3, updated_at = now(),
         weight = CASE WHEN $2 IN ('rolled_back', 'aborted') THEN 0 ELSE weight END
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, status, stage],
    );
    return toVersion(updated.rows[0] as VersionRow);
  });
}

export async function setWeight(db: Queryable, id: string, weight: number): Promise<void> {
  const res = await db.query(
    'UPDATE model_versions SET weight = $2, updated_at = now() WHERE id = $1',
    [id, weight],
  );
  if (res.rowCount === 0) throw new VersionError('not_found', `no version ${id}`);
}

/** The candidate replaces production in one transaction, so there is never zero or two. */
export async function promoteToProduction(db: Db, id: string): Promise<StoredVersion> {
  return withTransaction(db, async (client) => {
    await client.query('LOCK TABLE model_versions IN SHARE ROW EXCLUSIVE MODE');
    const current = await getVersion(client, id);
    if (!current) throw new VersionError('not_found', `no version ${id}`);
    if (current.status === 'production') return current;
    if (!canTransition(current.status, 'production')) {
      throw new VersionError('conflict', `version ${id} is ${current.status}, not rolling out`);
    }
    await client.query(
      `UPDATE model_versions SET status = 'retired', retired_at = now(), updated_at = now(),
         weight = 0
       WHERE status = 'production'`,
    );
    const rows = await client.query<VersionRow>(
      `UPDATE model_versions SET status = 'production', stage = 'production', weight = 0,
         production_since = now(), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return toVersion(rows.rows[0] as VersionRow);
  });
}

export interface NewVersionEvent {
  versionId: string;
  kind: VersionEventKind;
  stage?: string | null;
  actor?: string | null;
  details?: Record<string, unknown>;
  checks?: CheckResult[];
  /** retried activities pass the same key and append once */
  idempotencyKey?: string;
  at?: string;
}

export async function appendVersionEvent(db: Queryable, e: NewVersionEvent): Promise<void> {
  await db.query(
    `INSERT INTO version_events (version_id, kind, stage, actor, details, checks, idempotency_key, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8::timestamptz, now()))
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      e.versionId,
      e.kind,
      e.stage ?? null,
      e.actor ?? null,
      JSON.stringify(e.details ?? {}),
      JSON.stringify(e.checks ?? []),
      e.idempotencyKey ?? null,
      e.at ?? null,
    ],
  );
}

export async function listVersionEvents(db: Queryable, id: string): Promise<VersionEvent[]> {
  const rows = await db.query<{
    id: string;
    version_id: string;
    kind: VersionEventKind;
    stage: string | null;
    actor: string | null;
    details: Record<string, unknown>;
    checks: CheckResult[];
    at: Date;
  }>(
    `SELECT id, version_id, kind, stage, actor, details, checks, at FROM version_events
     WHERE version_id = $1 ORDER BY id`,
    [id],
  );
  return rows.rows.map((r) => ({
    id: Number(r.id),
    versionId: r.version_id,
    kind: r.kind,
    stage: r.stage,
    actor: r.actor,
    details: r.details,
    checks: r.checks,
    at: r.at.toISOString(),
  }));
}

export interface Routing {
  baseline: { version: string; modelConfig: ModelConfig } | null;
  candidate?: { version: string; modelConfig: ModelConfig };
  /** percent of reviews the candidate serves */
  weight: number;
}

/** The live split: production, and the candidate in the gate when it has traffic. */
export async function currentRouting(db: Queryable): Promise<Routing> {
  const rows = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM model_versions
     WHERE status = 'production' OR (weight > 0 AND status IN ('canary', 'rolling_out'))`,
  );
  const versions = rows.rows.map(toVersion);
  const prod = versions.find((v) => v.status === 'production');
  const cand = versions.find((v) => v.status !== 'production' && isInGate(v.status));
  const baseline = prod ? { version: prod.id, modelConfig: prod.modelConfig } : null;
  if (!cand) return { baseline, weight: 0 };
  return {
    baseline,
    candidate: { version: cand.id, modelConfig: cand.modelConfig },
    weight: cand.weight,
  };
}

/** Which version's model config serves this review under the given routing. */
export function pickModelConfig(
  routing: Routing,
  reviewId: string,
): { route: Route; version: string; modelConfig: ModelConfig } | null {
  const route = routing.candidate ? routeFor(reviewId, routing.weight) : 'baseline';
  if (route === 'candidate' && routing.candidate) return { route, ...routing.candidate };
  return routing.baseline ? { route: 'baseline', ...routing.baseline } : null;
}

export { routeFor };

export interface LiveRows {
  status: string;
  verdict: string | null;
  durationMs: number | null;
  /** the baseline's verdict for the same diff in the window, if it reviewed it */
  baselineVerdict: string | null;
}

/** Candidate reviews since a time, each with the baseline's (shadow) verdict on the same diff. */
export async function liveReviews(
  db: Queryable,
  version: string,
  baseline: string | null,
  since: string,
): Promise<{ candidate: LiveRows[]; baselineLatenciesMs: number[] }> {
  const cand = await db.query<{
    status: string;
    verdict: string | null;
    duration_ms: string | null;
    baseline_verdict: string | null;
  }>(
    `SELECT c.status, c.verdict, c.timings->>'durationMs' AS duration_ms,
       (SELECT b.verdict FROM reviews b
        WHERE b.model_config_version = $2 AND b.status = 'completed'
          AND b.request->>'diff' = c.request->>'diff'
        ORDER BY b.created_at DESC LIMIT 1) AS baseline_verdict
     FROM reviews c
     WHERE c.model_config_version = $1 AND c.created_at >= $3
       AND c.status IN ('completed', 'failed')
     ORDER BY c.created_at LIMIT 20000`,
    [version, baseline, since],
  );
  const base = await db.query<{ duration_ms: string | null }>(
    `SELECT timings->>'durationMs' AS duration_ms FROM reviews
     WHERE model_config_version = $1 AND created_at >= $2 AND status = 'completed'
     ORDER BY created_at DESC LIMIT 20000`,
    [baseline, since],
  );
  const num = (v: string | null) => (v === null ? null : Number(v));
  return {
    candidate: cand.rows.map((r) => ({
      status: r.status,
      verdict: r.verdict,
      durationMs: num(r.duration_ms),
      baselineVerdict: r.baseline_verdict,
    })),
    baselineLatenciesMs: base.rows
      .map((r) => num(r.duration_ms))
      .filter((v): v is number => v !== null),
  };
}

/** When the version's first stored review was made: how long it has real production data. */
export async function firstReviewAt(db: Queryable, version: string): Promise<string | null> {
  const rows = await db.query<{ first: Date | null }>(
    'SELECT min(created_at) AS first FROM reviews WHERE model_config_version = $1',
    [version],
  );
  return iso(rows.rows[0]?.first ?? null);
}
