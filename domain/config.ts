import { z } from 'zod';
import { DEFAULT_BREAKER_POLICY, type BreakerPolicy } from './breaker';
import { ProviderName } from './review';

/**
 * Every setting Quorum reads, in one schema. Values come from environment variables;
 * defaults are the embedded single-machine mode. `cli/config.ts` is the only place that
 * hands the process environment to `parseConfig`.
 */

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
/** '90s', '15m', '72h', '7d' or plain milliseconds → milliseconds */
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)?$/, 'a duration such as 90s, 15m, 72h or 7d')
  .transform((v) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(v);
    return Number(m?.[1]) * (DURATION_UNITS[m?.[2] ?? 'ms'] ?? 1);
  })
  .pipe(z.number().int().min(1000));
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
const chain = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(ProviderName).min(1));

export const ConfigEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  QUORUM_DATA_DIR: z.string().min(1).default('.quorum/data'),
  QUORUM_TOOLS_DIR: z.string().min(1).default('.quorum/tools'),

  QUORUM_API_HOST: z.string().min(1).default('127.0.0.1'),
  QUORUM_API_PORT: port.default(3000),
  QUORUM_PUBLIC_URL: optionalString,
  QUORUM_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 512kb or 12mb')
    .default('12mb'),
  QUORUM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  QUORUM_ADMIN_KEY: optionalString.pipe(z.string().min(24).optional()),
  QUORUM_TRUST_PROXY: bool.default(false),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_CLI_PATH: optionalString,
  QUORUM_TEMPORAL_PORT: port.default(7233),
  QUORUM_TEMPORAL_UI_PORT: port.default(8233),
  QUORUM_TASK_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .default('quorum'),
  QUORUM_WORKER_METRICS_PORT: port.default(9464),

  DATABASE_URL: optionalString,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  QUORUM_PGLITE_PORT: port.default(55432),

  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString,
  QUORUM_ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
  QUORUM_OPENAI_MODEL: z.string().min(1).default('gpt-5.4'),
  QUORUM_MODEL_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  QUORUM_MODEL_TEMPERATURE: z.coerce.number().min(0).max(2).default(0),
  QUORUM_PRIMARY_CHAIN: chain.optional(),
  QUORUM_VERIFIER_CHAIN: chain.optional(),
  QUORUM_CHUNK_TOKEN_BUDGET: z.coerce.number().int().min(500).default(6000),
  QUORUM_MANUAL_REVIEW_TIMEOUT: duration.default(72 * 3_600_000),

  QUORUM_BREAKER_ENABLED: bool.default(true),
  QUORUM_BREAKER_WINDOW: duration.default(DEFAULT_BREAKER_POLICY.windowMs),
  QUORUM_BREAKER_MIN_CALLS: z.coerce.number().int().min(1).default(DEFAULT_BREAKER_POLICY.minCalls),
  QUORUM_BREAKER_FAILURE_RATIO: z.coerce
    .number()
    .gt(0)
    .max(1)
    .default(DEFAULT_BREAKER_POLICY.failureRatio),
  QUORUM_BREAKER_CONSECUTIVE_FAILURES: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_BREAKER_POLICY.consecutiveFailures),
  QUORUM_BREAKER_COOLDOWN: duration.default(DEFAULT_BREAKER_POLICY.cooldownMs),
  QUORUM_BREAKER_MAX_COOLDOWN: duration.default(DEFAULT_BREAKER_POLICY.maxCooldownMs),
  QUORUM_BREAKER_HALF_OPEN_PROBES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(DEFAULT_BREAKER_POLICY.halfOpenProbes),
  QUORUM_BREAKER_PROBE_LEASE: duration.default(DEFAULT_BREAKER_POLICY.probeLeaseMs),
  QUORUM_BREAKER_MAX_WAIT: duration.default(DEFAULT_BREAKER_POLICY.maxWaitMs),

  GITHUB_TOKEN: optionalString,
  GITHUB_WEBHOOK_SECRET: optionalString,
  GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  GITLAB_TOKEN: optionalString,
  GITLAB_WEBHOOK_SECRET: optionalString,
  GITLAB_API_URL: z.string().url().default('https://gitlab.com/api/v4'),
  BITBUCKET_TOKEN: optionalString,
  BITBUCKET_WEBHOOK_SECRET: optionalString,
  BITBUCKET_API_URL: z.string().url().default('https://api.bitbucket.org/2.0'),
  AZURE_DEVOPS_TOKEN: optionalString,
  AZURE_DEVOPS_WEBHOOK_SECRET: optionalString,
  AZURE_DEVOPS_ORG_URL: optionalString,

  /** where `npm run review` sends diffs, and the key it sends */
  /** a directory whose git repositories analyze-batch may read by path; unset = disabled */
  QUORUM_ANALYSIS_REPO_ROOT: optionalString,
  QUORUM_ANALYSIS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),

  /** where child tools (git, python, temporal) are looked up */
  PATH: z.string().default(''),
  QUORUM_URL: z.string().url().default('http://127.0.0.1:3000'),
  QUORUM_API_KEY: optionalString,
});
export type ConfigEnv = z.infer<typeof ConfigEnv>;

