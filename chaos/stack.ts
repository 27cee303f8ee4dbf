import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { hostEnv, hostPath, loadConfig } from '../cli/config';
import { freePort, startDevServer, type DevServer } from '../cli/stack/devServer';
import { findTemporalCli } from '../cli/stack/temporalBinary';
import { createPostgres, type ChaosPostgres } from './postgres';
import { startTsx, waitUntil, type Proc } from './procs';
import type { Vendors } from './vendors';

/**
 * The stack under test, every piece a process the runner owns: a Temporal dev server with a
 * persistent database file, PostgreSQL, `npm run worker` processes and `npm run api`. Workers are
 * supervised the way a process manager would: one that exits is started again (and counted).
 */

export interface ChaosStack {
  apiUrl: string;
  adminKey: string;
  databaseUrl: string;
  temporalAddress: string;
  taskQueuePrefix: string;
  postgres: ChaosPostgres;
  workers(): Proc[];
  /** kill -9 one worker by pid; the supervisor starts a fresh one */
  killWorker(index: number): Promise<number>;
  /** processes started again after an exit of their own (not after our kills), by role */
  crashes(): { api: number; workers: number };
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  stop(): Promise<void>;
}

/** The breaker cooldown of the chaos stack's workers. */
export const BREAKER_COOLDOWN_MS = 3000;

export async function startChaosStack(opts: {
  root: string;
  dir: string;
  vendors: Vendors;
  workerCount: number;
  preferPglite: boolean;
  say: (msg: string) => void;
}): Promise<ChaosStack> {
  const { root, dir, say } = opts;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const cliPath = await findTemporalCli({
      cliPath: loadConfig().temporal.cliPath,
      toolsDir: path.join(root, '.quorum', 'tools'),
      pathVar: hostPath(),
      log: say,
    });
    const temporalPort = await freePort();
    const dbFile = path.join(dir, 'temporal.db');
    let temporal: DevServer | undefined;
    const startTemporal = async () => {
      temporal = await startDevServer({
        cliPath,
        port: temporalPort,
        headless: true,
        dbFile,
        namespace: 'default',
        logFile: path.join(dir, 'temporal.log'),
      });
    };
    const stopTemporal = async () => {
      await temporal?.stop();
      temporal = undefined;
    };
    await startTemporal();
    stops.push(stopTemporal);
    say(`Temporal dev server on 127.0.0.1:${temporalPort} (pid ${temporal?.pid}, db ${dbFile})`);

    const postgres = await createPostgres({
      dir: path.join(dir, 'pg'),
      port: await freePort(),
      cwd: root,
      preferPglite: opts.preferPglite,
    });
    await postgres.start();
    stops.push(() => postgres.stop());
    say(`${postgres.kind} on ${postgres.url} (pid ${postgres.pid()})`);

    const adminKey = randomBytes(24).toString('hex');
    const apiPort = await freePort();
    const taskQueuePrefix = `chaos-${randomBytes(4).toString('hex')}`;
    const env: NodeJS.ProcessEnv = {
      ...hostEnv(),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      DATABASE_URL: postgres.url,
      DATABASE_POOL_MAX: '10',
      QUORUM_TASK_QUEUE_PREFIX: taskQueuePrefix,
      QUORUM_WORKER_METRICS_PORT: '0',
      QUORUM_API_PORT: String(apiPort),
      QUORUM_ADMIN_KEY: adminKey,
      // The load scenario is the limit here, not the per-client rate limiter.
      QUORUM_RATE_LIMIT_PER_MINUTE: '10000000',
      OPENAI_API_KEY: 'sk-chaos-fake',
      OPENAI_BASE_URL: opts.vendors.openaiBaseUrl,
      ANTHROPIC_API_KEY: 'sk-ant-chaos-fake',
      ANTHROPIC_BASE_URL: opts.vendors.anthropicBaseUrl,
      QUORUM_PRIMARY_CHAIN: 'openai,local',
      QUORUM_VERIFIER_CHAIN: 'anthropic,local',
      // A hung vendor must cost seconds, not the default two minutes.
      QUORUM_MODEL_TIMEOUT_MS: '2000',
      // A disputed critical finding must not park a chaos review for 72 hours.
      QUORUM_MANUAL_REVIEW_TIMEOUT: '5s',
      // Breakers open during outages; a short cooldown lets traffic return within a scenario.
      QUORUM_BREAKER_COOLDOWN: `${BREAKER_COOLDOWN_MS}ms`,
    };

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const crashes = { api: 0, workers: 0 };
    let stopping = false;
    // Supervised like a process manager would: a crash is restarted, and counted as a failure.
    let api: Proc | undefined;
    const spawnApi = () => {
      const p = startTsx('api', path.join(root, 'cli', 'api.ts'), [], {
        cwd: root,
        env,
        logFile: path.join(dir, 'api.log'),
      });
      api = p;
      void p.exited.then(() => {
        if (stopping) return;
        crashes.api += 1;
        // A pause, so an API that cannot start (its database is down) does not spin.
        setTimeout(() => stopping || spawnApi(), 1000);
      });
    };
    spawnApi();
    stops.push(async () => {
      stopping = true;
      await api?.stop();
    });
    const ready = await waitUntil(
      async () => (await fetch(`${apiUrl}/readyz`)).status === 200,
      90_000,
      500,
    );
    if (!ready) throw new Error(`API did not become ready (see ${dir}/api.log)`);
    say(`API on ${apiUrl} (pid ${api?.pid})`);

    const workers: Proc[] = [];
    const killed = new Set<number>();
    const spawnWorker = (i: number) => {
      const w = startTsx(`worker-${i}`, path.join(root, 'cli', 'worker.ts'), [], {
        cwd: root,
        env,
        logFile: path.join(dir, `worker-${i}.log`),
      });
      workers[i] = w;
      void w.exited.then(() => {
        if (stopping) return;
        if (killed.delete(w.pid)) return spawnWorker(i);
        crashes.workers += 1;
        setTimeout(() => stopping || spawnWorker(i), 1000);
      });
    };
    for (let i = 0; i < opts.workerCount; i++) spawnWorker(i);
    stops.push(async () => {
      stopping = true;
      await Promise.all(workers.map((w) => w.stop(15_000)));
    });
    say(`${opts.workerCount} worker process(es): pids ${workers.map((w) => w.pid).join(', ')}`);

    return {
      apiUrl,
      adminKey,
      databaseUrl: postgres.url,
      temporalAddress: `127.0.0.1:${temporalPort}`,
      taskQueuePrefix,
      postgres,
      workers: () => [...workers],
      async killWorker(index) {
        const w = workers[index];
        if (!w) throw new Error(`no worker ${index}`);
        killed.add(w.pid);
        await w.kill9();
        return w.pid;
      },
      crashes: () => ({ ...crashes }),
      stopTemporal,
      startTemporal,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
