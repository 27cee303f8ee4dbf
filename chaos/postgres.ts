import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { hostEnv } from '../cli/config';
import { startProc, startTsx, waitUntil, type Proc } from './procs';

/**
 * The chaos stack's PostgreSQL, as a process the runner can stop and start again on the same
 * port and data: a real server (initdb into the run's temp dir) when the binaries exist, else
 * the embedded PGlite served by chaos/pgliteMain.ts in its own process.
 */
export interface ChaosPostgres {
  kind: 'postgresql' | 'pglite';
  url: string;
  pid(): number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function findPgBin(): Promise<string | undefined> {
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => [] as string[]);
  const sorted = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return sorted[0] === undefined ? undefined : path.join(root, sorted[0], 'bin');
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` account. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function realPostgres(opts: {
  bin: string;
  dir: string;
  port: number;
  owner: { uid: number; gid: number } | undefined;
  cwd: string;
}): Promise<ChaosPostgres> {
  const data = path.join(opts.dir, 'pgdata');
  await mkdir(opts.dir, { recursive: true });
  if (opts.owner) {
    // The run's temp dir is private to us; the postgres account only needs to pass through it.
    await chmod(path.dirname(opts.dir), 0o711);
    await chown(opts.dir, opts.owner.uid, opts.owner.gid);
  }
  execFileSync(
    path.join(opts.bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'],
    { stdio: 'pipe', cwd: opts.dir, ...(opts.owner ?? {}) },
  );
  const url = `postgres://postgres@127.0.0.1:${opts.port}/postgres?sslmode=disable`;
  let proc: Proc | undefined;
  const start = async () => {
    proc = startProc(
      'postgres',
      path.join(opts.bin, 'postgres'),
      [
        '-D',
        data,
        ...['-c', 'listen_addresses=127.0.0.1', '-c', `port=${opts.port}`],
        ...['-c', `unix_socket_directories=${opts.dir}`, '-c', 'max_connections=300'],
        // Durability is not what this run measures; fsync would only slow a shared disk.
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off'],
      ],
      { cwd: opts.dir, logFile: path.join(opts.dir, 'postgres.log'), ...(opts.owner ?? {}) },
    );
    if (!(await waitUntil(() => answers(url), 30_000))) {
      throw new Error(`PostgreSQL did not answer on port ${opts.port} (see ${opts.dir})`);
    }
  };
  return {
    kind: 'postgresql',
    url,
    pid: () => proc?.pid,
    start,
    // SIGINT is PostgreSQL's fast shutdown: open sessions are cut, as in a failover or restart.
    stop: async () => proc?.stop(15_000, 'SIGINT'),
  };
}

function pglite(opts: { dir: string; port: number; cwd: string }): ChaosPostgres {
  const url = `postgres://postgres@127.0.0.1:${opts.port}/postgres?sslmode=disable`;
  let proc: Proc | undefined;
  return {
    kind: 'pglite',
    url,
    pid: () => proc?.pid,
    async start() {
      proc = startTsx(
        'pglite',
        path.join(__dirname, 'pgliteMain.ts'),
        [opts.dir, String(opts.port)],
        {
          cwd: opts.cwd,
          env: hostEnv(),
          logFile: path.join(opts.dir, 'pglite.log'),
        },
      );
      if (!(await waitUntil(() => answers(url), 60_000))) {
        throw new Error(`PGlite did not answer on port ${opts.port} (see ${opts.dir})`);
      }
    },
    stop: async () => proc?.stop(15_000),
  };
}

/** A real PostgreSQL when one can be run here, else PGlite; `preferPglite` forces the latter. */
export async function createPostgres(opts: {
  dir: string;
  port: number;
  cwd: string;
  preferPglite: boolean;
}): Promise<ChaosPostgres> {
  const bin = opts.preferPglite ? undefined : await findPgBin();
  const owner = runAs();
  if (bin && (owner || process.getuid?.() !== 0)) {
    try {
      return await realPostgres({ bin, dir: opts.dir, port: opts.port, owner, cwd: opts.cwd });
    } catch (err) {
      process.stdout.write(
        `  real PostgreSQL unavailable (${(err as Error).message}); using PGlite\n`,
      );
    }
  }
  await mkdir(opts.dir, { recursive: true });
  return pglite(opts);
}
