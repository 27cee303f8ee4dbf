import type { ModelFinding } from '../../../domain/review';
import { ModelOutput, SEVERITY_RANK } from '../../../domain/review';
import {
  LOCAL_MODELS,
  analyzeChunk,
  prepareLocalAnalyzer,
} from '../../../activities/providers/local';
import { VULNERABLE } from '../../fixtures/local/vulnerable';
import { chunk } from './chunk';

const ENGINES = ['rules', 'ast'] as const;

beforeAll(() => prepareLocalAnalyzer());

function at(findings: ModelFinding[], rule: string, line: number): ModelFinding | undefined {
  return findings.find(
    (f) => f.ruleId?.endsWith(`/${rule}`) && f.startLine <= line && f.endLine >= line,
  );
}

describe.each(Object.entries(VULNERABLE))(
  'a %s change with an SQL injection and a hard-coded key',
  (_, c) => {
    it.each(ENGINES)(
      'is reported by the %s engine as high-severity security findings on the right lines',
      (engine) => {
        const out = ModelOutput.parse(analyzeChunk(engine, chunk(c.file)));
        for (const [rule, line] of [
          ['sql-injection', c.sqlLine],
          ['hardcoded-secret', c.secretLine],
        ] as const) {
          const f = at(out.findings, rule, line);
          expect(f).toMatchObject({ file: c.file.path, dimension: 'security', startLine: line });
          expect(SEVERITY_RANK[(f as ModelFinding).severity]).toBeGreaterThanOrEqual(
            SEVERITY_RANK.high,
          );
          expect((f as ModelFinding).confidence).toBeGreaterThanOrEqual(0.8);
        }
        expect(out.findings.find((f) => f.ruleId?.endsWith('sql-injection'))?.severity).toBe(
          'critical',
        );
      },
    );

    it('is agreed by both engines on SQL injection, secret, command injection and the swallowed error', () => {
      const [rules, ast] = ENGINES.map((e) => analyzeChunk(e, chunk(c.file)).findings);
      for (const [rule, line] of [
        ['sql-injection', c.sqlLine],
        ['hardcoded-secret', c.secretLine],
        ['command-injection', c.commandLine],
        ['swallowed-error', c.swallowLine],
      ] as const) {
        const a = at(rules as ModelFinding[], rule, line);
        const b = at(ast as ModelFinding[], rule, line);
        expect([rule, a?.title]).toEqual([rule, b?.title]);
        expect(a).toMatchObject({
          dimension: b?.dimension,
          severity: b?.severity,
          startLine: b?.startLine,
        });
      }
    });

    it('keeps reporting despite an "ignore previous instructions" comment in the code', () => {
      const withoutComment = {
        ...c.file,
        hunks: c.file.hunks.map((h) => ({
          ...h,
          lines: h.lines.map((l) => (/ignore previous/.test(l.text) ? { ...l, text: '' } : l)),
        })),
      };
      for (const engine of ENGINES) {
        const security = (f: { findings: ModelFinding[] }): string[] =>
          f.findings
            .filter((x) => x.dimension === 'security')
            .map((x) => `${x.ruleId}@${x.startLine}`);
        expect(security(analyzeChunk(engine, chunk(c.file)))).toEqual(
          security(analyzeChunk(engine, chunk(withoutComment))),
        );
        expect(security(analyzeChunk(engine, chunk(c.file))).length).toBeGreaterThanOrEqual(3);
      }
    });
  },
);

describe('determinism', () => {
  const all = chunk(...Object.values(VULNERABLE).map((c) => c.file));

  it.each(ENGINES)('gives deep-equal output for the same chunk with the %s engine', (engine) => {
    const first = analyzeChunk(engine, all);
    for (let i = 0; i < 5; i++) expect(analyzeChunk(engine, structuredClone(all))).toEqual(first);
  });

  it('does not depend on the order of files in the chunk', () => {
    const reversed = { ...all, files: [...all.files].reverse() };
    for (const engine of ENGINES)
      expect(analyzeChunk(engine, reversed)).toEqual(analyzeChunk(engine, all));
  });

  it('orders findings canonically by file and line and names its model', () => {
    const out = analyzeChunk('ast', all);
    const keys = out.findings.map((f) => [f.file, f.startLine] as const);
    const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
    expect(keys).toEqual(sorted);
    expect(out.summary).toContain(LOCAL_MODELS.ast);
    expect(LOCAL_MODELS).toEqual({ rules: 'local/rules-v1', ast: 'local/ast-v1' });
  });
});
