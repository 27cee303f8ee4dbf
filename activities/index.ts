import type { Config } from '../domain/config';
import type { Db } from '../store/db';
import type { Logger } from 'pino';
import { createAuditActivities } from './audit';
import { createCommitActivities } from './commits';
import { createGateActivities } from './gate';
import { createModelActivities } from './models';
import { createReviewActivities } from './review';

export interface ActivityDeps {
  db: Db;
  config: Config;
  logger: Logger;
}

/**
 * Every activity the workers register, built once per process with its dependencies. Each
 * module exports a `create…Activities(deps)` factory and is spread in here; names must be unique
 * across modules because Temporal registers activities by function name.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createAuditActivities(deps),
    ...createCommitActivities(deps),
    ...createReviewActivities(deps),
    ...createModelActivities(deps),
    ...createGateActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
