import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { sleep } from './procs';

/**
 * What a scenario submitted and what became of it. Submissions go through the public API and are
 * retried until accepted (ids are content hashes, so a retry can only join the same review);
 * outcomes are read from PostgreSQL and Temporal, the two places a review can be lost or doubled.
 */

const REVIEW_PATH = '/api/v2/cr-ai/review';
const TERMINAL = new Set(['completed', 'failed']);

export interface Outcome {
  scenario: string;
  submitted: number;
  /** submissions the API never accepted within the retry window (not counted as lost) */
  notAccepted: number;
  completed: number;
  failedWithReason: number;
  failedWithoutReason: number;
  duplicates: number;
  lost: number;
  stuck: number;
  /** seconds from submission to completion, from the store's own timestamps */
  p50s: number;
  p99s: number;
  /** reviews that took over a minute: in practice a lost task waiting out its timeout */
  over60s: number;
  notes: string[];
  /** scenario-specific expectations that did not hold (e.g. /readyz never said 503) */
  failedChecks: string[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? 0;
}

export interface StackHandle {
  apiUrl: string;
  adminKey: string;
  databaseUrl: string;
  temporalAddress: string;
}

export class Tracker {
  readonly ids = new Set<string>();
  notAccepted = 0;
  /** latency of each accepted submission, ms */
  readonly submitMs: number[] = [];
  readonly notes: string[] = [];

  constructor(
    readonly scenario: string,
    private readonly stack: StackHandle,
  ) {}

  /** POST until the API accepts (200/202) or the window closes; 5xx and refusals are retried. */
  async submit(diff: string, windowMs = 120_000): Promise<string | undefined> {
    const deadline = Date.now() + windowMs;
    let last = '';
    for (let delay = 250; Date.now() < deadline; delay = Math.min(delay * 2, 4000)) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${this.stack.apiUrl}${REVIEW_PATH}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.stack.adminKey}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ diff, title: `chaos ${this.scenario}` }),
          signal: AbortSignal.timeout(20_000),
        });
        const body = (await res.json()) as { id?: string; error?: { message?: string } };
        if ((res.status === 200 || res.status === 202) && body.id) {
          this.submitMs.push(performance.now() - t0);
          this.ids.add(body.id);
          return body.id;
        }
        last = `${res.status} ${body.error?.message ?? ''}`;
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(delay);
    }
    this.notAccepted += 1;
    this.notes.push(`not accepted: ${last}`);
    return undefined;
  }

  /** Waits (bounded) until every accepted review is completed or failed in the store. */
  async drain(timeoutMs: number, say: (m: string) => void): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastSay = 0;
    while (Date.now() < deadline) {
      const open = await this.openCount().catch(() => -1);
      if (open === 0) return;
      if (Date.now() - lastSay > 15_000) {
        say(`  waiting: ${open < 0 ? '(store unreachable)' : open} of ${this.ids.size} open`);
        lastSay = Date.now();
      }
      await sleep(1000);
    }
  }

  private async openCount(): Promise<number> {
    const db = new pg.Client({ connectionString: this.stack.databaseUrl });
    await db.connect();
    try {
      const res = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM reviews WHERE id = ANY($1) AND status NOT IN ('completed', 'failed')`,
        [[...this.ids]],
      );
      const present = await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM reviews WHERE id = ANY($1)',
        [[...this.ids]],
      );
      return Number(res.rows[0]?.n) + (this.ids.size - Number(present.rows[0]?.n));
    } finally {
      await db.end();
    }
  }

  /** Counts outcomes and every kind of duplicate; call after drain. */
  async outcome(): Promise<Outcome> {
    const ids = [...this.ids];
    const db = new pg.Client({ connectionString: this.stack.databaseUrl });
    await db.connect();
    const conn = await Connection.connect({ address: this.stack.temporalAddress });
    try {
      const rows = await db.query<{
        id: string;
        status: string;
        error: unknown;
        secs: number | null;
      }>(
        `SELECT id, status, error,
           EXTRACT(EPOCH FROM (completed_at - created_at))::float8 AS secs
         FROM reviews WHERE id = ANY($1)`,
        [ids],
      );
      const byId = new Map(rows.rows.map((r) => [r.id, r]));
      let completed = 0;
      let failedWithReason = 0;
      let failedWithoutReason = 0;
      let stuck = 0;
      const secs: number[] = [];
      for (const r of rows.rows) {
        if (r.status === 'completed') completed += 1;
        else if (r.status === 'failed' && r.error !== null) failedWithReason += 1;
        else if (r.status === 'failed') failedWithoutReason += 1;
        if (!TERMINAL.has(r.status)) stuck += 1;
        else if (r.secs !== null) secs.push(r.secs);
      }
      const lost = ids.filter((id) => !byId.has(id)).length;

      const dupRows = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM (SELECT id FROM reviews WHERE id = ANY($1)
           GROUP BY id HAVING count(*) > 1) d`,
        [ids],
      );
      const dupFindings = await db.query<{ review_id: string; extra: string }>(
        `SELECT review_id, count(*) - count(DISTINCT (file, start_line, end_line, dimension, title))
           AS extra FROM findings WHERE review_id = ANY($1) GROUP BY review_id
         HAVING count(*) > count(DISTINCT (file, start_line, end_line, dimension, title))`,
        [ids],
      );
      const dupCalls = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM (SELECT 1 FROM model_calls WHERE review_id = ANY($1)
           GROUP BY review_id, chunk_index, role HAVING count(*) > 1) d`,
        [ids],
      );
      const runs = new Map<string, number>();
      const wanted = new Set(ids);
      const client = new Client({ connection: conn });
      for await (const wf of client.workflow.list({ query: `WorkflowType = 'reviewWorkflow'` })) {
        if (wanted.has(wf.workflowId)) runs.set(wf.workflowId, (runs.get(wf.workflowId) ?? 0) + 1);
      }
      const dupRuns = [...runs.values()].filter((n) => n > 1).length;
      const noRun = ids.filter((id) => !runs.has(id)).length;
      const notes = [...this.notes];
      if (dupFindings.rows.length > 0) {
        notes.push(`duplicated findings in ${dupFindings.rows.map((r) => r.review_id).join(', ')}`);
      }
      if (dupRuns > 0) notes.push(`${dupRuns} review id(s) with more than one workflow run`);
      if (noRun > 0) notes.push(`${noRun} accepted review(s) without a workflow run`);
      secs.sort((a, b) => a - b);
      return {
        scenario: this.scenario,
        submitted: ids.length,
        notAccepted: this.notAccepted,
        completed,
        failedWithReason,
        failedWithoutReason,
        duplicates:
          Number(dupRows.rows[0]?.n) +
          dupFindings.rows.length +
          Number(dupCalls.rows[0]?.n) +
          dupRuns,
        // A review with no workflow run and no end would never finish: that is lost too.
        lost: lost + Math.min(noRun, stuck),
        stuck,
        p50s: round(percentile(secs, 50)),
        p99s: round(percentile(secs, 99)),
        over60s: secs.filter((x) => x > 60).length,
        notes,
        failedChecks: [],
      };
    } finally {
      await db.end();
      await conn.close();
    }
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
