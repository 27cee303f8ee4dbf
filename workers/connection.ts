import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../domain/config';
import { createLogger, type Logger } from './logger';
import { dataConverter, installRuntime } from './runtime';

/** What both the client Connection and the worker NativeConnection accept. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/** A readiness probe must answer well inside a load balancer's own probe timeout. */
export const CHECK_DEADLINE_MS = 2_000;

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot read the Temporal TLS ${what} at ${path}: ${reason}`);
  }
}

function tlsOptions(config: Config): TLSConfig | boolean | undefined {
  const tls = config.temporal.tls;
  if (tls) {
    if (Boolean(tls.certPath) !== Boolean(tls.keyPath)) {
      throw new Error('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
    }
    return {
      serverNameOverride: tls.serverName,
      serverRootCACertificate: tls.caPath ? readPem(tls.caPath, 'CA certificate') : undefined,
      clientCertPair:
        tls.certPath && tls.keyPath
          ? {
              crt: readPem(tls.certPath, 'client certificate'),
              key: readPem(tls.keyPath, 'client key'),
            }
          : undefined,
    };
  }
  // An API key sent in clear text would be a leaked credential; every API-key service speaks TLS.
  return config.temporal.apiKey ? true : undefined;
}

/** Address, TLS and API key from config. Reads the PEM files, so call it once at start. */
export function temporalConnectionOptions(config: Config): TemporalConnectionOptions {
  const address = config.temporal.address;
  if (!address) {
    throw new Error(
      'TEMPORAL_ADDRESS is not set (the embedded launcher sets it once its server is up)',
    );
  }
  return { address, tls: tlsOptions(config), apiKey: config.temporal.apiKey };
}

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  /** One cheap RPC under a short deadline; never throws, never hangs. */
  check(): Promise<{ up: boolean; error?: string }>;
  close(): Promise<void>;
}

// gRPC backs reconnects off up to 120 s by default; after an outage we want to be back in seconds.
const RECONNECT = { 'grpc.max_reconnect_backoff_ms': 5_000 };

/**
 * Lazy, so the API can start (and report 503 from /readyz) while Temporal is still down; gRPC
 * reconnects on its own once the server is back.
 */
export async function connectClient(config: Config): Promise<TemporalClientHandle> {
  const options = temporalConnectionOptions(config);
  const connection = Connection.lazy({ ...options, channelArgs: RECONNECT });
  // The probe gets its own channel without the SDK's retry interceptor: a readiness answer should
  // be "down" at once, not after retries, and no retry timer may outlive close().
  const probe = Connection.lazy({ ...options, channelArgs: RECONNECT, interceptors: [] });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverter(),
  });
  const check = async (): Promise<{ up: boolean; error?: string }> => {
    let timer: NodeJS.Timeout | undefined;
    // The gRPC deadline should end the call; the timer is for a channel that never answers at all.
    const hardStop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Temporal did not answer within ${CHECK_DEADLINE_MS} ms`)),
        CHECK_DEADLINE_MS + 500,
      );
    });
    const call = probe.withDeadline(Date.now() + CHECK_DEADLINE_MS, () =>
      probe.workflowService.getSystemInfo({}),
    );
    call.catch(() => undefined);
    try {
      await Promise.race([call, hardStop]);
      return { up: true };
    } catch (err) {
      return { up: false, error: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  };
  const close = async () => {
    await Promise.all([connection.close(), probe.close()]);
  };
  return { client, connection, check, close };
}

/**
 * Workers need the native (Rust core) connection; it fails fast when the server is unreachable.
 * The Runtime must be installed before the first native connection, or the SDK installs a default
 * one (stderr logs, no metrics) that can no longer be replaced.
 */
export async function connectWorkerConnection(
  config: Config,
  logger: Logger = createLogger(config, 'temporal'),
): Promise<NativeConnection> {
  installRuntime(config, logger);
  return NativeConnection.connect(temporalConnectionOptions(config));
}
