import pg from 'pg';
import { migrateUp } from '../../store/migrate';
import { closedPort, databaseUrl, startApi, type RunningApi } from '../integration/api/harness';

type ApiOptions = Parameters<typeof startApi>[0];

/** A test file's API over the shared database, migrated first: the API does not migrate. */
export async function startMigratedApi(opts?: ApiOptions): Promise<RunningApi> {
  await migrateUp(databaseUrl());
  return startApi(opts);
}

/** A second API for one test, stopped however the test ends. */
export async function withApi<T>(
  opts: ApiOptions,
  use: (api: RunningApi) => Promise<T>,
): Promise<T> {
  const api = await startApi(opts);
  try {
    return await use(api);
  } finally {
    await api.stop();
  }
}

/** An API whose database refuses every connection at once: a pool on a closed loopback port. */
export async function withDatabaseDown<T>(use: (api: RunningApi) => Promise<T>): Promise<T> {
  const db = new pg.Pool({
    connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`,
    connectionTimeoutMillis: 1000,
  });
  try {
    return await withApi({ db }, use);
  } finally {
    await db.end();
  }
}
