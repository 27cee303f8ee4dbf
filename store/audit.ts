import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { withTransaction, type Db, type Queryable } from './db';

/**
 * The tamper-evident audit log: each entry carries the SHA-256 of the previous one, so editing or
 * removing any row breaks every hash after it.
 */

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditInput {
  actor: string;
  action: string;
  resource: string;
  requestId?: string;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  /** workflows pass workflowId+activityId so a retried activity appends once */
  idempotencyKey?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  resource: string;
  requestId: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  idempotencyKey: string | null;
  prevHash: string;
  hash: string;
}

// Sorted keys, and a throw rather than a silent substitute for anything that is not plain JSON.
const canonicalJson = configure({ deterministic: true, strict: true });

export const GENESIS_HASH = '0'.repeat(64);
const APPEND_LOCK_KEY = 7_262_431_002;

interface AuditRow {
  seq: string;
  at: Date;
  actor: string;
  action: string;
  resource: string;
  request_id: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  idempotency_key: string | null;
  prev_hash: string;
  hash: string;
}

const COLUMNS =
  'seq, at, actor, action, resource, request_id, outcome, details, idempotency_key, prev_hash, hash';

function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    resource: r.resource,
    requestId: r.request_id,
    outcome: r.outcome,
    details: r.details,
    idempotencyKey: r.idempotency_key,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The hash covers everything a reader relies on, serialised with sorted keys. */
export function auditHash(e: Omit<AuditEntry, 'hash' | 'idempotencyKey'>): string {
  const canonical = canonicalJson([
    e.seq,
    e.at,
    e.actor,
    e.action,
    e.resource,
    e.requestId,
    e.outcome,
    e.details,
    e.prevHash,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

const SECRET_NAMES = new Set(['key', 'apikey', 'authorization', 'privatekey', 'credentials']);
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'passwd'];

function looksSecret(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z]/g, '');
  return SECRET_NAMES.has(n) || SECRET_SUFFIXES.some((s) => n.endsWith(s));
}

/**
 * Callers must not log secrets; this is the last line of defence. Also makes details plain JSON
 * (drops undefined, turns dates into strings) so what is hashed is exactly what jsonb returns.
 */
export function scrubDetails(details: Record<string, unknown>): Record<string, unknown> {
  const plain: unknown = JSON.parse(JSON.stringify(details) ?? '{}');
  const scrub = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(scrub);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, inner]) => [k, looksSecret(k) ? '[redacted]' : scrub(inner)]),
      );
    }
    // jsonb cannot store NUL; dropping it keeps the stored value equal to the hashed one
    return typeof v === 'string' ? v.replaceAll('\u0000', '') : v;
  };
  const result = scrub(plain);
  return result !== null && typeof result === 'object' && !Array.isArray(result)
    ? (result as Record<string, unknown>)
    : {};
}

export async function appendAudit(db: Db, input: AuditInput): Promise<AuditEntry> {
  const details = scrubDetails(input.details ?? {});
  return withTransaction(db, async (client) => {
    // One appender at a time, so each entry links to the true last one and the chain never forks.
    await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK_KEY]);
    if (input.idempotencyKey !== undefined) {
      const existing = await client.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_log WHERE idempotency_key = $1`,
        [input.idempotencyKey],
      );
      if (existing.rows[0]) return toEntry(existing.rows[0]);
    }
    const last = await client.query<{ hash: string }>(
      'SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    // The database clock, truncated to what a JS Date holds, so every process agrees and the
    // hashed timestamp round-trips exactly.
    const next = await client.query<{ seq: string; at: Date }>(
      `SELECT nextval(pg_get_serial_sequence('audit_log', 'seq')) AS seq,
              date_trunc('milliseconds', clock_timestamp()) AS at`,
    );
    const row = next.rows[0];
    if (!row) throw new Error('audit_log: could not allocate a sequence number');
    const entry: Omit<AuditEntry, 'hash'> = {
      seq: Number(row.seq),
      at: row.at.toISOString(),
      actor: input.actor,
      action: input.action,
      resource: input.resource,
      requestId: input.requestId ?? null,
      outcome: input.outcome,
      details,
      idempotencyKey: input.idempotencyKey ?? null,
      prevHash: last.rows[0]?.hash ?? GENESIS_HASH,
    };
    const hash = auditHash(entry);
    await client.query(
      `INSERT INTO audit_log (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        entry.seq,
        row.at,
        entry.actor,
        entry.action,
        entry.resource,
        entry.requestId,
        entry.outcome,
        JSON.stringify(details),
        entry.idempotencyKey,
        entry.prevHash,
        hash,
      ],
    );
    return { ...entry, hash };
  });
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
  reason?: string;
}

const VERIFY_BATCH = 1000;

/**
 * Recomputes every hash from fromSeq (default: the start) and checks each entry links to the one
 * before it. Takes a Queryable so it can run inside a caller's transaction.
 */
export async function verifyAuditChain(
  db: Queryable,
  opts: { fromSeq?: number; limit?: number } = {},
): Promise<ChainCheck> {
  const fromSeq = opts.fromSeq ?? 0;
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const before = await db.query<{ hash: string }>(
    'SELECT hash FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT 1',
    [fromSeq],
  );
  let expectedPrev = before.rows[0]?.hash ?? GENESIS_HASH;
  let checked = 0;
  let after = fromSeq - 1;
  while (checked < limit) {
    const batch = await db.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, Math.min(VERIFY_BATCH, limit - checked)],
    );
    for (const row of batch.rows) {
      const entry = toEntry(row);
      if (entry.prevHash !== expectedPrev) {
        return { ok: false, checked, firstBadSeq: entry.seq, reason: 'prev_hash does not link' };
      }
      if (auditHash(entry) !== entry.hash) {
        return {
          ok: false,
          checked,
          firstBadSeq: entry.seq,
          reason: 'hash does not match content',
        };
      }
      expectedPrev = entry.hash;
      after = entry.seq;
      checked += 1;
    }
    if (batch.rows.length < VERIFY_BATCH) break;
  }
  return { ok: true, checked };
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  resource?: string;
  /** ISO timestamps, inclusive since / exclusive until */
  since?: string;
  until?: string;
  limit: number;
  /** from a previous page's nextCursor */
  cursor?: string;
}

/** Newest first; nextCursor is present when there may be more. */
export async function listAudit(
  db: Queryable,
  q: AuditQuery,
): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (q.actor !== undefined) add('actor = ?', q.actor);
  if (q.action !== undefined) add('action = ?', q.action);
  if (q.resource !== undefined) add('resource = ?', q.resource);
  if (q.since !== undefined) add('at >= ?', q.since);
  if (q.until !== undefined) add('at < ?', q.until);
  if (q.cursor !== undefined) {
    if (!/^\d{1,18}$/.test(q.cursor)) throw new RangeError('invalid audit cursor');
    add('seq < ?', q.cursor);
  }
  const limit = Math.max(1, Math.min(q.limit, 1000));
  params.push(limit + 1);
  const rows = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
     ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
  const items = rows.rows.slice(0, limit).map(toEntry);
  const last = items[items.length - 1];
  return rows.rows.length > limit && last ? { items, nextCursor: String(last.seq) } : { items };
}
