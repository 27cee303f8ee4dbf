import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createApp } from '../../../api/app';
import type { TemporalDeps } from '../../../api/deps';
import { parseConfig, type Config } from '../../../domain/config';
import { REDACT_PATHS } from '../../../workers/logger';

/** A real API on 127.0.0.1, a real pool and a real Temporal connection; closed by `stop`. */
export interface RunningApi {
  url: string;
  config: Config;
  adminKey: string;
  registry: Registry;
  /** every log line the API wrote, parsed */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export function databaseUrl(): string {
  const url = process.env.QUORUM_TEST_DATABASE_URL;
  if (!url) throw new Error('QUORUM_TEST_DATABASE_URL is not set: run through jest globalSetup');
  return url;
}

export function temporalAddress(): string {
  const address = process.env.QUORUM_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('QUORUM_TEST_TEMPORAL_ADDRESS is not set');
  return address;
}

/** A loopback port nothing listens on: connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The readiness check over a given connection; the deadline stays inside /readyz's timeout. */
function temporalDeps(connection: Connection): TemporalDeps {
  return {
    client: new Client({ connection }),
    async check() {
      try {
        await connection.withDeadline(Date.now() + 1500, () =>
          connection.workflowService.getSystemInfo({}),
        );
        return { up: true };
      } catch (err) {
        return { up: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

export async function startApi(
  opts: {
    env?: Record<string, string>;
    db?: pg.Pool;
    temporal?: Connection;
  } = {},
): Promise<RunningApi> {
  const adminKey = randomBytes(24).toString('base64url');
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    QUORUM_ADMIN_KEY: adminKey,
    QUORUM_BODY_LIMIT: '64kb',
    ...opts.env,
  });
  const ownDb = !opts.db;
  const db = opts.db ?? new pg.Pool({ connectionString: databaseUrl(), max: 4 });
  const ownConnection = !opts.temporal;
  const connection = opts.temporal ?? (await Connection.connect({ address: temporalAddress() }));
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } },
    { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const registry = new Registry();
  const app = createApp({ config, db, temporal: temporalDeps(connection), logger, registry });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    adminKey,
    registry,
    logs,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDb) await db.end();
      if (ownConnection) await connection.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** A stack frame as V8 prints it; no answer may contain one. */
export const STACK_FRAME = /\n\s+at .+[(:]\d+:\d+/;

export async function call(
  api: RunningApi,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  } else if (opts.raw !== undefined) {
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(api.url + path, { method, headers, body, redirect: 'follow' });
  const text = await res.text();
  let json: unknown = undefined;
  if ((res.headers.get('content-type') ?? '').includes('json') && text.length > 0) {
    json = JSON.parse(text);
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Asserts the one error envelope with the given status and code. */
export function expectEnvelope(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status, code });
  const envelope = answer.json as { error: Record<string, unknown> };
  expect(Object.keys(envelope)).toEqual(['error']);
  expect(Object.keys(envelope.error).sort()).toEqual(['code', 'details', 'message']);
  expect(typeof envelope.error.message).toBe('string');
  expect(answer.text).not.toMatch(STACK_FRAME);
}

export function errorCode(answer: Answer): unknown {
  const json = answer.json as { error?: { code?: unknown } } | undefined;
  return json?.error?.code;
}
