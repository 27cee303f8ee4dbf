import pino from 'pino';
import type { Config } from '../domain/config';

/** Paths pino blanks out wherever they appear, so keys and tokens never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-gitlab-token"]',
  '*.apiKey',
  '*.key',
  '*.token',
  '*.password',
  '*.secret',
  '*.webhookSecret',
  '*.diff',
];

export type Logger = pino.Logger;

export function createLogger(config: Pick<Config, 'logLevel'>, name = 'quorum'): Logger {
  return pino({
    name,
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
