import { Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { SEARCH_ATTRIBUTES } from '../../domain/searchAttributes';

describe('the shared test stack', () => {
  it('runs a real Temporal server with the Quorum search attributes registered', async () => {
    const connection = await Connection.connect({
      address: process.env.QUORUM_TEST_TEMPORAL_ADDRESS,
    });
    try {
      const res = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      const names = Object.keys(res.customAttributes ?? {});
      for (const name of Object.keys(SEARCH_ATTRIBUTES)) expect(names).toContain(name);
    } finally {
      await connection.close();
    }
  });

  it('serves PostgreSQL through the ordinary pg driver', async () => {
    const client = new PgClient({ connectionString: process.env.QUORUM_TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('select 40 + 2 as n');
      expect(rows[0]?.n).toBe(42);
    } finally {
      await client.end();
    }
  });
});
