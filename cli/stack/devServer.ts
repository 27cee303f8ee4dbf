import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../domain/searchAttributes';

export interface DevServer {
  address: string;
  /** undefined when started headless */
  uiUrl: string | undefined;
  pid: number;
  stop(): Promise<void>;
}

/** Resolves whether something already listens on host:port (so we can say so instead of failing obscurely). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free loopback port, for tests that run their own servers side by side. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`temporal server exited with code ${child.exitCode} while starting`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `temporal server did not answer on ${address} within ${timeoutMs} ms: ${String(lastError)}`,
  );
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts the real Temporal server (`temporal server start-dev`, SQLite-backed) with Quorum's
 * search attributes registered. With `dbFile` workflows survive restarts; without it (tests)
 * the server keeps state in memory.
 */
export async function startDevServer(opts: {
  cliPath: string;
  port: number;
  uiPort?: number;
  headless?: boolean;
  dbFile?: string;
  namespace: string;
  logFile: string;
  ip?: string;
  startTimeoutMs?: number;
}): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  if (await portInUse(opts.port, ip)) {
    throw new Error(
      `Port ${opts.port} is already in use, so Quorum cannot start its own Temporal server there.\n` +
        `  If a Temporal server is already running, point Quorum at it: TEMPORAL_ADDRESS=${ip}:${opts.port}\n` +
        '  Otherwise choose another port with QUORUM_TEMPORAL_PORT.',
    );
  }
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  if (opts.dbFile) await mkdir(path.dirname(opts.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
  ];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort ?? opts.port + 1000), '--ui-disable-news-fetch');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  // Its own process group, so a Ctrl-C in the terminal reaches us first and we stop it in order.
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.pid === undefined) throw new Error(`could not start ${opts.cliPath}`);
  const address = `${ip}:${opts.port}`;
  try {
    await waitUntilServing(address, child, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    await stopChild(child, 2000);
    throw new Error(`${(err as Error).message} (see ${opts.logFile})`);
  }
  const pid = child.pid;
  // Last resort if our process exits without a clean stop (an uncaught error): never orphan the server.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    address,
    uiUrl: opts.headless
      ? undefined
      : `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${opts.uiPort ?? opts.port + 1000}`,
    pid,
    async stop() {
      process.removeListener('exit', killOnExit);
      await stopChild(child, 10_000);
      log.end();
    },
  };
}
