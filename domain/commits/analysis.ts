import { parseDiff } from '../diff';
import { redactDiff, redactText } from '../redact';
import { renderDiff } from '../renderDiff';
import type { DiffFile, Redaction } from '../review';
import { breakingChangesInDiff } from './breaking';
import { classifyMessage } from './classify';
import { parseCommitMessage } from './conventional';
import { assessRisk, diffStats } from './risk';
import { commitImpact } from './semver';
import type { BreakingChange, CommitFacts, CommitInput } from './types';

/** Bumped whenever a rule changes, so stored analyses from older rules are not served as current. */
export const ANALYSIS_VERSION = 1;

export interface PreparedCommit {
  /** the input with secrets and e-mail addresses replaced by markers, diff and message alike */
  input: CommitInput;
  files: DiffFile[];
  redactions: Redaction[];
}

function redactLines(text: string): string {
  return text
    .split('\n')
    .map((l) => redactText(l).text)
    .join('\n');
}

/** Parses and redacts; throws `DiffError` (empty, not a diff, unsafe path, too large). */
export function prepareCommit(
  input: CommitInput,
  opts: { maxDiffBytes?: number } = {},
): PreparedCommit {
  const files =
    input.diff.trim() === '' ? [] : parseDiff(input.diff, { maxBytes: opts.maxDiffBytes }).files;
  const redacted = redactDiff(files);
  return {
    input: {
      ...input,
      message: redactLines(input.message),
      diff: redacted.files.length > 0 ? renderDiff(redacted.files) : '',
    },
    files: redacted.files,
    redactions: redacted.redactions,
  };
}

/** Everything about a commit that needs no model. Same input, same output, byte for byte. */
export function analyzeCommitFacts(input: CommitInput, files: DiffFile[]): CommitFacts {
  const changed = files.map((f) => ({ path: f.path, status: f.status }));
  const message = parseCommitMessage(input.message, (header) => classifyMessage(header, changed));
  const fromMessage: BreakingChange[] = message.breakingNotes.map((note) => ({
    kind: 'message',
    source: 'message',
    description: note.split('\n')[0] ?? note,
  }));
  const breakingChanges = [...fromMessage, ...breakingChangesInDiff(files)];
  const { impact, reasons } = commitImpact(message, breakingChanges);
  const stats = diffStats(files);
  return {
    repository: input.repository,
    sha: input.sha,
    author: input.author ?? null,
    parents: input.parents,
    message,
    stats,
    breakingChanges,
    impact,
    impactReasons: reasons,
    risk: assessRisk(files, stats, breakingChanges),
  };
}
