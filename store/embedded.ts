import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteServer } from './pgliteServer';

export interface EmbeddedPostgres {
  /** a `postgres://` URL the ordinary `pg` driver connects to */
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WASM) persisted under `dataDir/pglite`, served over the
 * PostgreSQL wire protocol on loopback so the app speaks to it through the same `pg` driver
 * it uses for a real server. PGlite is one backend; PgliteServer lets connections take turns
 * by whole protocol exchanges and transactions.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  host?: string;
}): Promise<EmbeddedPostgres> {
  const dir = path.resolve(opts.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const host = opts.host ?? '127.0.0.1';
  const server = new PgliteServer(db);
  let bound: { host: string; port: number };
  try {
    bound = await server.listen(opts.port, host);
  } catch (err) {
    await db.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `Port ${opts.port} is in use, so the embedded PostgreSQL cannot listen there. ` +
          'Stop whatever holds it, set QUORUM_PGLITE_PORT to a free port, or set DATABASE_URL to use a real PostgreSQL.',
      );
    }
    throw err;
  }
  const url = `postgres://postgres@${bound.host}:${bound.port}/postgres?sslmode=disable`;
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await db.close();
    },
  };
}
