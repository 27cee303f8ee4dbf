import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import stableStringify from 'fast-json-stable-stringify';
import { ANALYSIS_VERSION } from './analysis';
import type { CommitInput } from './types';

/**
 * Readable ids for the Temporal Web UI (`commit-<repo>-<sha>`) plus a content hash of what was
 * analysed: a commit submitted again with the same content is answered from the store; with
 * different content (a re-sent diff) it is analysed again under the same id.
 */

const hex16 = (s: string): string => bytesToHex(sha256(utf8ToBytes(s))).slice(0, 16);

/** `github.com/Acme/API.git` → `acme-api`; long names keep a hash so they stay distinct. */
export function repositorySlug(repository: string): string {
  const trimmed = repository
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\/[^/]+\//, '')
    .replace(/^[^/@]+@[^:]+:/, '')
    .replace(/^(github|gitlab|bitbucket)\.(com|org)\//, '')
    .replace(/\.git$/, '');
  const slug = trimmed.replace(/[^a-z0-9._]+/g, '-').replace(/^-+|-+$/g, '') || 'repo';
  return slug.length <= 60 ? slug : `${slug.slice(0, 43)}-${hex16(repository)}`;
}

export function commitAnalysisId(repository: string, sha: string): string {
  return `commit-${repositorySlug(repository)}-${sha.toLowerCase()}`;
}

export function commitInputHash(input: CommitInput): string {
  return hex16(
    stableStringify({
      v: ANALYSIS_VERSION,
      repository: input.repository.trim(),
      sha: input.sha.toLowerCase(),
      message: input.message.replace(/\r\n/g, '\n').trim(),
      author: input.author?.trim() || undefined,
      parents: input.parents.map((p) => p.toLowerCase()),
      diff: input.diff.replace(/\r\n/g, '\n').trimEnd(),
    }),
  );
}

/** Same commits (by content, in the same order) from the same version → the same batch. */
export function batchId(currentVersion: string, inputHashes: readonly string[]): string {
  return `batch-${hex16(stableStringify({ v: ANALYSIS_VERSION, currentVersion, inputHashes }))}`;
}
