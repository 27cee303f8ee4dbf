import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { commitAnalysisId } from '../../../domain/commits/ids';
import { historyFromObject, historyToObject } from '../../fixtures/histories';
import { sampleCommit, startCommitHarness, type CommitHarness } from './harness';

/**
 * Records the histories of a commit batch (one commit poisoned) and of a single commit analysis,
 * and replays them against the current workflow code. With QUORUM_RECORD_HISTORIES=1 it also
 * rewrites `batch.json` and `commit.json`, which test/unit/workflows/replay.test.ts replays on
 * every run (beside the histories of earlier versions of these workflows, kept as `*-v1.json`).
 */

jest.setTimeout(180_000);

const FIXTURES = path.resolve(__dirname, '../../fixtures/histories');

let h: CommitHarness;
beforeAll(async () => {
  h = await startCommitHarness();
});
afterAll(async () => {
  await h?.stop();
});

it('replays a recorded batch and a recorded single analysis against the current code', async () => {
  const run = Date.now().toString(36);
  const repository = `acme/replay-${run}`;
  const commits = [
    sampleCommit(1, 'feat(api): add the thing'),
    { ...sampleCommit(2, 'fix: broken'), diff: 'not a diff at all\n' },
    sampleCommit(3, 'fix(parser): off by one'),
  ];
  const { id: batchId } = await h.service.submitBatch(
    { repository, currentVersion: '1.0.0', commits },
    0,
  );
  await h.client.workflow.getHandle(batchId).result();
  const single = sampleCommit(4, 'perf: faster parse');
  const done = await h.service.submitCommit({ repository, ...single }, 20_000);
  expect(done.done).toBe(true);

  const ids = { batch: batchId, commit: commitAnalysisId(repository, single.sha) };
  const histories = await Promise.all(
    Object.entries(ids).map(async ([name, workflowId]) => ({
      name,
      workflowId,
      json: JSON.stringify(
        historyToObject(await h.client.workflow.getHandle(workflowId).fetchHistory()),
      ),
    })),
  );
  // the batch recording holds the poisoned commit's failure (payloads are base64 JSON)
  const payloads = [...(histories[0]?.json ?? '').matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)]
    .map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8'))
    .join('\n');
  expect(payloads).toContain('not_a_diff');

  const results = [];
  for await (const r of Worker.runReplayHistories(
    { workflowsPath: require.resolve('../../../workflows') },
    histories.map((x) => ({
      workflowId: x.workflowId,
      history: historyFromObject(JSON.parse(x.json)),
    })),
  )) {
    results.push(r);
  }
  expect(results.map((r) => [r.workflowId, r.error])).toEqual(
    Object.values(ids).map((id) => [id, undefined]),
  );

  if (process.env.QUORUM_RECORD_HISTORIES === '1') {
    for (const x of histories)
      await writeFile(path.join(FIXTURES, `${x.name}.json`), x.json + '\n');
  }
});
