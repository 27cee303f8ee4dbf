/**
 * Serves a brand-new PGlite on a free loopback port until stdin closes or SIGTERM. Run as a child
 * process because PGlite loads its WASM with a dynamic import that jest's sandbox refuses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../../store/embedded';

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-fresh-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  const stop = async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.stdout.write(`${pg.url}\n`);
}

void main();