export type { ProviderName };

export interface Config {
  env: ConfigEnv['NODE_ENV'];
  /** the host's PATH, for finding git and other tools */
  hostPath: string;
  logLevel: ConfigEnv['LOG_LEVEL'];
  dataDir: string;
  toolsDir: string;
  api: {
    host: string;
    port: number;
    publicUrl: string | undefined;
    bodyLimit: string;
    rateLimitPerMinute: number;
    adminKey: string | undefined;
    trustProxy: boolean;
  };
  temporal: {
    /** undefined: start an embedded dev server (npm start) */
    address: string | undefined;
    namespace: string;
    tls: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string } | undefined;
    apiKey: string | undefined;
    cliPath: string | undefined;
    devServerPort: number;
    devServerUiPort: number;
    taskQueuePrefix: string;
    workerMetricsPort: number;
  };
  database: {
    /** undefined: start an embedded PGlite (npm start) */
    url: string | undefined;
    poolMax: number;
    pglitePort: number;
  };
  models: {
    anthropic: { apiKey: string | undefined; baseUrl: string | undefined; model: string };
    openai: { apiKey: string | undefined; baseUrl: string | undefined; model: string };
    timeoutMs: number;
    temperature: number;
    primaryChain: ProviderName[];
    verifierChain: ProviderName[];
    chunkTokenBudget: number;
    manualReviewTimeoutMs: number;
  };
  /** circuit breakers per vendor provider, shared by every worker through the database */
  breakers: { enabled: boolean; policy: BreakerPolicy };
  scm: {
    github: { token?: string; webhookSecret?: string; apiUrl: string };
    gitlab: { token?: string; webhookSecret?: string; apiUrl: string };
    bitbucket: { token?: string; webhookSecret?: string; apiUrl: string };
    azureDevOps: { token?: string; webhookSecret?: string; orgUrl?: string };
  };
  /** the command-line clients (`npm run review`) talk to a running API */
  /** commit analysis: batch fan-out, and where repositories on the server's disk may be read */
  analysis: { repoRoot: string | undefined; concurrency: number };
  cli: { url: string; apiKey: string | undefined };
}

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n') +
        '\nSee the configuration table in README.md.',
    );
    this.name = 'ConfigError';
  }
}

