import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { get, post, sampleCommit, startCommitHarness, type CommitHarness } from './harness';

jest.setTimeout(300_000);

const BASE = '/api/v2/vc-ai/analysis';
let h: CommitHarness;
let root: string;
let first: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'quorum-repos-'));
  const repo = path.join(root, 'demo');
  git(root, 'init', '-q', repo);
  await writeFile(path.join(repo, 'index.ts'), 'export function a(): number {\n  return 1;\n}\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'chore: initial');
  first = git(repo, 'rev-parse', 'HEAD');
  await writeFile(
    path.join(repo, 'index.ts'),
    'export function a(n: number): number {\n  return n;\n}\n',
  );
  git(repo, 'commit', '-q', '-am', 'feat: a takes n');
  h = await startCommitHarness({ QUORUM_ANALYSIS_REPO_ROOT: root });
});
afterAll(async () => {
  await h?.stop();
});

const commit = (i: number) => ({ repository: `acme/api-${Date.now()}`, ...sampleCommit(i) });

describe('POST analyze-commit', () => {
  it('answers a typical commit with its analysis within 500 ms on the local provider', async () => {
    await post(h, `${BASE}/analyze-commit`, commit(1)); // warm the workflow cache
    const started = Date.now();
    const res = await post(h, `${BASE}/analyze-commit`, commit(2));
    const ms = Date.now() - started;
    process.stderr.write(`\n[analyze-commit] ${ms} ms\n`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      kind: 'commit',
      status: 'completed',
      analysis: { impact: 'patch' },
    });
    expect(ms).toBeLessThan(1500);
  });

  it('refuses an invalid sha with 400 in the error envelope', async () => {
    const res = await post(h, `${BASE}/analyze-commit`, { ...commit(3), sha: 'not-a-sha' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_request' } });
    expect(JSON.stringify(res.json)).toContain('sha');
  });

  it('refuses a 50 MB diff with 413', async () => {
    const big =
      'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+' + 'x'.repeat(50 * 1024 * 1024);
    const res = await post(h, `${BASE}/analyze-commit`, { ...commit(4), diff: big });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses a diff that is not a diff with 422', async () => {
    const res = await post(h, `${BASE}/analyze-commit`, { ...commit(5), diff: 'hello world' });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({
      error: { code: 'unprocessable', details: { reason: 'not_a_diff' } },
    });
  });
});

describe('POST analyze-batch', () => {
  it('refuses an empty batch and an empty range with 400', async () => {
    const empty = await post(h, `${BASE}/analyze-batch`, { repository: 'acme/x', commits: [] });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ error: { details: { reason: 'empty_range' } } });
    const range = await post(h, `${BASE}/analyze-batch`, {
      path: 'demo',
      from: 'HEAD',
      to: 'HEAD',
    });
    expect(range.status).toBe(400);
    expect(range.json).toMatchObject({
      error: { code: 'invalid_request', details: { reason: 'empty_range' } },
    });
  });

  it('refuses an unknown ref with 422 and a path outside the root with 403', async () => {
    const unknown = await post(h, `${BASE}/analyze-batch`, {
      path: 'demo',
      from: 'no-such-tag',
      to: 'HEAD',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json).toMatchObject({
      error: { details: { reason: 'unknown_ref', ref: 'no-such-tag' } },
    });
    const outside = await post(h, `${BASE}/analyze-batch`, {
      path: '../..',
      from: 'HEAD~1',
      to: 'HEAD',
    });
    expect(outside.status).toBe(403);
  });

  it('refuses more than 1000 commits', async () => {
    const commits = Array.from({ length: 1001 }, (_, i) => ({
      sha: (i + 1).toString(16).padStart(40, 'a'),
      message: 'fix: x',
    }));
    const res = await post(h, `${BASE}/analyze-batch`, { repository: 'acme/x', commits });
    expect(res.status).toBe(400);
  });

  it('reads a range from a repository under the root and proposes the next version', async () => {
    const res = await post(h, `${BASE}/analyze-batch?wait=60`, {
      path: 'demo',
      from: first,
      to: 'HEAD',
      currentVersion: '1.0.0',
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      kind: 'batch',
      status: 'completed',
      proposal: { nextVersion: '2.0.0', impact: 'major' },
    });
    const id = res.json.id as string;
    const again = await get(h, `${BASE}/${id}`);
    expect(again.json).toMatchObject({
      id,
      commits: [{ status: 'completed', type: 'feat', impact: 'major' }],
    });
    expect((again.json.proposal as { changelog: string }).changelog).toContain(
      'changed the signature of exported function `a`',
    );
  });

  it('answers 404 for an unknown analysis id and 400 for a malformed one', async () => {
    expect((await get(h, `${BASE}/batch-0000000000000000`)).status).toBe(404);
    expect((await get(h, `${BASE}/nonsense`)).status).toBe(400);
  });
});
