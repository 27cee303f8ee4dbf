import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { createActivities } from '../activities';
import { taskQueues, type Config } from '../domain/config';
import type { AuditVerificationActivities } from '../workflows/auditVerification';
import type { Logger } from './logger';
import { dataConverter, installRuntime, sdkLogger, workerInterceptors } from './runtime';

export type QueueName = 'review' | 'models' | 'release';
export const QUEUE_NAMES: readonly QueueName[] = ['review', 'models', 'release'];

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/**
 * Per queue: review orchestration is many short workflow tasks; models is activities only
 * (slow, I/O-bound vendor calls, so more slots and a longer grace period to finish a call);
 * release is long-lived gates plus bursty commit-analysis fan-out.
 */
const QUEUE_OPTIONS: Record<QueueName, { workflows: boolean } & Partial<WorkerOptions>> = {
  review: {
    workflows: true,
    maxConcurrentWorkflowTaskExecutions: 40,
    maxConcurrentActivityTaskExecutions: 20,
    shutdownGraceTime: '20s',
  },
  models: {
    workflows: false,
    maxConcurrentActivityTaskExecutions: 32,
    shutdownGraceTime: '60s',
  },
  release: {
    workflows: true,
    // batch analysis fans out hundreds of short child workflows on this queue
    maxConcurrentWorkflowTaskExecutions: 40,
    maxConcurrentActivityTaskExecutions: 20,
    maxConcurrentLocalActivityExecutions: 40,
    shutdownGraceTime: '20s',
  },
};

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Webpack takes seconds and hundreds of MB, so one bundle serves every worker in the process. */
export function workflowBundle(logger: Logger): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    // webpack's build report is noise unless something goes wrong
    logger: sdkLogger(logger.child({ component: 'workflow-bundler' }, { level: 'warn' })),
  }).catch((err: unknown) => {
    bundle = undefined; // let a later call retry rather than cache the failure
    throw err;
  });
  return bundle;
}

export interface CreateWorkersOptions {
  config: Config;
  connection: NativeConnection;
  queues: QueueName[];
  db: pg.Pool;
  logger: Logger;
  /** where activity outcome and duration metrics go; the API's registry in embedded mode */
  registry?: Registry;
}

export async function createWorkers(opts: CreateWorkersOptions): Promise<Worker[]> {
  const { config, connection, logger } = opts;
  installRuntime(config, logger);
  const activities = createActivities({ db: opts.db, config, logger });
  // Compile-time proof that the activities the workflows call exist with the shapes they expect.
  const _auditActivities: AuditVerificationActivities = activities;
  const names = taskQueues(config.temporal.taskQueuePrefix);
  const queues = [...new Set(opts.queues)];
  const code = queues.some((q) => QUEUE_OPTIONS[q].workflows)
    ? (await workflowBundle(logger)).code
    : undefined;
  const interceptors = workerInterceptors(opts.registry);
  return Promise.all(
    queues.map((queue) => {
      const { workflows, ...tuning } = QUEUE_OPTIONS[queue];
      return Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: names[queue],
        // Every worker registers every activity: a queue only ever receives the activities
        // that workflows schedule on it, and one list cannot drift out of sync.
        activities,
        ...(workflows && code ? { workflowBundle: { code } } : {}),
        dataConverter: dataConverter(),
        interceptors,
        ...tuning,
      });
    }),
  );
}

/**
 * Runs the workers until `signal` aborts or one of them fails, then drains all of them: no new
 * tasks are polled, running activities get their queue's grace time, and it resolves only when
 * every worker has stopped. Rejects with the first worker failure.
 */
export async function runWorkers(workers: Worker[], signal?: AbortSignal): Promise<void> {
  const stop = new AbortController();
  const forward = () => stop.abort();
  signal?.addEventListener('abort', forward, { once: true });
  if (signal?.aborted) stop.abort();
  const stopped = new Promise<void>((resolve) => {
    if (stop.signal.aborted) resolve();
    stop.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    const results = await Promise.allSettled(
      workers.map((w) =>
        w.runUntil(stopped).catch((err: unknown) => {
          stop.abort(); // one failed worker takes the rest down with it, cleanly
          throw err;
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}
