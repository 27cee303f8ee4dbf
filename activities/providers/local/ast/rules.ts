import type { RuleMeta } from '../finding';

/** Findings only the structural engine makes (or makes differently from the rules engine). */
export const AST_RULES = {
  unreachable: {
    id: 'unreachable-code',
    dimension: 'correctness',
    severity: 'medium',
    title: 'Unreachable code after return/throw',
    explanation:
      'These statements follow an unconditional return, throw, break or continue in the same block and never run.',
    suggestedFix: 'Remove the dead code or move it before the jump if it was meant to run.',
  },
  complex: {
    id: 'high-complexity',
    dimension: 'maintainability',
    severity: 'medium',
    title: 'Function is too complex',
    explanation:
      'The function has more than 10 independent paths; each needs a test and a reader has to hold them all in mind.',
    suggestedFix:
      'Extract the branches into well-named helpers or replace condition chains with a lookup.',
  },
  noAssertions: {
    id: 'test-without-assertions',
    dimension: 'testing',
    severity: 'medium',
    title: 'Test without assertions',
    explanation: 'The test runs code but checks nothing, so it passes whatever the code does.',
    suggestedFix:
      'Assert on the observable outcome: the return value, the stored state or the error raised.',
  },
  undocumented: {
    id: 'undocumented-public-api',
    dimension: 'documentation',
    severity: 'low',
    title: 'Public function without a doc comment',
    explanation:
      'Exported API without a doc comment (JSDoc, docstring, Go doc comment, Javadoc) leaves callers guessing its contract.',
    suggestedFix: 'Document what it does, its parameters, and what it returns or raises.',
  },
  queryInLoop: {
    id: 'query-in-loop',
    dimension: 'performance',
    severity: 'medium',
    title: 'Database query inside a loop (N+1)',
    explanation:
      'The query runs once per iteration: N round trips where one would do, growing with the data.',
    suggestedFix: 'Load the rows in one query before the loop (IN list, join, batch loader).',
  },
  unusedVariable: {
    id: 'unused-variable',
    dimension: 'maintainability',
    severity: 'low',
    title: 'Variable assigned but never used',
    explanation:
      'The value is computed and then ignored: dead code, or a sign that the wrong variable is used below.',
    suggestedFix: 'Remove it, or use it where it was intended.',
  },
  missingAwait: {
    id: 'missing-await',
    dimension: 'correctness',
    severity: 'medium',
    title: 'Async call not awaited',
    explanation:
      'The promise/coroutine is created and dropped: its errors are lost and the code after it runs before it finishes.',
    suggestedFix: 'await it, return it, or collect it (Promise.all / asyncio.gather) deliberately.',
  },
  mutableDefault: {
    id: 'mutable-default-argument',
    dimension: 'correctness',
    severity: 'medium',
    title: 'Mutable default argument',
    explanation:
      'Python evaluates defaults once: the same list/dict/set is shared by every call and keeps earlier calls\u2019 changes.',
    suggestedFix: 'Default to None and create the container inside the function.',
  },
  deferInLoop: {
    id: 'defer-in-loop',
    // Reviewers file it as a bug: files stay open and locks held until the function returns.
    dimension: 'correctness',
    severity: 'medium',
    title: 'defer inside a loop',
    explanation:
      'Deferred calls run only when the function returns, not at the end of the iteration: every file, lock or connection opened in the loop stays held until then, and may run out.',
    suggestedFix:
      'Move the loop body into a function, or close the resource explicitly at the end of each iteration.',
  },
  stringIdentity: {
    id: 'string-reference-equality',
    dimension: 'correctness',
    severity: 'medium',
    title: 'Equality check that does not compare what it seems to',
    explanation:
      'Java `==` on strings compares references, not contents; equal strings from different sources compare unequal.',
    suggestedFix: 'Use `.equals(...)` (or Objects.equals for nullable values).',
  },
} satisfies Record<string, RuleMeta>;
