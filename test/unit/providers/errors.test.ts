import * as Anthropic from '@anthropic-ai/sdk';
import * as OpenAI from 'openai';
import { ApplicationFailure } from '@temporalio/common';
import {
  classifyProviderError,
  NON_RETRYABLE_PROVIDER_ERRORS,
  ProviderErrorType,
  retryAfterSeconds,
} from '../../../activities/providers/errors';

const openaiError = (status: number, headers: Record<string, string> = {}) =>
  OpenAI.APIError.generate(
    status,
    { error: { message: `m${status}` } },
    undefined,
    new Headers(headers),
  );
const anthropicError = (status: number, headers: Record<string, string> = {}) =>
  Anthropic.APIError.generate(
    status,
    { type: 'error', error: { type: 'x', message: `m${status}` } },
    undefined,
    new Headers(headers),
  );

const classify = (err: unknown) => classifyProviderError(err, 'openai') as ApplicationFailure;

describe('retryAfterSeconds', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(retryAfterSeconds(new Headers({ 'retry-after': '12' }), now)).toBe(12);
    expect(retryAfterSeconds(new Headers({ 'retry-after-ms': '1500' }), now)).toBe(2);
    expect(
      retryAfterSeconds(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now),
    ).toBe(30);
  });
  it('ignores absent or unreadable values', () => {
    expect(retryAfterSeconds(new Headers(), now)).toBeUndefined();
    expect(retryAfterSeconds(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
  });
});

describe('classifyProviderError', () => {
  it.each([
    [400, ProviderErrorType.BadRequest],
    [404, ProviderErrorType.BadRequest],
    [413, ProviderErrorType.BadRequest],
    [422, ProviderErrorType.BadRequest],
    [401, ProviderErrorType.AuthFailed],
    [403, ProviderErrorType.AuthFailed],
    [408, ProviderErrorType.ProviderUnavailable],
    [409, ProviderErrorType.ProviderUnavailable],
    [429, ProviderErrorType.RateLimited],
    [500, ProviderErrorType.ProviderUnavailable],
    [502, ProviderErrorType.ProviderUnavailable],
    [529, ProviderErrorType.ProviderUnavailable],
  ])('maps HTTP %i from either SDK to %s', (status, type) => {
    for (const err of [openaiError(status), anthropicError(status)]) {
      const failure = classify(err);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.type).toBe(type);
      expect(failure.nonRetryable).toBe(NON_RETRYABLE_PROVIDER_ERRORS.includes(type));
    }
  });

  it('carries retry-after on a 503 as the next retry delay too', () => {
    expect(classify(anthropicError(503, { 'retry-after': '3' })).nextRetryDelay).toBe(3000);
  });

  it('records provider and status in the failure details', () => {
    const failure = classifyProviderError(anthropicError(429), 'anthropic') as ApplicationFailure;
    expect(failure.details).toEqual([{ provider: 'anthropic', status: 429 }]);
    expect(failure.message).toMatch(/^anthropic: /);
  });

  it('maps connection errors and timeouts of both SDKs to ProviderUnavailable', () => {
    for (const err of [
      new OpenAI.APIConnectionError({ message: 'reset' }),
      new OpenAI.APIConnectionTimeoutError(),
      new Anthropic.APIConnectionError({ message: 'reset' }),
      new Anthropic.APIConnectionTimeoutError(),
    ]) {
      expect(classify(err).type).toBe(ProviderErrorType.ProviderUnavailable);
    }
  });

  it('passes cancellations and already-classified failures through', () => {
    const abort = new OpenAI.APIUserAbortError();
    expect(classify(abort)).toBe(abort);
    const done = ApplicationFailure.nonRetryable('x', ProviderErrorType.SchemaInvalid);
    expect(classify(done)).toBe(done);
  });
});
