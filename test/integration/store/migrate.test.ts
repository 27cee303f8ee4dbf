import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createPool, checkDatabase } from '../../../store/db';
import { knownMigrations, migrateUp, pendingMigrations } from '../../../store/migrate';
import { testDatabaseUrl } from './testDb';

// jest ignores testTimeout inside a project entry, and the CPUs here are shared
jest.setTimeout(60_000);

/** A brand-new PGlite in a child process, stopped by closing its stdin. */
function spawnFreshDatabase(): { child: ChildProcess; url: Promise<string> } {
  const root = path.resolve(__dirname, '..', '..', '..');
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [tsx, path.join(__dirname, 'embeddedServer.ts')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline > 0) resolve(out.slice(0, newline).trim());
    });
    child.on('exit', (code) => reject(new Error(`embedded database exited with ${code}`)));
  });
  return { child, url };
}

describe('migrations on a fresh embedded database', () => {
  let fresh: ReturnType<typeof spawnFreshDatabase> | undefined;
  let url = '';

  beforeAll(async () => {
    fresh = spawnFreshDatabase();
    url = await fresh.url;
  }, 60_000);
  afterAll(async () => {
    const child = fresh?.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.stdin?.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }, 20_000);

  it('reports every migration pending, applies them in order once, then applies nothing', async () => {
    const pool = createPool(url, { max: 2 });
    try {
      expect(await pendingMigrations(pool)).toEqual(knownMigrations());
      const before = await checkDatabase(pool);
      expect(before).toMatchObject({ up: true, migrationsApplied: false });

      const messages: string[] = [];
      const first = await migrateUp(url, (m) => messages.push(m));
      expect(first.applied).toEqual(knownMigrations());
      expect(messages.some((m) => m.includes(knownMigrations()[0] ?? '?'))).toBe(true);

      const second = await migrateUp(url);
      expect(second.applied).toEqual([]);
      expect(await pendingMigrations(pool)).toEqual([]);
      expect(await checkDatabase(pool)).toEqual({ up: true, migrationsApplied: true, pending: [] });

      const tables = await pool.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining([
          'api_keys',
          'audit_log',
          'reviews',
          'findings',
          'model_calls',
          'finding_decisions',
          'finding_feedback',
        ]),
      );
    } finally {
      await pool.end();
    }
  });
});

describe('migrations on the shared test database', () => {
  it('lets several processes migrate at once without failing or applying anything twice', async () => {
    const url = testDatabaseUrl();
    const results = await Promise.all([migrateUp(url), migrateUp(url), migrateUp(url)]);
    const applied = results.flatMap((r) => r.applied);
    expect(new Set(applied).size).toBe(applied.length);
    const pool = createPool(url, { max: 2 });
    try {
      const rows = await pool.query<{ name: string; n: string }>(
        'SELECT name, count(*) AS n FROM schema_migrations GROUP BY name ORDER BY name',
      );
      expect(rows.rows.map((r) => r.name)).toEqual(knownMigrations());
      expect(rows.rows.every((r) => r.n === '1')).toBe(true);
    } finally {
      await pool.end();
    }
  });
});

describe('checkDatabase', () => {
  it('says the database is down, quickly, when nothing listens', async () => {
    // port 1 on loopback: nothing listens there, the connection is refused at once
    const pool = createPool('postgres://postgres@127.0.0.1:1/postgres', { max: 1 });
    try {
      const started = Date.now();
      const health = await checkDatabase(pool);
      expect(health.up).toBe(false);
      expect(health.migrationsApplied).toBe(false);
      expect(health.error).toEqual(expect.any(String));
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await pool.end();
    }
  });
});
