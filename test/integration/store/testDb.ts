import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createPool } from '../../../store/db';
import { migrateUp } from '../../../store/migrate';

export function testDatabaseUrl(): string {
  const url = process.env.QUORUM_TEST_DATABASE_URL;
  if (!url) throw new Error('QUORUM_TEST_DATABASE_URL is not set: run through jest globalSetup');
  return url;
}

/** Every store test file migrates on start, so parallel files also exercise the migration lock. */
export async function migratedPool(): Promise<pg.Pool> {
  const url = testDatabaseUrl();
  await migrateUp(url);
  return createPool(url, { max: 4, applicationName: 'quorum-store-test' });
}

export const uniqueHex = (bytes = 8): string => randomBytes(bytes).toString('hex');
