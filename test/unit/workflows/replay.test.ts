import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { parseConfig } from '../../../domain/config';
import { createLogger } from '../../../workers/logger';
import { installRuntime } from '../../../workers/runtime';
import { COMMIT_FIXTURE_NAMES, FIXTURE_NAMES, loadHistory } from '../../fixtures/histories';

// Replay bundles the workflow code with webpack: seconds on a shared 2-core machine.
jest.setTimeout(120_000);

beforeAll(() => {
  // Quiet, and without a metrics port: the SDK's default Runtime logs every worker state change.
  const config = parseConfig({ LOG_LEVEL: 'error', QUORUM_WORKER_METRICS_PORT: '0' });
  installRuntime(config, createLogger(config));
});

async function replay(workflowsPath: string, names: string[]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  const histories = names.map((name) => ({ workflowId: name, history: loadHistory(name) }));
  for await (const r of Worker.runReplayHistories({ workflowsPath }, histories)) results.push(r);
  return results;
}

describe('recorded review histories', () => {
  it('replay against the current workflow code without a determinism error', async () => {
    const results = await replay(require.resolve('../../../workflows'), FIXTURE_NAMES);

    expect(results.map((r) => [r.workflowId, r.error])).toEqual(
      FIXTURE_NAMES.map((name) => [name, undefined]),
    );
  });

  it('of commit analyses (old and current shapes) replay without a determinism error', async () => {
    const results = await replay(require.resolve('../../../workflows'), COMMIT_FIXTURE_NAMES);

    expect(results.map((r) => [r.workflowId, r.error])).toEqual(
      COMMIT_FIXTURE_NAMES.map((name) => [name, undefined]),
    );
  });

  it('fail to replay when the workflow code changes its commands', async () => {
    const [result] = await replay(require.resolve('./nondeterministic'), ['review']);

    expect(result?.error).toBeInstanceOf(DeterminismViolationError);
    expect(result?.error?.message).toMatch(/[Nn]ondeterminism/);
  });
});
