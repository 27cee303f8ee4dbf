import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';

/**
 * The one place where failures become HTTP statuses. Everything the API answers with an error
 * goes through `toApiError`, so a code always means the same status.
 */

export const ERROR_STATUS = {
  invalid_request: 400,
  malformed_json: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().describe('machine-readable specifics; null when there are none'),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  toEnvelope(): ErrorEnvelope {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** Domain and store errors carry a string `code`; these are the ones with an HTTP meaning. */
const DOMAIN_CODES: Record<string, ErrorCode> = {
  not_found: 'not_found',
  conflict: 'conflict',
  invalid: 'unprocessable',
  unprocessable: 'unprocessable',
  forbidden: 'forbidden',
  unavailable: 'unavailable',
};

/** Node socket errors and PostgreSQL connection-class SQLSTATEs: the dependency is down. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

function codeOf(err: object): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isUnavailable(err: object, depth = 0): boolean {
  const code = codeOf(err);
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // grpc status UNAVAILABLE / DEADLINE_EXCEEDED from the Temporal client
  const grpc = (err as { code?: unknown }).code;
  if (grpc === 14 || grpc === 4) return true;
  const message = err instanceof Error ? err.message : '';
  if (/Connection terminated|timeout exceeded when trying to connect/i.test(message)) return true;
  // the Temporal client wraps transport failures in a ServiceError whose cause has the status
  const cause = (err as { cause?: unknown }).cause;
  return (
    depth < 3 && typeof cause === 'object' && cause !== null && isUnavailable(cause, depth + 1)
  );
}

/** Body-parser errors carry a `type`; they are the client's fault, never a 500. */
function fromBodyParser(err: object): ApiError | undefined {
  const type = (err as { type?: unknown }).type;
  switch (type) {
    case 'entity.parse.failed':
      return new ApiError('malformed_json', 'The request body is not valid JSON.');
    case 'entity.too.large': {
      const limit = (err as { limit?: unknown }).limit;
      return new ApiError('payload_too_large', 'The request body is too large.', {
        limitBytes: typeof limit === 'number' ? limit : null,
      });
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type', 'The request body encoding is not supported.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ApiError('invalid_request', 'The request body could not be read.');
    default:
      return undefined;
  }
}

/** Express and its parsers throw http-errors with `expose` set when the message is safe to show. */
function fromHttpError(err: object): ApiError | undefined {
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (expose !== true || typeof status !== 'number') return undefined;
  const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === status);
  if (!code) return undefined;
  return new ApiError(code, err instanceof Error ? err.message : 'Request failed.');
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof WorkflowNotFoundError) {
    return new ApiError('not_found', 'No such workflow.');
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new ApiError('conflict', 'That workflow is already running.');
  }
  if (err instanceof URIError) {
    // Express's router throws this for a path parameter that is not valid percent-encoding
    return new ApiError('invalid_request', 'The request path is not valid percent-encoding.');
  }
  if (typeof err !== 'object' || err === null) {
    return new ApiError('internal', 'Internal error.');
  }
  const parsed = fromBodyParser(err);
  if (parsed) return parsed;
  const httpError = fromHttpError(err);
  if (httpError) return httpError;
  const code = codeOf(err);
  if (code === '23505') return new ApiError('conflict', 'That resource already exists.');
  // PostgreSQL refuses NUL bytes and invalid byte sequences in text: the input was not text.
  if (code === '22021' || code === '22P05') {
    return new ApiError('invalid_request', 'A parameter contains characters that are not text.');
  }
  if (isUnavailable(err)) {
    return new ApiError('unavailable', 'A dependency is unavailable; retry shortly.');
  }
  const mapped = code ? DOMAIN_CODES[code] : undefined;
  if (mapped && err instanceof Error) return new ApiError(mapped, err.message);
  return new ApiError('internal', 'Internal error.');
}
