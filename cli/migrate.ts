import pc from 'picocolors';
import { loadConfig } from './config';
import { migrateUp } from '../store/migrate';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (npm start does this itself). */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.database.url) {
    process.stderr.write(
      `${pc.red('npm run migrate needs DATABASE_URL.')} The embedded database is migrated by npm start.\n`,
    );
    process.exit(2);
  }
  const { applied } = await migrateUp(config.database.url, (m) => process.stdout.write(`${m}\n`));
  process.stdout.write(
    applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${pc.red('migration failed:')} ${(err as Error).message}\n`);
  process.exit(1);
});
