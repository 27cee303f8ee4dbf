import { startEmbeddedPostgres } from '../store/embedded';

/**
 * PGlite as its own process, so the chaos runner can stop and restart the database like a real
 * server: `node --import tsx chaos/pgliteMain.ts <dataDir> <port>`. Data persists in dataDir.
 */
async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error('usage: pgliteMain.ts <dataDir> <port>');
  const pg = await startEmbeddedPostgres({ dataDir, port: Number(port) });
  process.stdout.write(`${pg.url}\n`);
  const stop = () => void pg.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`pglite failed: ${String(err)}\n`);
  process.exit(1);
});
