import { z } from 'zod';

/** The vocabulary of CR-AI, shared by the API, the workflows, the providers and the store. */

export const DIMENSIONS = [
  'correctness',
  'security',
  'performance',
  'maintainability',
  'architecture',
  'testing',
  'documentation',
] as const;
export const Dimension = z.enum(DIMENSIONS);
export type Dimension = z.infer<typeof Dimension>;

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** Higher is more severe; used for thresholds and canonical ordering. */
export const SEVERITY_RANK: Record<Severity, number> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  info: 0,
};

export const ConfidenceBucket = z.enum(['high', 'medium', 'low']);
export type ConfidenceBucket = z.infer<typeof ConfidenceBucket>;

export const Agreement = z.enum(['both', 'primary_only', 'verifier_only', 'disputed']);
export type Agreement = z.infer<typeof Agreement>;

export const Role = z.enum(['primary', 'verifier']);
export type Role = z.infer<typeof Role>;

/** What one model (or local engine) reports, before consensus. Lines are new-side line numbers. */
export const ModelFinding = z.object({
  file: z.string().min(1),
  startLine: z.number().int().min(1),
  endLine: z.number().int().min(1),
  dimension: Dimension,
  severity: Severity,
  title: z.string().min(1).max(200),
  explanation: z.string().min(1).max(4000),
  suggestedFix: z.string().max(8000).optional(),
  /** the model's own confidence, 0..1 */
  confidence: z.number().min(0).max(1),
  /** stable rule identifier when the finder has one (local engines, linters) */
  ruleId: z.string().max(120).optional(),
});
export type ModelFinding = z.infer<typeof ModelFinding>;

/** The structured output every provider must produce (validated with zod). */
export const ModelOutput = z.object({
  findings: z.array(ModelFinding).max(500),
  summary: z.string().max(4000),
});
export type ModelOutput = z.infer<typeof ModelOutput>;

export const FindingStatus = z.enum(['open', 'confirmed', 'dismissed', 'unconfirmed']);
export type FindingStatus = z.infer<typeof FindingStatus>;

/** A finding after consensus: what users see. */
export const Finding = z.object({
  id: z.string().min(1),
  file: z.string(),
  startLine: z.number().int(),
  endLine: z.number().int(),
  dimension: Dimension,
  severity: Severity,
  title: z.string(),
  explanation: z.string(),
  suggestedFix: z.string().optional(),
  confidence: z.number().min(0).max(1),
  bucket: ConfidenceBucket,
  agreement: Agreement,
  /** model identifiers (provider/model) that raised it */
  raisedBy: z.array(z.string()),
  status: FindingStatus,
});
export type Finding = z.infer<typeof Finding>;

export const ProviderName = z.enum(['anthropic', 'openai', 'local']);
export type ProviderName = z.infer<typeof ProviderName>;

/** Where one model call's answer came from. */
export const Provenance = z.object({
  role: Role,
  provider: ProviderName,
  model: z.string(),
  latencyMs: z.number().min(0),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  /** providers tried and given up on before this one, with why */
  failoverHops: z.array(z.object({ provider: ProviderName, reason: z.string() })),
  attempts: z.number().int().min(1),
});
export type Provenance = z.infer<typeof Provenance>;

/** Who answered a call, after which failed hops: the provenance of a model answer, bar its role. */
export function callProvenance(
  provider: ProviderName,
  res: { model: string; latencyMs: number; inputTokens: number; outputTokens: number },
  hops: { provider: ProviderName; reason: string }[],
): Omit<Provenance, 'role'> {
  return {
    provider,
    model: res.model,
    latencyMs: res.latencyMs,
    inputTokens: res.inputTokens,
    outputTokens: res.outputTokens,
    failoverHops: hops,
    attempts: hops.length + 1,
  };
}

export const ReviewStatus = z.enum([
  'queued',
  'running',
  'needs_manual_review',
  'completed',
  'failed',
]);
export type ReviewStatus = z.infer<typeof ReviewStatus>;

export const Verdict = z.enum(['approve', 'comment', 'request_changes']);
export type Verdict = z.infer<typeof Verdict>;

/** Every file of the diff appears here: reviewed, skipped with a reason, or failed with a reason. */
export const FileCoverage = z.object({
  file: z.string(),
  outcome: z.enum(['reviewed', 'skipped', 'failed']),
  reason: z
    .enum(['binary', 'generated', 'lockfile', 'over_limit', 'deleted', 'model_error', 'empty'])
    .optional(),
  detail: z.string().optional(),
});
export type FileCoverage = z.infer<typeof FileCoverage>;

/** What the redactor removed, without the secret itself. */
export const Redaction = z.object({
  file: z.string(),
  line: z.number().int(),
  kind: z.enum([
    'private_key',
    'aws_key',
    'gcp_key',
    'azure_key',
    'github_token',
    'slack_token',
    'stripe_key',
    'generic_token',
    'password',
    'jwt',
    'connection_string',
    'email',
  ]),
});
export type Redaction = z.infer<typeof Redaction>;

export const ReviewRequest = z.object({
  diff: z.string().min(1),
  repository: z.string().max(300).optional(),
  title: z.string().max(500).optional(),
  description: z.string().max(20_000).optional(),
  languageHints: z.array(z.string().max(40)).max(20).optional(),
  dimensions: z.array(Dimension).min(1).max(7).optional(),
  severityThreshold: Severity.optional(),
});
export type ReviewRequest = z.infer<typeof ReviewRequest>;

/* ---- The diff model: what prepareDiff produces and every provider consumes. ---- */

export const DiffLine = z.object({
  kind: z.enum(['add', 'del', 'context']),
  /** new-side line number (add and context lines) */
  newLine: z.number().int().min(1).optional(),
  /** old-side line number (del and context lines) */
  oldLine: z.number().int().min(1).optional(),
  text: z.string(),
});
export type DiffLine = z.infer<typeof DiffLine>;

export const DiffHunk = z.object({
  header: z.string(),
  oldStart: z.number().int().min(0),
  oldLines: z.number().int().min(0),
  newStart: z.number().int().min(0),
  newLines: z.number().int().min(0),
  lines: z.array(DiffLine),
});
export type DiffHunk = z.infer<typeof DiffHunk>;

export const Language = z.enum([
  'typescript',
  'javascript',
  'python',
  'go',
  'java',
  'ruby',
  'rust',
  'c',
  'cpp',
  'csharp',
  'php',
  'kotlin',
  'swift',
  'sql',
  'shell',
  'yaml',
  'json',
  'markdown',
  'other',
]);
export type Language = z.infer<typeof Language>;

export const DiffFile = z.object({
  /** new path (old path for deletions); normalised, relative, never containing `..` */
  path: z.string().min(1),
  oldPath: z.string().optional(),
  status: z.enum(['added', 'modified', 'deleted', 'renamed']),
  language: Language,
  binary: z.boolean(),
  hunks: z.array(DiffHunk),
});
export type DiffFile = z.infer<typeof DiffFile>;

/** A token-bounded slice of the diff; hunks are never split across chunks. */
export const ReviewChunk = z.object({
  index: z.number().int().min(0),
  files: z.array(DiffFile).min(1),
  tokenEstimate: z.number().int().min(0),
});
export type ReviewChunk = z.infer<typeof ReviewChunk>;