/** Chains default to whatever has a key, ending in the always-available local analyzer. */
function defaultChain(order: ProviderName[], e: ConfigEnv): ProviderName[] {
  const available = order.filter(
    (p) =>
      p === 'local' ||
      (p === 'anthropic' && e.ANTHROPIC_API_KEY) ||
      (p === 'openai' && e.OPENAI_API_KEY),
  );
  return available;
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? '(root)'),
        message: i.message,
      })),
    );
  }
  const e = parsed.data;
  const tlsSet =
    e.TEMPORAL_TLS_CERT_PATH ||
    e.TEMPORAL_TLS_KEY_PATH ||
    e.TEMPORAL_TLS_CA_PATH ||
    e.TEMPORAL_TLS_SERVER_NAME;
  return {
    env: e.NODE_ENV,
    hostPath: e.PATH,
    logLevel: e.LOG_LEVEL,
    dataDir: e.QUORUM_DATA_DIR,
    toolsDir: e.QUORUM_TOOLS_DIR,
    api: {
      host: e.QUORUM_API_HOST,
      port: e.QUORUM_API_PORT,
      publicUrl: e.QUORUM_PUBLIC_URL,
      bodyLimit: e.QUORUM_BODY_LIMIT,
      rateLimitPerMinute: e.QUORUM_RATE_LIMIT_PER_MINUTE,
      adminKey: e.QUORUM_ADMIN_KEY,
      trustProxy: e.QUORUM_TRUST_PROXY,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      tls: tlsSet
        ? {
            certPath: e.TEMPORAL_TLS_CERT_PATH,
            keyPath: e.TEMPORAL_TLS_KEY_PATH,
            caPath: e.TEMPORAL_TLS_CA_PATH,
            serverName: e.TEMPORAL_TLS_SERVER_NAME,
          }
        : undefined,
      apiKey: e.TEMPORAL_API_KEY,
      cliPath: e.TEMPORAL_CLI_PATH,
      devServerPort: e.QUORUM_TEMPORAL_PORT,
      devServerUiPort: e.QUORUM_TEMPORAL_UI_PORT,
      taskQueuePrefix: e.QUORUM_TASK_QUEUE_PREFIX,
      workerMetricsPort: e.QUORUM_WORKER_METRICS_PORT,
    },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      pglitePort: e.QUORUM_PGLITE_PORT,
    },
    models: {
      anthropic: {
        apiKey: e.ANTHROPIC_API_KEY,
        baseUrl: e.ANTHROPIC_BASE_URL,
        model: e.QUORUM_ANTHROPIC_MODEL,
      },
      openai: {
        apiKey: e.OPENAI_API_KEY,
        baseUrl: e.OPENAI_BASE_URL,
        model: e.QUORUM_OPENAI_MODEL,
      },
      timeoutMs: e.QUORUM_MODEL_TIMEOUT_MS,
      temperature: e.QUORUM_MODEL_TEMPERATURE,
      primaryChain: e.QUORUM_PRIMARY_CHAIN ?? defaultChain(['anthropic', 'openai', 'local'], e),
      verifierChain: e.QUORUM_VERIFIER_CHAIN ?? defaultChain(['openai', 'anthropic', 'local'], e),
      chunkTokenBudget: e.QUORUM_CHUNK_TOKEN_BUDGET,
      manualReviewTimeoutMs: e.QUORUM_MANUAL_REVIEW_TIMEOUT,
    },
    breakers: {
      enabled: e.QUORUM_BREAKER_ENABLED,
      policy: {
        windowMs: e.QUORUM_BREAKER_WINDOW,
        minCalls: e.QUORUM_BREAKER_MIN_CALLS,
        failureRatio: e.QUORUM_BREAKER_FAILURE_RATIO,
        consecutiveFailures: e.QUORUM_BREAKER_CONSECUTIVE_FAILURES,
        cooldownMs: e.QUORUM_BREAKER_COOLDOWN,
        maxCooldownMs: Math.max(e.QUORUM_BREAKER_MAX_COOLDOWN, e.QUORUM_BREAKER_COOLDOWN),
        halfOpenProbes: e.QUORUM_BREAKER_HALF_OPEN_PROBES,
        probeLeaseMs: e.QUORUM_BREAKER_PROBE_LEASE,
        maxWaitMs: e.QUORUM_BREAKER_MAX_WAIT,
      },
    },
    scm: {
      github: {
        token: e.GITHUB_TOKEN,
        webhookSecret: e.GITHUB_WEBHOOK_SECRET,
        apiUrl: e.GITHUB_API_URL,
      },
      gitlab: {
        token: e.GITLAB_TOKEN,
        webhookSecret: e.GITLAB_WEBHOOK_SECRET,
        apiUrl: e.GITLAB_API_URL,
      },
      bitbucket: {
        token: e.BITBUCKET_TOKEN,
        webhookSecret: e.BITBUCKET_WEBHOOK_SECRET,
        apiUrl: e.BITBUCKET_API_URL,
      },
      azureDevOps: {
        token: e.AZURE_DEVOPS_TOKEN,
        webhookSecret: e.AZURE_DEVOPS_WEBHOOK_SECRET,
        orgUrl: e.AZURE_DEVOPS_ORG_URL,
      },
    },
    analysis: { repoRoot: e.QUORUM_ANALYSIS_REPO_ROOT, concurrency: e.QUORUM_ANALYSIS_CONCURRENCY },
    cli: { url: e.QUORUM_URL, apiKey: e.QUORUM_API_KEY },
  };
}

/** Task queue names, derived from one prefix so tests can isolate themselves. */
export function taskQueues(prefix: string): { review: string; models: string; release: string } {
  return { review: `${prefix}-review`, models: `${prefix}-models`, release: `${prefix}-release` };
}

/** The sibling queue of a queue named by `taskQueues`, e.g. the models queue seen from review. */
export function siblingQueue(taskQueue: string, kind: 'review' | 'models' | 'release'): string {
  return taskQueue.replace(/-(review|models|release)$/, `-${kind}`);
}
