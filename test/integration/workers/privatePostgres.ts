import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../../store/embedded';

/**
 * A throwaway PGlite for tests that must damage data other test files rely on (a forged audit
 * entry). It runs in a child process because PGlite loads its WASM through a dynamic import that
 * jest's sandbox refuses; this file is both the spawner and, run through tsx, the server.
 */

const root = path.resolve(__dirname, '..', '..', '..');

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
}

export function startPrivatePostgres(): Promise<PrivatePostgres> {
  const child = spawn(
    process.execPath,
    [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), __filename],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.stdin?.end();
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`private PostgreSQL exited early (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ url: line.trim(), stop });
    });
  });
}

async function serve(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-private-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  const stop = async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  };
  // stdin closes when the test process ends, however it ends: no orphaned server.
  process.stdin.on('end', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdin.resume();
  process.stdout.write(`${pg.url}\n`);
}

if (require.main === module) void serve();
