import type { RuleMeta } from '../finding';
import type { LineRule } from './context';
import { hit } from './context';

const DISABLED_TEST: RuleMeta = {
  id: 'disabled-or-focused-test',
  dimension: 'testing',
  severity: 'medium',
  title: 'Test disabled or focused',
  explanation:
    'A skipped test stops guarding its behaviour, and a focused one (`.only`, `fit`) silently skips every other test in the run; both tend to be merged by accident.',
  suggestedFix:
    'Fix the test or the code instead of skipping it; remove `.only`. If it must be skipped, link the issue that tracks it.',
};

const SKIP_OR_FOCUS: Record<string, RegExp> = {
  ts: /\b(it|test|describe|context|suite)\.(only|skip)\s*\(|\b(xit|xtest|xdescribe|fit|fdescribe)\s*\(/,
  py: /^\s*@(pytest\.mark\.(skip|skipif)|unittest\.skip\w*)\b|\bpytest\.skip\s*\(|\bself\.skipTest\s*\(/,
  go: /\bt\.(Skip|Skipf|SkipNow)\s*\(/,
  java: /^\s*@(Disabled|Ignore)\b/,
};

const disabledTest: LineRule = (ctx) => {
  const re = SKIP_OR_FOCUS[ctx.file.family];
  return ctx.file.isTest && re?.test(ctx.code) ? [hit(ctx, DISABLED_TEST, 0.85)] : [];
};

const SLEEP_IN_TEST: RuleMeta = {
  id: 'sleep-in-test',
  dimension: 'testing',
  severity: 'low',
  title: 'Fixed sleep in a test',
  explanation:
    'Waiting a fixed time makes the test slow when the work is quick and flaky when the machine is slow.',
  suggestedFix:
    'Wait for the condition itself (poll with a deadline, await the event) or control the clock with a fake.',
};

const SLEEP: Record<string, RegExp> = {
  ts: /\bsetTimeout\s*\(\s*\w+\s*,\s*\d|\b(sleep|delay|wait)\s*\(\s*\d{2,}/,
  py: /\b(time\.)?sleep\s*\(\s*[\d.]/,
  go: /\btime\.Sleep\s*\(/,
  java: /\b(Thread\.sleep|TimeUnit\.\w+\.sleep)\s*\(/,
};

const sleepInTest: LineRule = (ctx) => {
  const re = SLEEP[ctx.file.family];
  return ctx.file.isTest && re?.test(ctx.code) ? [hit(ctx, SLEEP_IN_TEST, 0.75)] : [];
};

/** Rules for test files: tests that no longer test, or test by waiting. */
export const TEST_RULES: LineRule[] = [disabledTest, sleepInTest];
