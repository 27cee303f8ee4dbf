import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { stateOf } from './context';
import { ApiError } from './errors';

/**
 * Per API key when the caller is known, else per client address (IPv6 grouped by /56), so one
 * noisy integration cannot starve the others and failed key guesses are throttled too.
 * In-memory per process: behind a load balancer each replica enforces its own share.
 */
export function createRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => stateOf(req).principal?.id ?? `ip:${ipKeyGenerator(req.ip ?? '')}`,
    handler: (req, res, next) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfterSeconds = resetTime
        ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
        : 60;
      res.setHeader('Retry-After', String(retryAfterSeconds));
      next(
        new ApiError('rate_limited', 'Too many requests; slow down.', {
          limitPerMinute: perMinute,
          retryAfterSeconds,
        }),
      );
    },
  });
}
