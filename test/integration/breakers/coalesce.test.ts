import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { breakerFor, createBreakers } from '../../../activities/breakers';
import { parseConfig, type Config } from '../../../domain/config';
import { listBreakers } from '../../../store/breakers';
import { createPool } from '../../../store/db';
import { migrateUp } from '../../../store/migrate';
import { requireEnv } from '../../helpers/reviewHarness';

/**
 * A worker folds the outcomes of its concurrent calls into as few breaker writes as it can:
 * none may be lost in the fold, and a fold stops at a transition, so each transition is written
 * (and audited) once.
 */

let db: pg.Pool;
beforeAll(async () => {
  const url = requireEnv('QUORUM_TEST_DATABASE_URL');
  await migrateUp(url);
  db = createPool(url, { max: 8, applicationName: 'quorum-breaker-coalesce' });
});
afterAll(async () => {
  await db?.end();
});

function freshConfig(env: Record<string, string> = {}): Config {
  // a breaker row of its own: the endpoint is part of the breaker's key
  return parseConfig({
    OPENAI_API_KEY: 'test',
    OPENAI_BASE_URL: `http://coalesce-${randomUUID().slice(0, 8)}.invalid/v1`,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

async function viewOf(config: Config) {
  const id = breakerFor(config, 'openai');
  if (!id) throw new Error('breakers are off');
  const view = (await listBreakers(db, config.breakers.policy)).find((v) => v.key === id.key);
  if (!view) throw new Error(`no breaker ${id.key}`);
  return { id, view };
}

it('counts every one of many concurrent outcomes', async () => {
  const config = freshConfig({ QUORUM_BREAKER_MIN_CALLS: '1000' });
  const breakers = createBreakers({ db, config });
  await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const ticket = await breakers.before('openai');
      await breakers.after(ticket, i % 4 === 0 ? new Error('vendor timed out') : null);
    }),
  );
  const { view } = await viewOf(config);
  expect(view).toMatchObject({ state: 'closed', callsInWindow: 40, failuresInWindow: 10 });
});

it('stops a fold at the transition it causes and writes that transition once', async () => {
  const config = freshConfig({ QUORUM_BREAKER_CONSECUTIVE_FAILURES: '3' });
  const breakers = createBreakers({ db, config });
  const tickets = await Promise.all(Array.from({ length: 12 }, () => breakers.before('openai')));
  await Promise.all(tickets.map((t) => breakers.after(t, new Error('connection refused'))));
  const { id, view } = await viewOf(config);
  expect(view.state).toBe('open');
  const transitions = await db.query<{ to_state: string }>(
    'SELECT to_state FROM breaker_transitions WHERE breaker_key = $1',
    [id.key],
  );
  expect(transitions.rows).toEqual([{ to_state: 'open' }]);
});
