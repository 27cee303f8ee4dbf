import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { cmp, matchFindings } from './matching';
import type { Agreement, Finding, FindingStatus, ModelFinding, Severity } from './review';
import { SEVERITY_RANK } from './review';

/**
 * The consensus protocol: two models' findings in, one voted, canonically ordered list out.
 *
 * | raised by | severity            | agreement                  | confidence                    |
 * |-----------|---------------------|----------------------------|-------------------------------|
 * | both      | critical            | both                       | max(avg × both, highBucket)   |
 * | one       | critical            | disputed, held for a human | c × disputedFactor            |
 * | both      | high/medium/low/info| both                       | avg × bothFactor              |
 * | one       | high/medium/low/info| primary_only/verifier_only | c × singleModelFactor         |
 *
 * "Critical" means the finding's severity is `critical`, whatever its dimension: models are
 * told to rate exploitable security holes and data loss as critical, and a rule keyed on
 * severity alone keeps "high: one model is enough" true for security findings as well. For a
 * matched pair the higher of the two severities decides, so one model's `critical` is agreed
 * by the other model seeing the same issue at any severity.
 *
 * `avg` is the mean of the two models' own confidences. The "boost" for high findings raised
 * by both is the step from the single-model factor (0.7) to the both-models factor (1.0); the
 * same averaging applies to medium/low/info. Agreed critical findings are lifted to at least
 * the high bucket because two independent models agreeing on a critical issue is the
 * strongest signal the protocol has. Scores are rounded to 4 decimals so the bytes are stable.
 */

export const HIGH_BUCKET = 0.8;
export const MEDIUM_BUCKET = 0.5;
export const SINGLE_MODEL_FACTOR = 0.7;
export const BOTH_FACTOR = 1.0;
export const DISPUTED_FACTOR = 0.3;
export const LINE_TOLERANCE = 2;
/** see `messageSimilarity` in matching.ts */
export const SIMILARITY_THRESHOLD = 0.35;

/** Tunable per model-config version, hence a schema: a release carries its own policy. */
export const ConsensusPolicy = z
  .object({
    highBucket: z.number().gt(0).max(1).default(HIGH_BUCKET),
    mediumBucket: z.number().min(0).max(1).default(MEDIUM_BUCKET),
    singleModelFactor: z.number().min(0).max(1).default(SINGLE_MODEL_FACTOR),
    bothFactor: z.number().min(0).max(2).default(BOTH_FACTOR),
    disputedFactor: z.number().min(0).max(1).default(DISPUTED_FACTOR),
    lineTolerance: z.number().int().min(0).max(50).default(LINE_TOLERANCE),
    similarityThreshold: z.number().min(0).max(1).default(SIMILARITY_THRESHOLD),
  })
  .refine((p) => p.mediumBucket <= p.highBucket, {
    message: 'mediumBucket must not exceed highBucket',
    path: ['mediumBucket'],
  });
export type ConsensusPolicy = z.infer<typeof ConsensusPolicy>;

export const DEFAULT_CONSENSUS_POLICY: ConsensusPolicy = ConsensusPolicy.parse({});

export interface ModelReport {
  /** provider/model identifier recorded in `raisedBy` */
  model: string;
  findings: ModelFinding[];
}

export interface ConsensusInput {
  primary: ModelReport;
  verifier: ModelReport;
}

export interface ConsensusResult {
  findings: Finding[];
  /** ids of disputed critical findings awaiting a human decision, in canonical order */
  needsHuman: string[];
}

/** A voted finding before it gets its id, with the input indices it came from. */
export interface Vote {
  finding: Omit<Finding, 'id'>;
  primary?: number;
  verifier?: number;
}

