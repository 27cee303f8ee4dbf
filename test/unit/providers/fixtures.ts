import type { Config } from '../../../domain/config';
import type { DiffLine, ModelFinding, ModelOutput, ReviewChunk } from '../../../domain/review';

/** Lines as `[kind, newLine | undefined, text]`, old-side numbers filled in order. */
function lines(
  oldStart: number,
  spec: [DiffLine['kind'], number | undefined, string][],
): DiffLine[] {
  let old = oldStart;
  return spec.map(([kind, newLine, text]) => {
    const line: DiffLine = { kind, text };
    if (newLine !== undefined) line.newLine = newLine;
    if (kind !== 'add') line.oldLine = old++;
    return line;
  });
}

/**
 * src/db.ts: hunk 1 shows new lines 10..13 (added 11, 12), hunk 2 shows 42..45 (added 44);
 * src/config.ts is new (lines 1..3 added); old.ts is deleted (no new-side lines at all).
 */
export const chunk: ReviewChunk = {
  index: 0,
  tokenEstimate: 180,
  files: [
    {
      path: 'src/db.ts',
      status: 'modified',
      language: 'typescript',
      binary: false,
      hunks: [
        {
          header: '@@ -10,3 +10,4 @@ export async function findUser',
          oldStart: 10,
          oldLines: 3,
          newStart: 10,
          newLines: 4,
          lines: lines(10, [
            ['context', 10, 'export async function findUser(db: Db, name: string) {'],
            ['del', undefined, "  return db.query('SELECT * FROM users WHERE name = $1', [name]);"],
            ['add', 11, '  const sql = "SELECT * FROM users WHERE name = \'" + name + "\'";'],
            ['add', 12, '  return db.query(sql);'],
            ['context', 13, '}'],
          ]),
        },
        {
          header: '@@ -40,3 +42,4 @@',
          oldStart: 40,
          oldLines: 3,
          newStart: 42,
          newLines: 4,
          lines: lines(40, [
            ['context', 42, 'export function close(db: Db) {'],
            ['context', 43, '  db.release();'],
            ['add', 44, '  db.end();'],
            ['context', 45, '}'],
          ]),
        },
      ],
    },
    {
      path: 'src/config.ts',
      status: 'added',
      language: 'typescript',
      binary: false,
      hunks: [
        {
          header: '@@ -0,0 +1,3 @@',
          oldStart: 0,
          oldLines: 0,
          newStart: 1,
          newLines: 3,
          lines: lines(0, [
            ['add', 1, 'export const config = {'],
            ['add', 2, "  apiKey: '[REDACTED:generic_token]',"],
            ['add', 3, '};'],
          ]),
        },
      ],
    },
    {
      path: 'old.ts',
      status: 'deleted',
      language: 'typescript',
      binary: false,
      hunks: [
        {
          header: '@@ -1,1 +0,0 @@',
          oldStart: 1,
          oldLines: 1,
          newStart: 0,
          newLines: 0,
          lines: lines(1, [['del', undefined, 'export {};']]),
        },
      ],
    },
  ],
};

export function finding(overrides: Partial<ModelFinding> = {}): ModelFinding {
  return {
    file: 'src/db.ts',
    startLine: 11,
    endLine: 12,
    dimension: 'security',
    severity: 'critical',
    title: 'SQL built by string concatenation',
    explanation: 'name is user input and reaches the query unescaped: SQL injection.',
    confidence: 0.93,
    ...overrides,
  };
}

export const goodOutput: ModelOutput = {
  findings: [
    finding(),
    finding({
      file: 'src/config.ts',
      startLine: 2,
      endLine: 2,
      severity: 'high',
      title: 'Hard-coded API key',
      dimension: 'security',
    }),
  ],
  summary: 'One injection and one hard-coded credential.',
};

/** What a strict-schema model sends: every optional field present, as null when absent. */
export const goodWireOutput = {
  ...goodOutput,
  findings: goodOutput.findings.map((f) => ({ suggestedFix: null, ruleId: null, ...f })),
};

export function modelsConfig(
  baseUrls: { openai?: string; anthropic?: string },
  overrides: Partial<Config['models']> = {},
): Config['models'] {
  return {
    anthropic: { apiKey: 'sk-ant-test', baseUrl: baseUrls.anthropic, model: 'claude-test' },
    openai: { apiKey: 'sk-openai-test', baseUrl: baseUrls.openai, model: 'gpt-test' },
    timeoutMs: 5_000,
    temperature: 0,
    primaryChain: ['anthropic', 'openai', 'local'],
    verifierChain: ['openai', 'anthropic', 'local'],
    chunkTokenBudget: 6000,
    manualReviewTimeoutMs: 72 * 3_600_000,
    ...overrides,
  };
}
