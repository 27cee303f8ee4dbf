import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApiError, toApiError } from '../../../api/errors';
import { expressPath } from '../../../api/route';

function withProps(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

describe('toApiError', () => {
  it.each([
    [
      'body-parser parse failure',
      withProps('Unexpected token', { type: 'entity.parse.failed' }),
      400,
      'malformed_json',
    ],
    [
      'body over the limit',
      withProps('too large', { type: 'entity.too.large', limit: 1024 }),
      413,
      'payload_too_large',
    ],
    [
      'unsupported charset',
      withProps('bad charset', { type: 'charset.unsupported' }),
      415,
      'unsupported_media_type',
    ],
    ['undecodable path', new URIError('URI malformed'), 400, 'invalid_request'],
    [
      'PostgreSQL refusing connections',
      withProps('connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
      503,
      'unavailable',
    ],
    [
      'PostgreSQL shutting down',
      withProps('terminating connection', { code: '57P01' }),
      503,
      'unavailable',
    ],
    [
      'pool connect timeout',
      new Error('timeout exceeded when trying to connect'),
      503,
      'unavailable',
    ],
    ['unique violation', withProps('duplicate key', { code: '23505' }), 409, 'conflict'],
    [
      'Temporal unreachable (wrapped grpc UNAVAILABLE)',
      new Error('Failed to query', { cause: withProps('14 UNAVAILABLE', { code: 14 }) }),
      503,
      'unavailable',
    ],
    [
      'workflow not found',
      new WorkflowNotFoundError('gone', 'review-1', undefined),
      404,
      'not_found',
    ],
    [
      'workflow already running',
      new WorkflowExecutionAlreadyStartedError('dup', 'review-1', 'reviewWorkflow'),
      409,
      'conflict',
    ],
    [
      'domain error with a code',
      withProps('version 1.2.3 exists', { code: 'conflict' }),
      409,
      'conflict',
    ],
    [
      'domain rule broken',
      withProps('canary needs a baseline', { code: 'unprocessable' }),
      422,
      'unprocessable',
    ],
  ])('maps %s (%p) to %i %s', (_name, err, status, code) => {
    const mapped = toApiError(err);
    expect({ status: mapped.status, code: mapped.code }).toEqual({ status, code });
  });

  it('hides the message and stack of an unexpected error', () => {
    const err = new Error('password=hunter2 at /srv/app.ts:12');
    const envelope = toApiError(err).toEnvelope();
    expect(envelope).toEqual({
      error: { code: 'internal', message: 'Internal error.', details: null },
    });
    expect(JSON.stringify(envelope)).not.toContain('hunter2');
  });

  it('passes an ApiError through unchanged', () => {
    const err = new ApiError('forbidden', 'nope', { requiredRoles: ['admin'] });
    expect(toApiError(err)).toBe(err);
    expect(err.status).toBe(403);
  });

  it('treats thrown non-errors as internal', () => {
    expect(toApiError('boom').code).toBe('internal');
    expect(toApiError(undefined).code).toBe('internal');
  });
});

describe('expressPath', () => {
  it('turns OpenAPI parameters into Express ones', () => {
    expect(expressPath('/api/v2/cr-ai/review/{id}/findings/{findingId}')).toBe(
      '/api/v2/cr-ai/review/:id/findings/:findingId',
    );
  });
});
