import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import stableStringify from 'fast-json-stable-stringify';
import { DIMENSIONS } from './review';
import type { ReviewRequest } from './review';

/**
 * The review id is content-derived (`review-<16 hex>`) so that two identical requests share
 * one workflow run. "Identical" means identical for the review: differences that cannot change
 * the result (line endings, trailing blank lines, option order, duplicate dimensions) must not
 * change the id, while anything a model sees or a rule uses must.
 */

/** Bumped whenever the normal form changes, so old and new ids can never collide. */
const NORMAL_FORM_VERSION = 1;

const lf = (s: string): string => s.replace(/\r\n/g, '\n');

function text(s: string | undefined): string | undefined {
  const t = s === undefined ? undefined : lf(s).trim();
  return t === '' ? undefined : t;
}

export function normaliseReviewRequest(req: ReviewRequest, modelConfigVersion: string): string {
  const dimensions = DIMENSIONS.filter((d) => req.dimensions?.includes(d));
  const hints = [...new Set((req.languageHints ?? []).map((h) => h.trim().toLowerCase()))]
    .filter((h) => h !== '')
    .sort();
  return stableStringify({
    v: NORMAL_FORM_VERSION,
    modelConfigVersion,
    diff: lf(req.diff).trimEnd(),
    repository: text(req.repository),
    title: text(req.title),
    description: text(req.description),
    languageHints: hints.length > 0 ? hints : undefined,
    // No subset and the full set ask for the same review.
    dimensions:
      dimensions.length > 0 && dimensions.length < DIMENSIONS.length ? dimensions : undefined,
    severityThreshold: req.severityThreshold,
  });
}

export function reviewIdFor(req: ReviewRequest, modelConfigVersion: string): string {
  const digest = sha256(utf8ToBytes(normaliseReviewRequest(req, modelConfigVersion)));
  return `review-${bytesToHex(digest).slice(0, 16)}`;
}
