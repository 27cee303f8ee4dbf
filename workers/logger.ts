import pino from 'pino';
import pretty from 'pino-pretty';
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

/**
 * JSON lines for machines; with `pretty` (a person at a terminal running `npm start`) one
 * readable coloured line per event. Redaction applies to both.
 */
export function createLogger(
  config: Pick<Config, 'logLevel'>,
  name = 'quorum',
  opts: { pretty?: boolean } = {},
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (!opts.pretty) return pino(options);
  return pino(
    options,
    pretty({
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,name,req,res,responseTime',
      messageFormat:
        '{if component}[{component}] {end}{if route}{req.method} {route} {res.statusCode} {responseTime}ms {end}{msg}',
    }),
  );
}
