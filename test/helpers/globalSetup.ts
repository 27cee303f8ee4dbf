import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli, findTestServer } from '../../cli/stack/temporalBinary';
import { freePort, startDevServer, type DevServer } from '../../cli/stack/devServer';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../store/embedded';

/**
 * One real Temporal dev server and one PostgreSQL for the whole integration run. Tests read
 * their addresses from QUORUM_TEST_* variables; each test file isolates itself with its own
 * task queue prefix and its own ids.
 *   DATABASE_URL set          → that PostgreSQL (CI uses a real server)
 *   else                      → an embedded PGlite in a temp dir
 *   QUORUM_TEST_TEMPORAL_ADDRESS set → that Temporal server, else a fresh in-memory dev server
 */
interface Started {
  devServer?: DevServer;
  postgres?: EmbeddedPostgres;
}
declare global {
  var __quorumTestStack: Started | undefined;
}

const root = path.resolve(__dirname, '..', '..');
/** The dev server a run started, so a run that was killed before its teardown is cleaned up next time. */
const PID_FILE = path.join(root, '.quorum', 'test-temporal.pid');

/** Ends the dev server an earlier, killed run left behind — by its recorded pid, and only if it still is ours. */
async function endLeftoverServer(): Promise<void> {
  try {
    const pid = Number((await readFile(PID_FILE, 'utf8')).trim());
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (pid > 0 && cmdline.includes('start-dev') && cmdline.includes('--headless')) {
      process.kill(pid, 'SIGTERM');
    }
  } catch {
    // no pid file, or the process is gone: nothing to clean up
  }
  await rm(PID_FILE, { force: true });
}

export default async function globalSetup(): Promise<void> {
  const started: Started = {};
  globalThis.__quorumTestStack = started;
  const toolsDir = path.join(root, '.quorum', 'tools');
  const log = (msg: string) => process.stderr.write(`[test setup] ${msg}\n`);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'quorum-test-'));

  if (!process.env.QUORUM_TEST_TEMPORAL_ADDRESS) {
    await endLeftoverServer();
    const cliPath = await findTemporalCli({
      cliPath: process.env.TEMPORAL_CLI_PATH,
      toolsDir,
      pathVar: process.env.PATH ?? '',
      log,
    });
    started.devServer = await startDevServer({
      cliPath,
      port: await freePort(),
      headless: true,
      namespace: 'default',
      logFile: path.join(tmp, 'temporal.log'),
    });
    process.env.QUORUM_TEST_TEMPORAL_ADDRESS = started.devServer.address;
    await mkdir(path.dirname(PID_FILE), { recursive: true });
    await writeFile(PID_FILE, String(started.devServer.pid));
  }
  process.env.QUORUM_TEST_SERVER_PATH ??= await findTestServer({
    serverPath: process.env.TEMPORAL_TEST_SERVER_PATH,
    toolsDir,
    pathVar: process.env.PATH ?? '',
    log,
  });

  if (process.env.DATABASE_URL) {
    process.env.QUORUM_TEST_DATABASE_URL = process.env.DATABASE_URL;
  } else {
    started.postgres = await startEmbeddedPostgres({ dataDir: tmp, port: await freePort() });
    process.env.QUORUM_TEST_DATABASE_URL = started.postgres.url;
  }
}
