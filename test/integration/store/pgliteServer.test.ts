import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..', '..');

// PGlite cannot load inside jest's module sandbox, so the load runs in a child process.
describe('the embedded PostgreSQL server', () => {
  it('keeps concurrent connections apart: extended-protocol queries and transactions from 20 connections never mix', async () => {
    const { stdout } = await run(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      [path.join(root, 'bench', 'pglite-concurrency.ts'), '4', '5', '15'],
      { cwd: root, timeout: 60_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      ok: number;
      failed: number;
      firstErrors: string[];
    };
    expect(result.firstErrors).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok).toBe(4 * 10 * 15);
  });
});
