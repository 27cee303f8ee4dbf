import { z } from 'zod';
import { anchorFindings } from '../../domain/anchor';
import { DIMENSIONS, ModelOutput, SEVERITIES } from '../../domain/review';
import type { Dimension, ProviderName, ReviewChunk, Role } from '../../domain/review';
import { schemaInvalid } from './errors';

/** What every vendor provider is asked to do. */
export interface ProviderRequest {
  chunk: ReviewChunk;
  role: Role;
  title?: string;
  description?: string;
  dimensions?: Dimension[];
  /** the activity's cancellation signal, so a cancelled review stops paying for tokens */
  signal?: AbortSignal;
}

export interface ProviderResult {
  output: ModelOutput;
  /** the model the vendor says answered */
  model: string;
  /** summed over the first call and the repair call, if there was one */
  inputTokens: number;
  outputTokens: number;
  repaired: boolean;
}

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });

/**
 * `ModelOutput` as a JSON schema both vendors accept in strict mode: every property required,
 * optional ones as nullable, no additional properties and no length or range keywords (not
 * every strict mode supports them). Ranges are stated in descriptions; zod enforces them.
 */
export const MODEL_OUTPUT_JSON_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['findings', 'summary'],
  properties: {
    findings: {
      type: 'array',
      description: 'at most 500 findings; an empty array when there is nothing to report',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'file',
          'startLine',
          'endLine',
          'dimension',
          'severity',
          'title',
          'explanation',
          'suggestedFix',
          'confidence',
          'ruleId',
        ],
        properties: {
          file: { type: 'string', description: 'path exactly as shown in the diff' },
          startLine: { type: 'integer', description: 'new-side line number, >= 1' },
          endLine: { type: 'integer', description: 'new-side line number, >= startLine' },
          dimension: { type: 'string', enum: [...DIMENSIONS] },
          severity: { type: 'string', enum: [...SEVERITIES] },
          title: { type: 'string', description: 'one sentence, at most 200 characters' },
          explanation: { type: 'string', description: 'why it matters, at most 4000 characters' },
          suggestedFix: nullable({ type: 'string', description: 'replacement code' }),
          confidence: { type: 'number', description: 'probability 0..1 that the finding is real' },
          ruleId: nullable({ type: 'string', description: 'e.g. CWE-89' }),
        },
      },
    },
    summary: { type: 'string', description: 'one paragraph, at most 4000 characters' },
  },
};

/** Strict schemas make optional fields nullable; the domain type spells absence as undefined. */
function dropNulls(value: unknown): unknown {
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray((value as { findings?: unknown }).findings)
  )
    return value;
  const v = value as { findings: unknown[] };
  return {
    ...v,
    findings: v.findings.map((f) =>
      typeof f === 'object' && f !== null && !Array.isArray(f)
        ? Object.fromEntries(Object.entries(f).filter(([, x]) => x !== null))
        : f,
    ),
  };
}

export type Validation = { ok: true; output: ModelOutput } | { ok: false; error: string };

/** `raw` is the model's JSON text (OpenAI) or the already-parsed tool input (Anthropic). */
export function validateModelOutput(raw: unknown): Validation {
  if (raw === undefined || raw === null) return { ok: false, error: 'no structured output' };
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
    }
  }
  const parsed = ModelOutput.safeParse(dropNulls(value));
  if (parsed.success) return { ok: true, output: parsed.data };
  return { ok: false, error: z.prettifyError(parsed.error).slice(0, 2000) };
}

/** One answer from a vendor: the structured output as received, and what it cost. */
export interface ModelAnswer {
  raw: unknown;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Validates the answer; when it does not fit the schema, asks once more with the validation
 * error (a model usually fixes its own JSON when told what is wrong). A second miss is not
 * worth retrying on the same vendor: it fails non-retryably so failover moves on.
 */
export async function acceptWithRepair<A extends ModelAnswer>(
  provider: ProviderName,
  chunk: ReviewChunk,
  first: A,
  repair: (previous: A, error: string) => Promise<A>,
): Promise<ProviderResult> {
  const firstCheck = validateModelOutput(first.raw);
  if (firstCheck.ok) return result(firstCheck.output, chunk, [first], false);
  const second = await repair(first, firstCheck.error);
  const secondCheck = validateModelOutput(second.raw);
  if (secondCheck.ok) return result(secondCheck.output, chunk, [first, second], true);
  throw schemaInvalid(
    provider,
    `output does not match the review schema after one repair attempt: ${secondCheck.error}`,
  );
}

function result(
  output: ModelOutput,
  chunk: ReviewChunk,
  answers: ModelAnswer[],
  repaired: boolean,
): ProviderResult {
  const last = answers[answers.length - 1] as ModelAnswer;
  return {
    output: { ...output, findings: anchorFindings(output.findings, chunk) },
    model: last.model,
    inputTokens: answers.reduce((n, a) => n + a.inputTokens, 0),
    outputTokens: answers.reduce((n, a) => n + a.outputTokens, 0),
    repaired,
  };
}

export function repairInstruction(error: string): string {
  return [
    'Your previous answer does not match the required schema:',
    error,
    'Answer again with the complete, corrected review in the required format.',
  ].join('\n');
}
