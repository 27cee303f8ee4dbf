import type { EvalCase } from '../types';
import { ARCHITECTURE } from './architecture';
import { CORRECTNESS } from './correctness';
import { DOCUMENTATION } from './documentation';
import { casesOf, type Template } from './dsl';
import { MAINTAINABILITY } from './maintainability';
import { PERFORMANCE } from './performance';
import { SECURITY } from './security';
import { TESTING } from './testing';

export const TEMPLATES: readonly Template[] = [
  ...SECURITY,
  ...CORRECTNESS,
  ...PERFORMANCE,
  ...MAINTAINABILITY,
  ...ARCHITECTURE,
  ...TESTING,
  ...DOCUMENTATION,
];

/** The development set as the templates describe it; eval/cases/dev is this, written out. */
export function developmentCases(): EvalCase[] {
  const cases = TEMPLATES.flatMap(casesOf);
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    seen.add(c.id);
  }
  return cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
