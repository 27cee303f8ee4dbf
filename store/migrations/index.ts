import * as m0001 from './0001_api_keys_and_audit_log';
import * as m0002 from './0002_reviews';
import * as m0003 from './0003_review_inputs';
import * as m0004 from './0004_eval_runs';
import * as m0005 from './0005_commit_analyses';
import * as m0006 from './0006_versions';
import * as m0007 from './0007_breakers';
import * as m0008 from './0008_review_starts';

export interface SqlMigration {
  name: string;
  up: string;
}

/**
 * Every migration, in order. Listed explicitly rather than globbed so the same list works under
 * tsx, ts-jest and compiled output. Never edit or reorder an applied migration: add a new one.
 */
export const MIGRATIONS: readonly SqlMigration[] = [
  m0001,
  m0002,
  m0003,
  m0004,
  m0005,
  m0006,
  m0007,
  m0008,
];
