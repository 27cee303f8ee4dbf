import { ModelFinding } from '../../../domain/review';
import { DIMENSIONS, SEVERITIES } from '../../../domain/review';
import { ProviderErrorType } from '../../../activities/providers/errors';
import {
  acceptWithRepair,
  MODEL_OUTPUT_JSON_SCHEMA,
  validateModelOutput,
} from '../../../activities/providers/output';
import type { ModelAnswer } from '../../../activities/providers/output';
import { failureOf } from './contract';
import { chunk, goodOutput, goodWireOutput } from './fixtures';

interface FindingSchema {
  required: string[];
  properties: Record<string, { enum?: string[] }>;
}
const findingSchema = (
  MODEL_OUTPUT_JSON_SCHEMA as { properties: { findings: { items: FindingSchema } } }
).properties.findings.items;

const answer = (raw: unknown): ModelAnswer => ({
  raw,
  model: 'm',
  inputTokens: 10,
  outputTokens: 5,
});

describe('the output JSON schema', () => {
  it('requires exactly the fields of ModelFinding, as strict modes demand', () => {
    expect([...findingSchema.required].sort()).toEqual(Object.keys(ModelFinding.shape).sort());
    expect(Object.keys(findingSchema.properties).sort()).toEqual(
      Object.keys(ModelFinding.shape).sort(),
    );
  });

  it('offers the dimensions and severities of the domain', () => {
    expect(findingSchema.properties.dimension?.enum).toEqual([...DIMENSIONS]);
    expect(findingSchema.properties.severity?.enum).toEqual([...SEVERITIES]);
  });
});

describe('validateModelOutput', () => {
  it('accepts JSON text and objects, reading nulls as absent optional fields', () => {
    expect(validateModelOutput(JSON.stringify(goodWireOutput))).toEqual({
      ok: true,
      output: goodOutput,
    });
    expect(validateModelOutput(goodWireOutput)).toEqual({ ok: true, output: goodOutput });
  });

  it('explains what is wrong: bad JSON, no output, or the failing field', () => {
    expect(validateModelOutput('{"findings": [')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not valid JSON/),
    });
    expect(validateModelOutput(undefined)).toMatchObject({
      ok: false,
      error: 'no structured output',
    });
    const bad = { ...goodOutput, findings: [{ ...goodOutput.findings[0], confidence: 3 }] };
    expect(validateModelOutput(bad)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/confidence/),
    });
  });
});

describe('acceptWithRepair', () => {
  it('does not call repair when the first answer is valid', async () => {
    const repair = jest.fn();
    const result = await acceptWithRepair('openai', chunk, answer(goodWireOutput), repair);
    expect(repair).not.toHaveBeenCalled();
    expect(result).toMatchObject({ output: goodOutput, repaired: false, inputTokens: 10 });
  });

  it('hands the validation error to the repair call', async () => {
    const errors: string[] = [];
    await acceptWithRepair('openai', chunk, answer('nope'), async (_prev, error) => {
      errors.push(error);
      return answer(goodWireOutput);
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/not valid JSON/);
  });

  it('fails non-retryably with SchemaInvalid when the repair is invalid too', async () => {
    const failure = await failureOf(
      acceptWithRepair('anthropic', chunk, answer('nope'), async () => answer({ findings: [] })),
    );
    expect(failure.type).toBe(ProviderErrorType.SchemaInvalid);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^anthropic: .*summary/s);
  });
});
