import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { DECIDE_UPDATE, type DecisionInput } from '../../../domain/reviewFlow';
import {
  anthropicReply,
  openaiReply,
  startFakeAnthropic,
  startFakeOpenAI,
  type FakeVendor,
} from '../../fakes';
import { fakeVendorEnv, stopHarnessAndFakes } from '../../helpers/fakeVendors';
import { FIXTURE_NAMES, historyFromObject, historyToObject } from '../../fixtures/histories';
import {
  modelFinding,
  newFileDiff,
  startReviewHarness,
  waitForStatus,
  type ReviewHarness,
} from '../../helpers/reviewHarness';

/**
 * Records the histories of one review that walks every path the workflows have (an activity
 * retry, a failover hop, a disputed critical finding held for a human, a decision update) and
 * replays them against the current workflow code. With QUORUM_RECORD_HISTORIES=1 it also
 * rewrites the fixtures that test/unit/workflows/replay.test.ts replays on every run.
 */

jest.setTimeout(180_000);

const FIXTURES = path.resolve(__dirname, '../../fixtures/histories');
const FILE = 'src/cleanup.ts';

let anthropic: FakeVendor;
let openai: FakeVendor;
let harness: ReviewHarness;

beforeAll(async () => {
  anthropic = await startFakeAnthropic({
    script: [
      anthropicReply.error(500, 'overloaded for a moment'),
      anthropicReply.review({
        findings: [
          modelFinding({
            file: FILE,
            startLine: 4,
            endLine: 4,
            severity: 'critical',
            title: 'Unconditional delete wipes every account',
            confidence: 0.9,
          }),
        ],
        summary: 'Data loss.',
      }),
    ],
  });
  openai = await startFakeOpenAI({ script: () => openaiReply.error(401, 'bad key') });
  harness = await startReviewHarness({
    env: {
      ...fakeVendorEnv('replay', { anthropic, openai }),
      QUORUM_PRIMARY_CHAIN: 'anthropic',
      QUORUM_VERIFIER_CHAIN: 'openai,local',
    },
  });
});

afterAll(() => stopHarnessAndFakes(harness, anthropic, openai));

it('replays the recorded histories of a whole review against the current workflow code', async () => {
  const diff = newFileDiff(FILE, [
    "import { db } from './db';",
    '',
    'export async function purge(): Promise<void> {',
    "  await db.query('DELETE FROM accounts');",
    '}',
  ]);
  // A fixed request, so re-recording gives the same ids; a rerun on a kept store joins it.
  const { reviewId, handle } = await harness.submit({ diff, title: 'replay fixture' });
  const held = await waitForStatus(harness.db, reviewId, 'needs_manual_review');
  const findingId = held.findings.find((f) => f.agreement === 'disputed')?.id as string;
  await harness.client.workflow
    .getHandle(`${reviewId}-consensus`)
    .executeUpdate<unknown, [DecisionInput]>(DECIDE_UPDATE, {
      args: [{ findingId, decision: 'confirm', actor: 'replay-test' }],
    });
  expect(await handle.result()).toMatchObject({ status: 'completed' });

  const ids = {
    review: reviewId,
    consensus: `${reviewId}-consensus`,
    'modelCall-primary': `${reviewId}-chunk0-primary`,
    'modelCall-verifier': `${reviewId}-chunk0-verifier`,
  };
  expect(Object.keys(ids)).toEqual(FIXTURE_NAMES);
  const histories = await Promise.all(
    Object.entries(ids).map(async ([name, workflowId]) => ({
      name,
      workflowId,
      json: JSON.stringify(
        historyToObject(await harness.client.workflow.getHandle(workflowId).fetchHistory()),
      ),
    })),
  );
  // the recording really holds the paths named above
  const all = histories.map((h) => h.json).join('\n');
  expect(all).toContain('"eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED"');
  expect(all).toMatch(/"attempt":2/);

  const results = [];
  for await (const r of Worker.runReplayHistories(
    { workflowsPath: require.resolve('../../../workflows') },
    histories.map((h) => ({
      workflowId: h.workflowId,
      history: historyFromObject(JSON.parse(h.json)),
    })),
  )) {
    results.push(r);
  }
  expect(results.map((r) => [r.workflowId, r.error])).toEqual(
    Object.values(ids).map((id) => [id, undefined]),
  );

  if (process.env.QUORUM_RECORD_HISTORIES === '1') {
    for (const h of histories) {
      await writeFile(path.join(FIXTURES, `${h.name}.json`), h.json + '\n');
    }
  }
});
