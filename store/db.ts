import pg from 'pg';
import { pendingMigrations } from './migrate';

export type Db = pg.Pool;
/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient | pg.ClientBase;

export interface PoolOptions {
  max: number;
  applicationName?: string;
  /** called when an idle client dies (e.g. the database restarted); defaults to ignoring it */
  onIdleError?: (err: Error) => void;
}

export function createPool(url: string, opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max,
    application_name: opts.applicationName ?? 'quorum',
    // Fail fast when the database is down so /readyz and activities report it instead of hanging.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener, an idle client's socket error (database restart, network blip) is an
  // unhandled 'error' event and kills the process; the pool already discards that client.
  pool.on('error', (err) => opts.onIdleError?.(err));
  // A checked-out client whose server goes away emits 'error' on itself, not on the pool: the
  // query in flight rejects anyway, so the event only needs a listener to not crash us.
  pool.on('connect', (client) => client.on('error', (err) => opts.onIdleError?.(err)));
  return pool;
}

export interface DatabaseHealth {
  up: boolean;
  migrationsApplied: boolean;
  pending: string[];
  error?: string;
}

const HEALTH_TIMEOUT_MS = 2_000;

/** For /readyz: is the database reachable, and is the schema current? Never throws. */
export async function checkDatabase(pool: pg.Pool): Promise<DatabaseHealth> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`database did not answer within ${HEALTH_TIMEOUT_MS} ms`)),
      HEALTH_TIMEOUT_MS,
    );
  });
  const probe = (async () => {
    // pg honours a per-query query_timeout that @types/pg does not declare on QueryConfig
    await pool.query({ text: 'SELECT 1', query_timeout: HEALTH_TIMEOUT_MS } as pg.QueryConfig);
    return pendingMigrations(pool);
  })();
  // The losing probe may still settle later; keep its rejection from becoming unhandled.
  probe.catch(() => undefined);
  try {
    const pending = await Promise.race([probe, deadline]);
    return { up: true, migrationsApplied: pending.length === 0, pending };
  } catch (err) {
    return { up: false, migrationsApplied: false, pending: [], error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs fn inside BEGIN/COMMIT on one client. fn must use only the client it is given: on PGlite
 * an open transaction holds the single backend, so a second connection would wait forever.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (rollbackErr) {
      // A client that cannot roll back is in an unknown state: destroy it rather than reuse it.
      client.release(rollbackErr instanceof Error ? rollbackErr : true);
    }
    throw err;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** SQLSTATE of a PostgreSQL error, if it is one. */
export function pgErrorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
