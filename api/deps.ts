import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ReviewStarts } from './reviewStarts';
import type { Registry } from 'prom-client';
import type { Config } from '../domain/config';

export interface TemporalDeps {
  client: Client;
  /** a cheap round trip to the Temporal frontend; must not throw */
  check(): Promise<{ up: boolean; error?: string }>;
}

/** Everything the API needs from outside; the caller owns their lifecycles. */
export interface ApiDeps {
  config: Config;
  db: pg.Pool;
  temporal: TemporalDeps;
  logger: Logger;
  /** metrics land here; a fresh registry when omitted */
  registry?: Registry;
  /** hands stored reviews to Temporal; shared with the sweeper so shutdown can drain it */
  starts?: ReviewStarts;
}
