import semver from 'semver';
import { z } from 'zod';
import { Provenance } from '../review';

/** The vocabulary of commit analysis, shared by the API, the workflows, the activities and the store. */

export const COMMIT_TYPES = [
  'feat',
  'fix',
  'perf',
  'revert',
  'refactor',
  'docs',
  'style',
  'test',
  'build',
  'ci',
  'chore',
] as const;
export const CommitType = z.enum(COMMIT_TYPES);
export type CommitType = z.infer<typeof CommitType>;

export const IMPACTS = ['none', 'patch', 'minor', 'major'] as const;
export const SemverImpact = z.enum(IMPACTS);
export type SemverImpact = z.infer<typeof SemverImpact>;
export const IMPACT_RANK: Record<SemverImpact, number> = { none: 0, patch: 1, minor: 2, major: 3 };

/** Abbreviated or full hex object names; stored lowercase so `ABC123F` and `abc123f` are one commit. */
export const Sha = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{7,64}$/, 'a git object name: 7 to 64 hexadecimal digits')
  .transform((s) => s.toLowerCase());

export const SemverVersion = z
  .string()
  .trim()
  .refine((v) => semver.valid(v) !== null, 'a semantic version such as 1.4.2')
  .transform((v) => semver.valid(v) ?? v);

export const CommitInput = z.object({
  repository: z.string().trim().min(1).max(300),
  sha: Sha,
  message: z.string().min(1).max(100_000),
  author: z.string().trim().max(300).optional(),
  parents: z.array(Sha).max(32).default([]),
  /** unified diff against the first parent; empty for an empty or merge commit */
  diff: z.string().default(''),
});
export type CommitInput = z.infer<typeof CommitInput>;

export const Footer = z.object({ token: z.string(), value: z.string() });
export type Footer = z.infer<typeof Footer>;

export const ParsedMessage = z.object({
  /** true when the header follows Conventional Commits with a known type */
  conventional: z.boolean(),
  type: CommitType,
  scope: z.string().nullable(),
  subject: z.string(),
  body: z.string().nullable(),
  footers: z.array(Footer),
  /** `!` in the header or a BREAKING CHANGE footer */
  breaking: z.boolean(),
  breakingNotes: z.array(z.string()),
  classification: z.object({
    method: z.enum(['conventional', 'keyword', 'diff', 'default']),
    confidence: z.number().min(0).max(1),
    reason: z.string(),
  }),
});
export type ParsedMessage = z.infer<typeof ParsedMessage>;

export const BREAKING_KINDS = [
  'message',
  'removed_export',
  'changed_signature',
  'removed_endpoint',
  'removed_config_key',
  'dropped_column',
  'dropped_table',
] as const;
export const BreakingChange = z.object({
  kind: z.enum(BREAKING_KINDS),
  source: z.enum(['message', 'diff']),
  description: z.string(),
  file: z.string().optional(),
  /** old-side line for removals, new-side line for additions */
  line: z.number().int().optional(),
  symbol: z.string().optional(),
});
export type BreakingChange = z.infer<typeof BreakingChange>;

export const DiffStats = z.object({
  files: z.number().int().min(0),
  additions: z.number().int().min(0),
  deletions: z.number().int().min(0),
  codeFiles: z.number().int().min(0),
  testFiles: z.number().int().min(0),
  docFiles: z.number().int().min(0),
  languages: z.array(z.string()),
});
export type DiffStats = z.infer<typeof DiffStats>;

export const RiskFactor = z.object({
  name: z.enum(['churn', 'files_touched', 'sensitive_paths', 'breaking_changes', 'untested_code']),
  points: z.number().int().min(0),
  detail: z.string(),
});
export type RiskFactor = z.infer<typeof RiskFactor>;
export const RiskLevel = z.enum(['low', 'medium', 'high', 'critical']);
export type RiskLevel = z.infer<typeof RiskLevel>;
export const Risk = z.object({
  score: z.number().int().min(0).max(100),
  level: RiskLevel,
  factors: z.array(RiskFactor),
});
export type Risk = z.infer<typeof Risk>;

export const ImpactReason = z.object({ impact: SemverImpact, reason: z.string() });
export type ImpactReason = z.infer<typeof ImpactReason>;

/** Everything derived from the commit without a model: pure, so the same commit gives the same bytes. */
export const CommitFacts = z.object({
  repository: z.string(),
  sha: z.string(),
  author: z.string().nullable(),
  parents: z.array(z.string()),
  message: ParsedMessage,
  stats: DiffStats,
  breakingChanges: z.array(BreakingChange),
  impact: SemverImpact,
  impactReasons: z.array(ImpactReason),
  risk: Risk,
});
export type CommitFacts = z.infer<typeof CommitFacts>;

export const CommitAnalysis = CommitFacts.extend({
  id: z.string(),
  inputHash: z.string(),
  summary: z.string(),
  provenance: Provenance.omit({ role: true }),
  analysisVersion: z.number().int(),
});
export type CommitAnalysis = z.infer<typeof CommitAnalysis>;