export function requiresBothModels(severity: Severity): boolean {
  return severity === 'critical';
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Clamped to [0,1] and rounded, so no policy or model quirk can leave the schema's range. */
export function score(raw: number): number {
  if (!Number.isFinite(raw)) return 0;
  return round4(Math.min(1, Math.max(0, raw)));
}

export function bucketFor(
  confidence: number,
  policy: Pick<ConsensusPolicy, 'highBucket' | 'mediumBucket'> = DEFAULT_CONSENSUS_POLICY,
): Finding['bucket'] {
  if (confidence >= policy.highBucket) return 'high';
  if (confidence >= policy.mediumBucket) return 'medium';
  return 'low';
}

function range(f: ModelFinding): [number, number] {
  return [Math.min(f.startLine, f.endLine), Math.max(f.startLine, f.endLine)];
}

/** Builds the finding with keys in the schema's order, so bytes match after a zod round trip. */
function scored(
  base: Omit<Finding, 'id' | 'confidence' | 'bucket' | 'status'>,
  confidence: number,
  policy: ConsensusPolicy,
): Omit<Finding, 'id'> {
  const c = score(confidence);
  return {
    file: base.file,
    startLine: base.startLine,
    endLine: base.endLine,
    dimension: base.dimension,
    severity: base.severity,
    title: base.title,
    explanation: base.explanation,
    ...(base.suggestedFix !== undefined ? { suggestedFix: base.suggestedFix } : {}),
    confidence: c,
    bucket: bucketFor(c, policy),
    agreement: base.agreement,
    raisedBy: base.raisedBy,
    status: 'open',
  };
}

function single(
  f: ModelFinding,
  model: string,
  agreement: Agreement,
  policy: ConsensusPolicy,
): Omit<Finding, 'id'> {
  const [startLine, endLine] = range(f);
  const disputed = requiresBothModels(f.severity);
  const base = {
    file: f.file,
    startLine,
    endLine,
    dimension: f.dimension,
    severity: f.severity,
    title: f.title,
    explanation: f.explanation,
    suggestedFix: f.suggestedFix,
    agreement: disputed ? ('disputed' as const) : agreement,
    raisedBy: [model],
  };
  const factor = disputed ? policy.disputedFactor : policy.singleModelFactor;
  return scored(base, f.confidence * factor, policy);
}

/**
 * Both models saw it: the more severe reading wins (under-rating a real issue costs more than
 * over-rating it), the fuller explanation is kept, the lines cover what either model pointed
 * at, and the primary's title and fix lead because the primary is the reviewer of record.
 */
function agreed(
  p: ModelFinding,
  v: ModelFinding,
  models: [string, string],
  policy: ConsensusPolicy,
): Omit<Finding, 'id'> {
  const [ps, pe] = range(p);
  const [vs, ve] = range(v);
  const severity = SEVERITY_RANK[v.severity] > SEVERITY_RANK[p.severity] ? v.severity : p.severity;
  const base = {
    file: p.file,
    startLine: Math.min(ps, vs),
    endLine: Math.max(pe, ve),
    dimension: p.dimension,
    severity,
    title: p.title,
    explanation: v.explanation.length > p.explanation.length ? v.explanation : p.explanation,
    suggestedFix: p.suggestedFix ?? v.suggestedFix,
    agreement: 'both' as const,
    raisedBy: [...new Set(models)].sort(),
  };
  const c = ((p.confidence + v.confidence) / 2) * policy.bothFactor;
  return scored(base, requiresBothModels(severity) ? Math.max(c, policy.highBucket) : c, policy);
}

/** The vote itself, with provenance back to the inputs; `runConsensus` is the usual entry. */
export function voteFindings(input: ConsensusInput, policy: ConsensusPolicy): Vote[] {
  const { primary, verifier } = input;
  const match = matchFindings(primary.findings, verifier.findings, policy);
  const votes: Vote[] = [];
  for (const { a, b } of match.pairs) {
    const p = primary.findings[a] as ModelFinding;
    const v = verifier.findings[b] as ModelFinding;
    votes.push({
      finding: agreed(p, v, [primary.model, verifier.model], policy),
      primary: a,
      verifier: b,
    });
  }
  for (const a of match.unmatchedA) {
    const f = primary.findings[a] as ModelFinding;
    votes.push({ finding: single(f, primary.model, 'primary_only', policy), primary: a });
  }
  for (const b of match.unmatchedB) {
    const f = verifier.findings[b] as ModelFinding;
    votes.push({ finding: single(f, verifier.model, 'verifier_only', policy), verifier: b });
  }
  return votes;
}

export function normaliseTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function hashId(key: string): string {
  return 'f-' + bytesToHex(sha256(utf8ToBytes(key))).slice(0, 12);
}

/** The canonical order of findings: file, lines, most severe first, dimension, id. */
export function compareFindings(x: Finding, y: Finding): number {
  return (
    cmp(x.file, y.file) ||
    cmp(x.startLine, y.startLine) ||
    cmp(x.endLine, y.endLine) ||
    cmp(SEVERITY_RANK[y.severity], SEVERITY_RANK[x.severity]) ||
    cmp(x.dimension, y.dimension) ||
    cmp(x.id, y.id)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** Every field, in a fixed key order: the tie-break for findings that share an id key. */
function contentKey(f: Omit<Finding, 'id'>): string {
  return JSON.stringify([
    f.file,
    f.startLine,
    f.endLine,
    f.dimension,
    f.severity,
    f.title,
    f.explanation,
    f.suggestedFix ?? null,
    f.confidence,
    f.bucket,
    f.agreement,
    f.raisedBy,
    f.status,
  ]);
}

/**
 * Ids are `f-` + 12 hex of SHA-256 over file|startLine|endLine|dimension|normalised title, so
 * a finding keeps its id across re-runs. Findings sharing that key are taken in content order
 * and the 2nd, 3rd… get `|#2`, `|#3`… appended to the key, skipping any id already in use.
 */
export function assignIds(findings: readonly Omit<Finding, 'id'>[]): Finding[] {
  const keyed = findings.map((f) => ({
    f,
    key: [f.file, f.startLine, f.endLine, f.dimension, normaliseTitle(f.title)].join('|'),
    content: contentKey(f),
  }));
  keyed.sort((x, y) => cmp(x.key, y.key) || cmp(x.content, y.content));
  // every key's plain id is reserved, so a suffixed id never takes another finding's plain one
  const reserved = new Set(keyed.map((k) => hashId(k.key)));
  const used = new Set<string>();
  const out: Finding[] = [];
  for (const { f, key } of keyed) {
    let id = hashId(key);
    for (let n = 2; used.has(id); n += 1) {
      id = hashId(`${key}|#${n}`);
      if (reserved.has(id)) id = hashId(key);
    }
    used.add(id);
    out.push({ id, ...f });
  }
  return out;
}

/** Runs the protocol. Same findings in any order give byte-identical `JSON.stringify` output. */
export function runConsensus(
  input: ConsensusInput,
  policy: Partial<ConsensusPolicy> = {},
): ConsensusResult {
  const p = ConsensusPolicy.parse({ ...DEFAULT_CONSENSUS_POLICY, ...policy });
  const findings = sortFindings(assignIds(voteFindings(input, p).map((v) => v.finding)));
  return {
    findings,
    needsHuman: findings.filter((f) => needsDecision(f)).map((f) => f.id),
  };
}

/** A disputed critical finding no human has ruled on yet. */
export function needsDecision(f: Pick<Finding, 'agreement' | 'status'>): boolean {
  return f.agreement === 'disputed' && f.status === 'open';
}

export type Decision = 'confirm' | 'dismiss';

export type DecisionErrorCode = 'finding_not_found' | 'not_disputed' | 'already_decided';

export class DecisionError extends Error {
  constructor(
    readonly code: DecisionErrorCode,
    readonly findingId: string,
  ) {
    super(`${code}: ${findingId}`);
    this.name = 'DecisionError';
  }
}

/** Why a decision on this finding would be refused, or undefined when it is acceptable. */
export function checkDecision(
  findings: readonly Finding[],
  findingId: string,
): DecisionErrorCode | undefined {
  const f = findings.find((x) => x.id === findingId);
  if (!f) return 'finding_not_found';
  if (f.agreement !== 'disputed') return 'not_disputed';
  if (f.status !== 'open') return 'already_decided';
  return undefined;
}

/**
 * A human's ruling on a disputed finding. Throws `DecisionError` for an unknown, undisputed or
 * already decided finding (what the workflow's update validator rejects). The confidence stays
 * the models' score; the status carries the human's word.
 */
export function applyDecision(
  findings: readonly Finding[],
  findingId: string,
  decision: Decision,
): Finding[] {
  const code = checkDecision(findings, findingId);
  if (code) throw new DecisionError(code, findingId);
  const status: FindingStatus = decision === 'confirm' ? 'confirmed' : 'dismissed';
  return findings.map((f) => (f.id === findingId ? { ...f, status } : f));
}

/** The manual-review wait timed out: undecided disputed findings are reported as unconfirmed. */
export function expireDisputed(findings: readonly Finding[]): Finding[] {
  return findings.map((f) => (needsDecision(f) ? { ...f, status: 'unconfirmed' as const } : f));
}
