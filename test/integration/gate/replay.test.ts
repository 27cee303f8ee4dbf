import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

// Bundling the workflow code takes a while on a shared machine.
jest.setTimeout(180_000);

const DIR = path.resolve(__dirname, '../../fixtures/histories');

/**
 * Histories recorded from real gate runs (QUORUM_RECORD_HISTORIES=1 npx jest
 * test/integration/gate/gate.test.ts). Replaying them against today's workflow code fails on any
 * change that would break a gate already running in production: re-record only on purpose.
 */
async function recorded(): Promise<{ name: string; history: temporal.api.history.v1.History }[]> {
  const files = (await readdir(DIR)).filter((f) => /^gate-.*\.json$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => ({
      name: f,
      history: temporal.api.history.v1.History.fromObject(
        JSON.parse(await readFile(path.join(DIR, f), 'utf8')) as Record<string, unknown>,
      ),
    })),
  );
}

describe('gate workflow determinism', () => {
  it('has recorded histories of the rollback, abort, forced-promote and happy paths', async () => {
    const names = (await recorded()).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['gate-abort.json', 'gate-rollback.json', 'gate-force.json']),
    );
  });

  it('replays every recorded gate history without a nondeterminism error', async () => {
    const histories = await recorded();
    expect(histories.length).toBeGreaterThan(0);
    const results = Worker.runReplayHistories(
      { workflowsPath: require.resolve('../../../workflows/gate') },
      histories.map(({ name, history }) => ({ workflowId: name, history })),
    );
    const replayed: string[] = [];
    for await (const r of results) {
      expect({ id: r.workflowId, error: r.error }).toEqual({ id: r.workflowId, error: undefined });
      replayed.push(r.workflowId);
    }
    expect(replayed).toHaveLength(histories.length);
  });
});
