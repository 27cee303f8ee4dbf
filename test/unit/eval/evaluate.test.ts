import { parseConfig } from '../../../domain/config';
import { modelConfigVersion, type ModelConfig } from '../../../domain/modelConfig';
import { caseSet, loadCases } from '../../../eval/review/cases';
import { evaluateVersion, type EvalReport } from '../../../eval/review/evaluate';
import { formatReport } from '../../../eval/review/report';
import type { EvalCase } from '../../../eval/review/types';
import { openaiReply, startFakeOpenAI, type FakeVendor } from '../../fakes';

const LOCAL: ModelConfig = {
  primaryChain: ['local'],
  verifierChain: ['local'],
  anthropicModel: 'claude-sonnet-5-5',
  openaiModel: 'gpt-5.4',
  temperature: 0,
  promptVersion: 'review-v1',
  localEngineVersion: 'local-v1',
};

const PICKED = [
  'ts-sql-injection-user-by-email-bad',
  'ts-sql-injection-user-by-email-ok',
  'py-swallowed-error-charge-card-bad',
  'go-layer-violation-ledger-sql-bad',
  'java-n-plus-one-invoice-items-ok',
  'ts-missing-tests-proration-bad',
];

/** The report without what the clock decides. */
const stable = (r: EvalReport): unknown => ({
  ...r,
  timings: undefined,
  cases: r.cases.map((c) => ({ ...c, durationMs: undefined })),
});

describe('evaluating a version', () => {
  let cases: EvalCase[];
  beforeAll(async () => {
    const all = await loadCases();
    cases = PICKED.map((id) => all.find((c) => c.id === id) as EvalCase);
  });

  it('gives the same report for the same cases and model config with the local provider', async () => {
    const set = caseSet('picked', cases);
    const a = await evaluateVersion({ modelConfig: LOCAL, cases: set, concurrency: 3 });
    const b = await evaluateVersion({ modelConfig: LOCAL, cases: set, concurrency: 1 });
    expect(stable(a)).toEqual(stable(b));
    expect(a.version).toBe(modelConfigVersion(LOCAL));
    expect(a.caseSet).toMatchObject({
      id: 'picked',
      hash: set.hash,
      total: 6,
      synthetic: 0,
      critical: 3,
    });
    expect(a.cases.map((c) => c.id)).toEqual(PICKED);
  });

  it('accounts for every expected finding as found or missed, and reports both engines', async () => {
    const r = await evaluateVersion({ modelConfig: LOCAL, cases, determinismSample: 2 });
    for (const [i, c] of r.cases.entries()) {
      expect(c.tp + c.fn).toBe(cases[i]?.expected.length);
      expect(c.models).toEqual({ primary: 'local:local/rules-v1', verifier: 'local:local/ast-v1' });
      expect(c.error).toBeUndefined();
    }
    expect(r.overall.tp + r.overall.fn).toBe(cases.reduce((n, c) => n + c.expected.length, 0));
    expect(r.determinism).toEqual({ checkedCases: 2, identical: true, differing: [] });
    expect(formatReport(r)).toMatch(/^security .* (pass|FAIL)$/m);
  });

  it('finds the SQL injection both engines know and stays quiet on its parameterised fix', async () => {
    const r = await evaluateVersion({ modelConfig: LOCAL, cases: cases.slice(0, 2) });
    expect(r.cases[0]).toMatchObject({ tp: 1, fn: 0, right: true });
    expect(r.cases[1]).toMatchObject({ fp: 0, nonFindingsHit: 0, right: true });
  });

  it('counts a case whose providers all fail as missed, with the reason', async () => {
    const vendorOnly: ModelConfig = {
      ...LOCAL,
      primaryChain: ['openai'],
      verifierChain: ['anthropic'],
    };
    const r = await evaluateVersion({ modelConfig: vendorOnly, cases: cases.slice(0, 1) });
    expect(r.cases[0]?.error).toMatch(/primary openai: no key/);
    expect(r.cases[0]).toMatchObject({ tp: 0, fn: 1, right: false });
    expect(r.passed).toBe(false);
  });

  describe('with a vendor key', () => {
    let vendor: FakeVendor;
    beforeAll(async () => {
      vendor = await startFakeOpenAI();
    });
    afterAll(async () => {
      await vendor.close();
    });

    const models = () =>
      parseConfig({ OPENAI_API_KEY: 'sk-test-eval', OPENAI_BASE_URL: vendor.baseUrl }).models;
    const sqlFinding = {
      file: 'src/users/userRepository.ts',
      startLine: 42,
      endLine: 42,
      dimension: 'security',
      severity: 'critical',
      title: 'SQL injection through the e-mail parameter',
      explanation: 'The e-mail is interpolated into the query text.',
      suggestedFix: null,
      confidence: 0.9,
      ruleId: null,
    };

    it('asks the vendor for its role and scores what it answers', async () => {
      vendor.setScript([openaiReply.review({ findings: [sqlFinding], summary: 'one issue' })]);
      const mc: ModelConfig = {
        ...LOCAL,
        primaryChain: ['openai', 'local'],
        openaiModel: 'gpt-eval',
      };
      const r = await evaluateVersion({
        modelConfig: mc,
        cases: cases.slice(0, 1),
        models: models(),
      });
      expect(vendor.requests).toHaveLength(1);
      expect((vendor.requests[0]?.body as { model: string }).model).toBe('gpt-eval');
      expect(r.cases[0]?.models.primary).toBe('openai:gpt-eval');
      expect(r.cases[0]).toMatchObject({ tp: 1, fn: 0 });
    });

    it('falls over to the next provider in the chain when the vendor fails', async () => {
      vendor.setScript([openaiReply.error(500)]);
      const mc: ModelConfig = { ...LOCAL, primaryChain: ['openai', 'local'] };
      const r = await evaluateVersion({
        modelConfig: mc,
        cases: cases.slice(0, 1),
        models: models(),
      });
      expect(r.cases[0]?.models.primary).toBe('local:local/rules-v1');
      expect(r.cases[0]?.failovers).toEqual([expect.stringMatching(/^primary openai: /)]);
      expect(r.cases[0]?.error).toBeUndefined();
    });
  });
});
