import { CompleteAsyncError, type Context } from '@temporalio/activity';
import {
  IllegalStateError,
  type DataConverter,
  type LogLevel,
  type LogMetadata,
  type Logger as SdkLogger,
  type PayloadCodec,
} from '@temporalio/common';
import { Runtime, type WorkerInterceptors } from '@temporalio/worker';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Config } from '../domain/config';
import type { Logger } from './logger';

/**
 * The one shared place for what every client and worker in the process must agree on.
 *
 * Payload codecs run on every payload the client and the workers send to Temporal, in array order
 * (and in reverse when decoding). To encrypt workflow data at rest on the server, push a codec
 * here before any client or worker is created, e.g. an AES-256-GCM codec keyed from a KMS, as in
 * temporalio/samples-typescript `encryption/src/encryption-codec.ts`; also run a codec server for
 * the Web UI, and set `failureConverter: new DefaultFailureConverter({ encodeCommonAttributes:
 * true })` in dataConverter() so error messages and stack traces are encrypted too. Every client,
 * worker and codec server of a namespace must use the same codec list, or payloads become
 * unreadable.
 */
export const payloadCodecs: PayloadCodec[] = [];

export function dataConverter(): DataConverter {
  return { payloadCodecs };
}

const PINO_LEVEL = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>;

/** The SDK logs (worker lifecycle, workflow and activity context loggers) become pino lines. */
export function sdkLogger(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta: LogMetadata = {}): void => {
    // The SDK reports failures under `error`; pino only serialises (message, stack) under `err`.
    const { error, ...rest } = meta;
    logger[PINO_LEVEL[level]](error === undefined ? rest : { ...rest, err: error }, message);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

/** The Rust exporter parses a socket address: it takes IPs, not host names. */
export function metricsBindAddress(host: string, port: number): string {
  const ip = host === 'localhost' ? '127.0.0.1' : host;
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

// Core's INFO lines are per-poller chatter; operators want them only when debugging.
function coreLogLevel(level: Config['logLevel']): LogLevel {
  if (level === 'trace') return 'TRACE';
  if (level === 'debug') return 'DEBUG';
  return 'WARN';
}

let installed: Runtime | undefined;

/**
 * Installs the Temporal Runtime once per process: SDK logs through pino, SDK metrics (workflow
 * and activity task latencies, pollers, sticky cache) on a Prometheus endpoint when
 * temporal.workerMetricsPort is not 0. The Runtime is a process-wide singleton, so a second call
 * returns the first one and its settings win. Signals are left to the caller (runWorkers takes an
 * AbortSignal) so the launcher can stop things in its own order.
 */
export function installRuntime(config: Config, logger: Logger): Runtime {
  if (installed) return installed;
  const port = config.temporal.workerMetricsPort;
  const bindAddress = port === 0 ? undefined : metricsBindAddress(config.api.host, port);
  try {
    installed = Runtime.install({
      logger: sdkLogger(logger.child({ component: 'temporal-sdk' })),
      shutdownSignals: [],
      telemetryOptions: {
        logging: { filter: { core: coreLogLevel(config.logLevel), other: 'ERROR' }, forward: {} },
        metrics: bindAddress ? { prometheus: { bindAddress } } : undefined,
      },
    });
    if (bindAddress) logger.info({ bindAddress }, 'Temporal SDK metrics on /metrics');
  } catch (err) {
    // Errors from the native bridge may come from another realm (jest), so no instanceof here.
    const message = String((err as { message?: unknown } | null)?.message ?? err);
    if (bindAddress && /prometheus/i.test(message)) {
      throw new Error(
        `cannot serve Temporal SDK metrics on ${bindAddress} (${message}); set ` +
          'QUORUM_WORKER_METRICS_PORT to a free port, or to 0 to turn them off',
        { cause: err },
      );
    }
    if (!(err instanceof IllegalStateError)) throw err;
    // Something (a test environment, an early client) created the default Runtime first.
    logger.warn({ err: err.message }, 'Temporal Runtime already exists; keeping its settings');
    installed = Runtime.instance();
  }
  return installed;
}

export interface ActivityMetrics {
  outcomes: Counter<'activity_type' | 'task_queue' | 'outcome'>;
  duration: Histogram<'activity_type' | 'task_queue' | 'outcome'>;
}

/** Idempotent per registry: the API and the workers share one registry in embedded mode. */
export function activityMetrics(registry: Registry): ActivityMetrics {
  const labelNames = ['activity_type', 'task_queue', 'outcome'] as const;
  const outcomes =
    (registry.getSingleMetric('quorum_activity_executions_total') as ActivityMetrics['outcomes']) ??
    new Counter({
      name: 'quorum_activity_executions_total',
      help: 'Activity attempts by type, task queue and outcome (completed, failed, cancelled, async)',
      labelNames,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('quorum_activity_duration_seconds') as ActivityMetrics['duration']) ??
    new Histogram({
      name: 'quorum_activity_duration_seconds',
      help: 'Wall time of one activity attempt',
      labelNames,
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    });
  return { outcomes, duration };
}

function failureOutcome(err: unknown, ctx: Context): string {
  if (err instanceof CompleteAsyncError) return 'async';
  return ctx.cancellationSignal.aborted ? 'cancelled' : 'failed';
}

/** Counts and times every activity attempt, whatever module it comes from. */
export function workerInterceptors(registry: Registry | undefined): WorkerInterceptors {
  if (!registry) return {};
  const metrics = activityMetrics(registry);
  return {
    activity: [
      (ctx) => ({
        inbound: {
          async execute(input, next) {
            const labels = { activity_type: ctx.info.activityType, task_queue: ctx.info.taskQueue };
            const stop = metrics.duration.startTimer(labels);
            let outcome = 'completed';
            try {
              return await next(input);
            } catch (err) {
              outcome = failureOutcome(err, ctx);
              throw err;
            } finally {
              stop({ outcome });
              metrics.outcomes.inc({ ...labels, outcome });
            }
          },
        },
      }),
    ],
  };
}
