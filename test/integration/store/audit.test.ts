import type pg from 'pg';
import {
  appendAudit,
  auditHash,
  GENESIS_HASH,
  listAudit,
  verifyAuditChain,
  type AuditEntry,
} from '../../../store/audit';
import { migratedPool, uniqueHex } from './testDb';

// jest ignores testTimeout inside a project entry, and the CPUs here are shared
jest.setTimeout(60_000);

let pool: pg.Pool;
beforeAll(async () => {
  pool = await migratedPool();
});
afterAll(async () => {
  await pool.end();
});

const entry = (actor: string, n: number) => ({
  actor,
  action: 'review.create',
  resource: `review-${n}`,
  requestId: `req-${n}`,
  outcome: 'success' as const,
  details: { n },
});

/** Runs fn in a transaction that is always rolled back, so tampering never reaches other tests. */
async function inRolledBackTransaction(fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

describe('audit log', () => {
  it('links 50 concurrent appends into one unbroken chain', async () => {
    const actor = `burst-${uniqueHex()}`;
    const entries = await Promise.all(
      Array.from({ length: 50 }, (_, i) => appendAudit(pool, entry(actor, i))),
    );
    const seqs = entries.map((e) => e.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(50);
    expect(new Set(entries.map((e) => e.prevHash)).size).toBe(50);
    for (const e of entries) expect(auditHash(e)).toBe(e.hash);

    const first = seqs[0] ?? 0;
    const check = await verifyAuditChain(pool, { fromSeq: first });
    expect(check.ok).toBe(true);
    expect(check.checked).toBeGreaterThanOrEqual(50);
  });

  it('detects a tampered entry at its own sequence number', async () => {
    const actor = `tamper-${uniqueHex()}`;
    const a = await appendAudit(pool, entry(actor, 1));
    const b = await appendAudit(pool, entry(actor, 2));
    const c = await appendAudit(pool, entry(actor, 3));
    expect((await verifyAuditChain(pool, { fromSeq: a.seq, limit: c.seq - a.seq + 1 })).ok).toBe(
      true,
    );

    await inRolledBackTransaction(async (client) => {
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      await client.query(`UPDATE audit_log SET outcome = 'failure' WHERE seq = $1`, [b.seq]);
      const check = await verifyAuditChain(client, { fromSeq: a.seq });
      expect(check).toMatchObject({ ok: false, firstBadSeq: b.seq });
      expect(check.reason).toMatch(/hash/);
    });
    expect((await verifyAuditChain(pool, { fromSeq: a.seq })).ok).toBe(true);
  });

  it('detects a rewritten entry whose hash was recomputed, at the next entry', async () => {
    const actor = `rewrite-${uniqueHex()}`;
    const a = await appendAudit(pool, entry(actor, 1));
    const b = await appendAudit(pool, entry(actor, 2));
    await inRolledBackTransaction(async (client) => {
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      const forged: AuditEntry = { ...a, actor: 'someone-else' };
      await client.query('UPDATE audit_log SET actor = $2, hash = $3 WHERE seq = $1', [
        a.seq,
        forged.actor,
        auditHash(forged),
      ]);
      const check = await verifyAuditChain(client, { fromSeq: a.seq });
      expect(check.ok).toBe(false);
      // the forged row is self-consistent, so the break shows where the next row links to it
      const next = await client.query<{ seq: string }>(
        'SELECT seq FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1',
        [a.seq],
      );
      expect(check.firstBadSeq).toBe(Number(next.rows[0]?.seq));
      expect(check.firstBadSeq).toBeLessThanOrEqual(b.seq);
      expect(check.reason).toMatch(/prev_hash/);
    });
  });

  it('rejects UPDATE, DELETE and TRUNCATE', async () => {
    const e = await appendAudit(pool, entry(`immutable-${uniqueHex()}`, 1));
    await expect(
      pool.query(`UPDATE audit_log SET actor = 'x' WHERE seq = $1`, [e.seq]),
    ).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_log WHERE seq = $1', [e.seq])).rejects.toThrow(
      /append-only/,
    );
    await expect(pool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    const still = await pool.query('SELECT 1 FROM audit_log WHERE seq = $1', [e.seq]);
    expect(still.rowCount).toBe(1);
  });

  it('appends once per idempotency key, even when retried concurrently', async () => {
    const key = `wf-${uniqueHex()}/activity-1`;
    const input = { ...entry(`idem-${uniqueHex()}`, 1), idempotencyKey: key };
    const [x, y] = await Promise.all([appendAudit(pool, input), appendAudit(pool, input)]);
    const z = await appendAudit(pool, input);
    expect(y).toEqual(x);
    expect(z).toEqual(x);
    const rows = await pool.query('SELECT seq FROM audit_log WHERE idempotency_key = $1', [key]);
    expect(rows.rowCount).toBe(1);
  });

  it('strips values of fields named like secrets from details', async () => {
    const e = await appendAudit(pool, {
      ...entry(`secrets-${uniqueHex()}`, 1),
      details: {
        apiKeyId: 'k-1',
        apiKey: 'qk_live',
        nested: [{ password: 'hunter2', client_secret: 's', githubToken: 't', file: 'a.ts' }],
      },
    });
    expect(e.details).toEqual({
      apiKeyId: 'k-1',
      apiKey: '[redacted]',
      nested: [
        {
          password: '[redacted]',
          client_secret: '[redacted]',
          githubToken: '[redacted]',
          file: 'a.ts',
        },
      ],
    });
    const stored = await pool.query<{ details: unknown }>(
      'SELECT details FROM audit_log WHERE seq = $1',
      [e.seq],
    );
    expect(JSON.stringify(stored.rows[0]?.details)).not.toMatch(/hunter2|qk_live/);
  });

  it('starts the chain from 64 zeros and links each entry to the previous hash', async () => {
    const genesis = await pool.query<{ prev_hash: string }>(
      'SELECT prev_hash FROM audit_log ORDER BY seq LIMIT 1',
    );
    expect(genesis.rows[0]?.prev_hash).toBe(GENESIS_HASH);
    const a = await appendAudit(pool, entry(`link-${uniqueHex()}`, 1));
    const prev = await pool.query<{ hash: string }>(
      'SELECT hash FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT 1',
      [a.seq],
    );
    expect(a.prevHash).toBe(prev.rows[0]?.hash);
  });

  it('lists newest first with filters and a cursor', async () => {
    const actor = `list-${uniqueHex()}`;
    const written: AuditEntry[] = [];
    for (let i = 0; i < 5; i++) written.push(await appendAudit(pool, entry(actor, i)));
    await appendAudit(pool, { ...entry(actor, 9), action: 'key.revoke', outcome: 'denied' });

    const page1 = await listAudit(pool, { actor, action: 'review.create', limit: 3 });
    expect(page1.items.map((e) => e.resource)).toEqual(['review-4', 'review-3', 'review-2']);
    expect(page1.nextCursor).toBeDefined();
    const page2 = await listAudit(pool, {
      actor,
      action: 'review.create',
      limit: 3,
      cursor: page1.nextCursor,
    });
    expect(page2.items.map((e) => e.resource)).toEqual(['review-1', 'review-0']);
    expect(page2.nextCursor).toBeUndefined();

    const denied = await listAudit(pool, { actor, action: 'key.revoke', limit: 10 });
    expect(denied.items).toHaveLength(1);
    expect(denied.items[0]?.outcome).toBe('denied');

    const at = written[2]?.at ?? '';
    const since = await listAudit(pool, { actor, action: 'review.create', since: at, limit: 10 });
    expect(since.items.every((e) => e.at >= at)).toBe(true);
    expect(since.items.map((e) => e.resource)).toEqual(
      expect.arrayContaining(['review-4', 'review-3', 'review-2']),
    );
    const until = await listAudit(pool, { actor, action: 'review.create', until: at, limit: 10 });
    expect(until.items.every((e) => e.at < at)).toBe(true);
    expect(until.items.map((e) => e.resource)).not.toContain('review-2');
    await expect(listAudit(pool, { limit: 1, cursor: 'DROP TABLE' })).rejects.toThrow(RangeError);
  });
});
