import type { Dimension, Severity } from '../../../domain/review';
import type { EvalLanguage } from '../types';
import type { HunkSpec, Template } from './dsl';

/** Shorthand for writing many templates of one issue kind. */
export function kind(
  name: string,
  dimension: Dimension,
  severity: Severity,
  note: string,
): (
  language: EvalLanguage,
  slug: string,
  title: string,
  hunks: HunkSpec[],
  only?: Template['only'],
) => Template {
  return (language, slug, title, hunks, only) => ({
    name: slug,
    kind: name,
    dimension,
    severity,
    language,
    title,
    note,
    hunks,
    ...(only ? { only } : {}),
  });
}

export function hunk(path: string, start: number, body: string, section?: string): HunkSpec {
  return { path, start, body, ...(section ? { section } : {}) };
}

export function newFile(path: string, body: string): HunkSpec {
  return { path, start: 0, body, newFile: true };
}
