import { WorkflowFailedError } from '@temporalio/client';
import { commitAnalysisId } from '../../../domain/commits/ids';
import { getBatch, getCommitAnalysis } from '../../../store/commits';
import { sampleCommit, startCommitHarness, type CommitHarness } from './harness';

// Bundling workflows and a shared 2-core machine make the first steps slow.
jest.setTimeout(300_000);

let h: CommitHarness;
beforeAll(async () => {
  h = await startCommitHarness();
});
afterAll(async () => {
  await h?.stop();
});

const run = Date.now().toString(36);
const repo = (name: string) => `acme/${name}-${run}`;

async function waitForBatch(id: string, timeoutMs: number) {
  const handle = h.client.workflow.getHandle(id);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      handle.result().catch(() => undefined),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`batch ${id} not done in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  const stored = await getBatch(h.db, id);
  if (!stored) throw new Error(`batch ${id} not stored`);
  return stored;
}

describe('commitAnalysisWorkflow', () => {
  it('analyses one commit under commit-<repo>-<sha> with a summary from the local provider', async () => {
    const commit = sampleCommit(1, 'feat(parser): accept empty input');
    const result = await h.service.submitCommit({ repository: repo('single'), ...commit }, 20_000);
    expect(result.done).toBe(true);
    const id = commitAnalysisId(repo('single'), commit.sha);
    const stored = await getCommitAnalysis(h.db, id);
    expect(stored?.status).toBe('completed');
    expect(stored?.analysis).toMatchObject({
      id,
      impact: 'minor',
      message: { type: 'feat', scope: 'parser' },
      provenance: { provider: 'local', model: 'local/commit-summary-v1', failoverHops: [] },
    });
    expect(stored?.analysis?.summary).toContain('Semver impact: minor.');
    const described = await h.client.workflow.getHandle(id).describe();
    expect(described.type).toBe('commitAnalysisWorkflow');
  });

  it('answers the same commit again with the same analysis, without a new run', async () => {
    const commit = sampleCommit(2, 'fix: off by one');
    const first = await h.service.submitCommit({ repository: repo('again'), ...commit }, 20_000);
    const second = await h.service.submitCommit({ repository: repo('again'), ...commit }, 20_000);
    if (!first.done || !second.done) throw new Error('not done');
    expect(second.analysis.analysis).toEqual(first.analysis.analysis);
    expect(second.analysis.completedAt).toBe(first.analysis.completedAt);
  });

  it('walks the provider chain: an unconfigured vendor is skipped for the local provider', async () => {
    const vendorFirst = await startCommitHarness({ QUORUM_PRIMARY_CHAIN: 'openai,local' });
    try {
      const commit = sampleCommit(3, 'fix: failover');
      const result = await vendorFirst.service.submitCommit(
        { repository: repo('failover'), ...commit },
        30_000,
      );
      if (!result.done) throw new Error('not done');
      expect(result.analysis.analysis?.provenance).toMatchObject({
        provider: 'local',
        attempts: 2,
      });
      expect(result.analysis.analysis?.provenance.failoverHops[0]).toMatchObject({
        provider: 'openai',
      });
      expect(result.analysis.analysis?.provenance.failoverHops[0]?.reason).toMatch(
        /OPENAI_API_KEY/,
      );
    } finally {
      await vendorFirst.stop();
    }
  });
});

describe('batchAnalysisWorkflow', () => {
  it('reports a poisoned commit on its own and still proposes a release from the rest', async () => {
    const commits = [
      sampleCommit(10, 'fix: first'),
      { ...sampleCommit(11, 'feat: poisoned'), diff: 'this is not a unified diff' },
      sampleCommit(12, 'feat(api): second'),
    ];
    const { id } = await h.service.submitBatch(
      { repository: repo('poison'), currentVersion: '1.2.3', commits },
      60,
    );
    const batch = await waitForBatch(id, 60_000);
    expect(batch.status).toBe('completed');
    expect(batch.outcomes?.map((o) => o.status)).toEqual(['completed', 'failed', 'completed']);
    expect(batch.outcomes?.[1]?.error).toMatch(/not_a_diff/);
    expect(batch.proposal).toMatchObject({
      currentVersion: '1.2.3',
      nextVersion: '1.3.0',
      impact: 'minor',
      analysed: 2,
    });
    expect(batch.proposal?.failed).toHaveLength(1);
    expect(batch.proposal?.changelog).toContain('### Not analysed');
  });

  it('analyses commits shared by concurrent batches and a single submission without failing any', async () => {
    const commits = Array.from({ length: 10 }, (_, i) => sampleCommit(700 + i, `fix: shared ${i}`));
    const [first, second, single] = await Promise.all([
      h.service.submitBatch(
        { repository: repo('shared'), currentVersion: '1.0.0', commits: commits.slice(0, 7) },
        0,
      ),
      h.service.submitBatch(
        { repository: repo('shared'), currentVersion: '1.0.0', commits: commits.slice(3) },
        0,
      ),
      h.service.submitCommit(
        { repository: repo('shared'), ...(commits[5] as (typeof commits)[number]) },
        0,
      ),
    ]);
    expect(first.id).not.toBe(second.id);
    const [a, b] = await Promise.all([
      waitForBatch(first.id, 60_000),
      waitForBatch(second.id, 60_000),
    ]);
    expect(a.outcomes?.map((o) => o.status)).toEqual(Array(7).fill('completed'));
    expect(b.outcomes?.map((o) => o.status)).toEqual(Array(7).fill('completed'));
    if (!single.done) await h.client.workflow.getHandle(single.id).result();
    const shared = await getCommitAnalysis(
      h.db,
      commitAnalysisId(repo('shared'), commits[5]?.sha ?? ''),
    );
    expect(shared?.status).toBe('completed');
  });

  it('finishes 50 commits and answers progress by query (latency printed)', async () => {
    const commits = Array.from({ length: 50 }, (_, i) =>
      sampleCommit(100 + i, i === 7 ? 'feat: seven' : `fix: case ${i}`),
    );
    const started = Date.now();
    const { id } = await h.service.submitBatch(
      { repository: repo('fifty'), currentVersion: '2.0.0', commits },
      0,
    );
    const progress = await h.service.viewBatch(id);
    expect(progress?.stored.commits).toHaveLength(50);
    const batch = await waitForBatch(id, 120_000);
    const ms = Date.now() - started;
    process.stderr.write(`\n[commit batch] 50 commits in ${ms} ms\n`);
    expect(batch.status).toBe('completed');
    expect(batch.proposal?.nextVersion).toBe('2.1.0');
    expect(batch.proposal?.analysed).toBe(50);
  });

  it('finishes a 1000-commit batch within the time budget (latency printed)', async () => {
    const commits = Array.from({ length: 1000 }, (_, i) =>
      sampleCommit(10_000 + i, `fix: case ${i}`),
    );
    const started = Date.now();
    const { id } = await h.service.submitBatch(
      { repository: repo('thousand'), currentVersion: '3.1.4', commits },
      0,
    );
    const batch = await waitForBatch(id, 280_000);
    const ms = Date.now() - started;
    process.stderr.write(`\n[commit batch] 1000 commits in ${ms} ms\n`);
    expect(batch.status).toBe('completed');
    expect(batch.proposal).toMatchObject({ nextVersion: '3.1.5', analysed: 1000 });
    expect(batch.outcomes?.every((o) => o.status === 'completed')).toBe(true);
  });

  it('stops on cancellation, keeping the analyses already done and marking the batch cancelled', async () => {
    const commits = Array.from({ length: 200 }, (_, i) =>
      sampleCommit(50_000 + i, `fix: case ${i}`),
    );
    const { id } = await h.service.submitBatch(
      { repository: repo('cancel'), currentVersion: '1.0.0', commits },
      0,
    );
    const handle = h.client.workflow.getHandle(id);
    for (let i = 0; i < 100; i += 1) {
      const view = await h.service.viewBatch(id);
      if ((view?.progress?.completed ?? 0) >= 5) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await h.service.cancelBatch(id)).toBe(true);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const batch = await getBatch(h.db, id);
    expect(batch?.status).toBe('cancelled');
    const done = batch?.outcomes?.filter((o) => o.status === 'completed').length ?? 0;
    expect(done).toBeGreaterThanOrEqual(5);
    expect(done).toBeLessThan(200);
    expect(batch?.proposal).toBeNull();
  });
});
