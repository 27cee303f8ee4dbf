import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ReviewView } from '../../../api/reviewView';
import { closedPort } from '../api/harness';
import { newFileDiff, RUN, startReviewStack, VULNERABLE_TS, type ReviewStack } from './harness';

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..', '..');
let stack: ReviewStack;
let diffFile: string;
beforeAll(async () => {
  stack = await startReviewStack();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-cli-'));
  diffFile = path.join(dir, 'change.diff');
  await writeFile(diffFile, newFileDiff(`src/cli_${RUN}.ts`, VULNERABLE_TS));
});
afterAll(async () => {
  await stack?.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function review(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  const child = spawn(
    process.execPath,
    [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'cli/review.ts', ...args],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const asReviewer = () => ({ QUORUM_URL: stack.api.url, QUORUM_API_KEY: stack.reviewerKey });

describe('npm run review', () => {
  it('prints the review grouped by file, without colours when not on a TTY', async () => {
    const started = Date.now();
    const run = await review(
      [diffFile, '--repository', 'acme/shop', '--title', 'cli'],
      asReviewer(),
    );
    process.stdout.write(`[timing] CLI review end to end: ${Date.now() - started} ms\n`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^review-[0-9a-f]{16} · completed · request_changes · \d+ findings/);
    expect(run.stdout).toContain(`\nsrc/cli_${RUN}.ts\n`);
    expect(run.stdout).toMatch(/CRITICAL +SQL injection/);
    expect(run.stdout).toMatch(/HIGH +Hard-coded secret/);
    expect(run.stdout).toContain('Redacted before review: stripe_key at');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('prints JSON with --json and reads the diff from stdin with -', async () => {
    const diff = newFileDiff(`src/stdin_${RUN}.ts`, VULNERABLE_TS);
    const run = await review(['-', '--json'], asReviewer(), diff);
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout) as ReviewView;
    expect(view.status).toBe('completed');
    expect(view.coverage).toEqual([{ file: `src/stdin_${RUN}.ts`, outcome: 'reviewed' }]);
  });

  it('exits 1 when a finding reaches --fail-on, 0 when none does', async () => {
    expect((await review([diffFile, '--fail-on', 'critical'], asReviewer())).code).toBe(1);
    const clean = newFileDiff(`docs/notes_${RUN}.md`, '# Notes\n\nNothing to see.');
    expect((await review(['-', '--fail-on', 'high'], asReviewer(), clean)).code).toBe(0);
  });

  it('says how to start an API when none answers', async () => {
    const port = await closedPort();
    const run = await review([diffFile], { QUORUM_URL: `http://127.0.0.1:${port}` });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`No Quorum API answered at http://127.0.0.1:${port}`);
    expect(run.stderr).toContain('npm start');
    expect(run.stderr).toContain('QUORUM_API_KEY=<key>');
  });

  it('says when the key is missing or wrong', async () => {
    const missing = await review([diffFile], { QUORUM_URL: stack.api.url, QUORUM_API_KEY: '' });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('QUORUM_API_KEY is not set');
    const wrong = await review([diffFile], { QUORUM_URL: stack.api.url, QUORUM_API_KEY: 'nope' });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('QUORUM_API_KEY is unknown or revoked');
  });

  it('reports a refused diff with exit 2 and the reason', async () => {
    const run = await review(['-'], asReviewer(), 'just some text\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HTTP 422');
    expect(run.stderr).toContain('not_a_diff');
  });
});
