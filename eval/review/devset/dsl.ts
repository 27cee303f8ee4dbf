import { DIMENSION_TARGETS } from '../../../domain/dimensions';
import type { Dimension, Severity } from '../../../domain/review';
import type { EvalCase, EvalLanguage, ExpectedFinding, NonFinding } from '../types';

/**
 * Cases are written as hunks in a small diff dialect, so one text gives both the vulnerable
 * change and its clean counterpart, and the labels fall out of the markers:
 *
 *   ' ' context        '-' removed (both variants)        '+' added (both variants)
 *   '!' added in the vulnerable variant only: the expected finding (a run of them is one finding)
 *   '*' added in both: the expected finding when vulnerable, a non-finding when clean
 *   '?' added in the clean variant only: a non-finding (the fix)
 *   '~' added in the clean variant only, unlabelled (e.g. the test that makes it clean)
 *   '=' added in both: a non-finding in both (look-alike code that is fine)
 *   '^' added in the vulnerable variant only, unlabelled (the rest of a change whose issue is
 *       labelled once, where it is introduced)
 *
 * An empty line is a blank context line. `start` is the old-side line the hunk starts at.
 */

export interface HunkSpec {
  path: string;
  start: number;
  body: string;
  newFile?: boolean;
  /** text after the second @@, as git prints the enclosing function */
  section?: string;
}

export interface Template {
  /** unique within kind × language, lower-case words joined by '-' */
  name: string;
  kind: string;
  dimension: Dimension;
  severity: Severity;
  language: EvalLanguage;
  title: string;
  note: string;
  hunks: HunkSpec[];
  only?: 'vulnerable' | 'clean';
}

type Variant = EvalCase['variant'];
type Marker = ' ' | '-' | '+' | '!' | '*' | '?' | '~' | '=' | '^';

const LANG_SHORT: Record<EvalLanguage, string> = {
  typescript: 'ts',
  javascript: 'js',
  python: 'py',
  go: 'go',
  java: 'java',
};

function included(m: Marker, v: Variant): boolean {
  if (m === '!' || m === '^') return v === 'vulnerable';
  if (m === '?' || m === '~') return v === 'clean';
  return true;
}

function role(m: Marker, v: Variant): 'finding' | 'non' | undefined {
  if (m === '!' || (m === '*' && v === 'vulnerable')) return 'finding';
  if (m === '?' || m === '=' || (m === '*' && v === 'clean')) return 'non';
  return undefined;
}

function parseBody(body: string): { m: Marker; text: string }[] {
  const lines = body
    .replace(/^\n/, '')
    .replace(/\n\s*$/, '')
    .split('\n');
  return lines.map((l) => {
    if (l === '') return { m: ' ', text: '' };
    const m = l[0] as Marker;
    if (!' -+!*?~=^'.includes(m)) throw new Error(`bad marker ${JSON.stringify(l)}`);
    return { m, text: l.slice(1) };
  });
}

function fakeBlob(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 7);
}

interface Built {
  diff: string;
  expected: ExpectedFinding[];
  nonFindings: NonFinding[];
}

function build(t: Template, v: Variant): Built {
  const expected: ExpectedFinding[] = [];
  const nonFindings: NonFinding[] = [];
  const out: string[] = [];
  const delta = new Map<string, number>();
  const headerDone = new Set<string>();
  for (const h of t.hunks) {
    const lines = parseBody(h.body).filter((l) => included(l.m, v));
    if (!lines.some((l) => l.m !== ' ')) continue;
    const oldCount = lines.filter((l) => l.m === ' ' || l.m === '-').length;
    const newCount = lines.filter((l) => l.m !== '-').length;
    const oldStart = h.newFile ? 0 : h.start;
    const newStart = h.newFile ? 1 : h.start + (delta.get(h.path) ?? 0);
    delta.set(h.path, (delta.get(h.path) ?? 0) + newCount - oldCount);
    if (!headerDone.has(h.path)) {
      headerDone.add(h.path);
      out.push(`diff --git a/${h.path} b/${h.path}`);
      if (h.newFile) out.push('new file mode 100644');
      const blob = fakeBlob(`${t.name}/${h.path}/${v}`);
      out.push(
        `index ${h.newFile ? '0000000' : fakeBlob(h.path)}..${blob}${h.newFile ? '' : ' 100644'}`,
      );
      out.push(h.newFile ? '--- /dev/null' : `--- a/${h.path}`, `+++ b/${h.path}`);
    }
    const section = h.section ? ` ${h.section}` : '';
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@${section}`);
    let n = newStart;
    let run: { kind: 'finding' | 'non'; start: number; end: number } | undefined;
    const flush = (): void => {
      if (!run) return;
      const at = { file: h.path, startLine: run.start, endLine: run.end };
      if (run.kind === 'finding') {
        expected.push({ ...at, dimension: t.dimension, severity: t.severity, note: t.note });
      } else nonFindings.push(at);
      run = undefined;
    };
    for (const l of lines) {
      if (l.m === '-') {
        out.push(`-${l.text}`);
        continue;
      }
      out.push(`${l.m === ' ' ? ' ' : '+'}${l.text}`);
      const r = role(l.m, v);
      if (r && run?.kind === r) run.end = n;
      else {
        flush();
        if (r) run = { kind: r, start: n, end: n };
      }
      n += 1;
    }
    flush();
  }
  return { diff: `${out.join('\n')}\n`, expected, nonFindings };
}

export function caseId(t: Template, v: Variant): string {
  return `${LANG_SHORT[t.language]}-${t.kind}-${t.name}-${v === 'vulnerable' ? 'bad' : 'ok'}`;
}

/** The one or two cases a template describes. */
export function casesOf(t: Template): EvalCase[] {
  const variants: Variant[] = t.only ? [t.only] : ['vulnerable', 'clean'];
  return variants.map((v) => {
    const b = build(t, v);
    if (!b.diff.includes('@@')) throw new Error(`${caseId(t, v)}: the variant changes nothing`);
    if (v === 'vulnerable' && b.expected.length === 0) {
      throw new Error(`${caseId(t, v)}: a vulnerable case needs an expected finding`);
    }
    return {
      id: caseId(t, v),
      title: `${t.title}${v === 'clean' ? ' (clean)' : ''}`,
      language: t.language,
      kind: t.kind,
      variant: v,
      dimension: t.dimension,
      critical: DIMENSION_TARGETS[t.dimension].critical,
      expected: b.expected,
      nonFindings: b.nonFindings,
      synthetic: false,
      diff: b.diff,
    };
  });
}
