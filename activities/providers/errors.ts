import { ApplicationFailure } from '@temporalio/common';
import * as AnthropicErrors from '@anthropic-ai/sdk';
import * as OpenAIErrors from 'openai';
import type { ProviderName } from '../../domain/review';
import { NON_RETRYABLE_PROVIDER_ERRORS, ProviderErrorType } from '../../domain/reviewFlow';

// The names live in domain/ so the failover workflow can key on them without importing
// activities; re-exported here for callers on the activity side.
export { NON_RETRYABLE_PROVIDER_ERRORS, ProviderErrorType };

/** What a failure carries in `details[0]`, so the workflow can record why a hop happened. */
export interface ProviderFailureDetails {
  provider: ProviderName;
  status?: number;
  retryAfterSeconds?: number;
}

function failure(
  type: ProviderErrorType,
  provider: ProviderName,
  message: string,
  extra: { status?: number; retryAfterSeconds?: number; cause?: Error } = {},
): ApplicationFailure {
  const details: ProviderFailureDetails = { provider };
  if (extra.status !== undefined) details.status = extra.status;
  if (extra.retryAfterSeconds !== undefined) details.retryAfterSeconds = extra.retryAfterSeconds;
  return ApplicationFailure.create({
    type,
    message: `${provider}: ${message}`,
    nonRetryable: NON_RETRYABLE_PROVIDER_ERRORS.includes(type),
    details: [details],
    cause: extra.cause,
    // The vendor knows its own quota window better than our backoff does.
    nextRetryDelay:
      extra.retryAfterSeconds !== undefined ? extra.retryAfterSeconds * 1000 : undefined,
  });
}

export function schemaInvalid(provider: ProviderName, message: string): ApplicationFailure {
  return failure(ProviderErrorType.SchemaInvalid, provider, message);
}

export function authFailed(provider: ProviderName, message: string): ApplicationFailure {
  return failure(ProviderErrorType.AuthFailed, provider, message);
}

/** `retry-after-ms`, then `retry-after` as seconds or an HTTP date; undefined when absent. */
export function retryAfterSeconds(
  headers: Headers | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function isConnectionError(err: unknown): boolean {
  return (
    err instanceof OpenAIErrors.APIConnectionError ||
    err instanceof AnthropicErrors.APIConnectionError
  );
}

function isTimeout(err: unknown): boolean {
  return (
    err instanceof OpenAIErrors.APIConnectionTimeoutError ||
    err instanceof AnthropicErrors.APIConnectionTimeoutError
  );
}

function isAbort(err: unknown): boolean {
  return (
    err instanceof OpenAIErrors.APIUserAbortError ||
    err instanceof AnthropicErrors.APIUserAbortError
  );
}

function asApiError(
  err: unknown,
): { status: number; headers: Headers | undefined; message: string } | undefined {
  if (err instanceof OpenAIErrors.APIError || err instanceof AnthropicErrors.APIError) {
    if (typeof err.status !== 'number') return undefined;
    return { status: err.status, headers: err.headers, message: err.message };
  }
  return undefined;
}

function typeForStatus(status: number): ProviderErrorType {
  if (status === 429) return ProviderErrorType.RateLimited;
  if (status === 401 || status === 402 || status === 403) return ProviderErrorType.AuthFailed;
  // 408, 409 and 499 are transient by the vendors' own SDK retry rules.
  if (status === 408 || status === 409 || status === 499 || status >= 500) {
    return ProviderErrorType.ProviderUnavailable;
  }
  return ProviderErrorType.BadRequest;
}

/**
 * Turns whatever an SDK call threw into an `ApplicationFailure` with one of the types above.
 * Cancellation passes through untouched so Temporal sees the activity as cancelled, and a
 * failure that is already classified is kept as is.
 */
export function classifyProviderError(err: unknown, provider: ProviderName): unknown {
  if (err instanceof ApplicationFailure || isAbort(err)) return err;
  const cause = err instanceof Error ? err : undefined;
  const api = asApiError(err);
  if (api) {
    const type = typeForStatus(api.status);
    const retryAfter =
      type === ProviderErrorType.RateLimited || type === ProviderErrorType.ProviderUnavailable
        ? retryAfterSeconds(api.headers)
        : undefined;
    return failure(type, provider, api.message, {
      status: api.status,
      retryAfterSeconds: retryAfter,
      cause,
    });
  }
  if (isTimeout(err)) {
    return failure(ProviderErrorType.ProviderUnavailable, provider, 'request timed out', { cause });
  }
  if (isConnectionError(err)) {
    const reason = cause?.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return failure(ProviderErrorType.ProviderUnavailable, provider, `connection failed${reason}`, {
      cause,
    });
  }
  // A body cut off mid-stream or garbled by a proxy surfaces as a fetch TypeError or a JSON
  // SyntaxError after the status line arrived: the vendor (or the path to it) is unhealthy.
  const message = cause?.message ?? String(err);
  return failure(
    ProviderErrorType.ProviderUnavailable,
    provider,
    `unreadable response: ${message}`,
    {
      cause,
    },
  );
}
