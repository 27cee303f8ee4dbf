import pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { MIGRATIONS } from './migrations';

/**
 * Versioned migrations with umzug. node-pg-migrate 9 is ESM-only, which ts-jest on Node 20 cannot
 * load; umzug is CommonJS and lets us keep everything inside one transaction.
 */

const MIGRATIONS_TABLE = 'schema_migrations';
/** Arbitrary constant shared by every process that migrates this database. */
const MIGRATION_LOCK_KEY = 7_262_431_001;

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Applied migrations live in schema_migrations; the context is the client doing the work. */
const storage: UmzugStorage<Queryable> = {
  async executed({ context }) {
    const exists = await context.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
      MIGRATIONS_TABLE,
    ]);
    if (!exists.rows[0]?.t) return [];
    const rows = await context.query<{ name: string }>(
      `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`,
    );
    return rows.rows.map((r) => r.name);
  },
  async logMigration({ name, context }) {
    await context.query(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES ($1)`, [name]);
  },
  async unlogMigration({ name, context }) {
    await context.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [name]);
  },
};

function umzugFor(context: Queryable): Umzug<Queryable> {
  return new Umzug<Queryable>({
    migrations: MIGRATIONS.map((m) => ({
      name: m.name,
      up: async ({ context: client }) => {
        await client.query(m.up);
      },
    })),
    context,
    storage,
    logger: undefined,
  });
}

/**
 * Applies every pending migration in one transaction that first takes a transaction-scoped
 * advisory lock: concurrent starters queue behind it and then find nothing left to do. On PGlite
 * (one backend shared by all connections) the lock is re-entrant, but pglite-socket runs one
 * transaction at a time, which gives the same exclusion.
 */
export async function migrateUp(
  databaseUrl: string,
  log?: (msg: string) => void,
): Promise<{ applied: string[] }> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'quorum-migrate',
  });
  client.on('error', () => undefined); // surfaced through the failing query instead
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const umzug = umzugFor(client);
    umzug.on('migrating', ({ name }) => log?.(`migration ${name}: applying`));
    const applied = await umzug.up();
    await client.query('COMMIT');
    if (applied.length === 0) log?.('migrations: schema is up to date');
    return { applied: applied.map((m) => m.name) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Names of migrations this code knows and the database has not applied, in order. */
export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const pending = await umzugFor(db).pending();
  return pending.map((m) => m.name);
}

/** Every migration this code knows, in order. */
export function knownMigrations(): string[] {
  return MIGRATIONS.map((m) => m.name);
}
