import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

export type Route = 'candidate' | 'baseline';

/** Traffic is split in basis points so weights like 2.5% are exact. */
const BUCKETS = 10_000;

/** The review's fixed bucket in [0, 10000): a hash, so it does not depend on arrival order. */
export function bucketOf(reviewId: string): number {
  const h = sha256(utf8ToBytes(reviewId));
  const n = (((h[0] ?? 0) << 24) | ((h[1] ?? 0) << 16) | ((h[2] ?? 0) << 8) | (h[3] ?? 0)) >>> 0;
  return n % BUCKETS;
}

/**
 * Which version serves a review at the given candidate weight (percent, 0–100). A review keeps
 * its version as the weight grows: buckets below the weight go to the candidate, so raising the
 * weight only ever moves reviews from baseline to candidate.
 */
export function routeFor(reviewId: string, weight: number): Route {
  if (!(weight > 0)) return 'baseline';
  return bucketOf(reviewId) < Math.round(Math.min(weight, 100) * (BUCKETS / 100))
    ? 'candidate'
    : 'baseline';
}
