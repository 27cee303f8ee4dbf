import type { Hit, RuleMeta } from '../finding';
import type { FileView, SourceLine } from '../source';
import type { LineRule } from './context';
import { hit } from './context';

const MISSING_DOC: RuleMeta = {
  id: 'missing-doc-comment',
  dimension: 'documentation',
  severity: 'low',
  title: 'Public function without a doc comment',
  explanation:
    'Exported API without a doc comment leaves callers to read the implementation to learn its contract.',
  suggestedFix: 'Add a short doc comment: what it does, its inputs, what it returns or throws.',
};

const PUBLIC_DEF: Record<string, RegExp> = {
  ts: /^\s*export\s+(default\s+)?(async\s+)?(function|class)\s+\w+/,
  py: /^(async\s+)?def\s+[a-zA-Z]\w*\s*\(|^class\s+[A-Z]\w*/,
  go: /^func\s+(\([^)]*\)\s*)?[A-Z]\w*\s*\(|^type\s+[A-Z]\w*\s+(struct|interface)/,
  java: /^\s*public\s+(static\s+|final\s+|abstract\s+|synchronized\s+)*[\w<>[\], ?]+\s+\w+\s*\(/,
};

function docAbove(lines: SourceLine[], index: number): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const t = (lines[i] as SourceLine).text.trim();
    if (t.startsWith('@')) continue;
    return /\*\/$/.test(t) || t.startsWith('//') || t.startsWith('*');
  }
  return false;
}

function docstringBelow(lines: SourceLine[], index: number): boolean {
  for (let i = index; i < lines.length && i < index + 8; i++) {
    if (!/:\s*(#.*)?$/.test((lines[i] as SourceLine).text)) continue;
    const body = lines[i + 1]?.text.trim() ?? '';
    return /^[rbu]?("""|''')/i.test(body) || body === '';
  }
  return true;
}

const missingDoc: LineRule = (ctx) => {
  const def = PUBLIC_DEF[ctx.file.family];
  if (!def || ctx.file.isTest || !def.test(ctx.code)) return [];
  const documented =
    ctx.file.family === 'py'
      ? docstringBelow(ctx.hunk.lines, ctx.index)
      : docAbove(ctx.hunk.lines, ctx.index) || ctx.index === 0;
  return documented ? [] : [hit(ctx, MISSING_DOC, 0.6)];
};

const DEEP_IMPORT: RuleMeta = {
  id: 'deep-relative-import',
  dimension: 'architecture',
  severity: 'low',
  title: 'Import climbs several directories up',
  explanation:
    'A long ../../../ path couples this module to the far side of the tree and breaks when either side moves.',
  suggestedFix:
    'Import through the package entry point or a path alias, or move the shared code closer.',
};

const deepImport: LineRule = (ctx) =>
  /(from\s+|require\(\s*|import\s*\(\s*)['"](\.\.\/){3,}|^\s*from\s+\.{4,}/.test(ctx.code)
    ? [hit(ctx, DEEP_IMPORT, 0.6)]
    : [];

const LAYER_VIOLATION: RuleMeta = {
  id: 'layer-violation',
  dimension: 'architecture',
  severity: 'medium',
  title: 'Core/domain code depends on infrastructure',
  explanation:
    'A module in the domain (core, model, entities) layer imports I/O or an outer layer. The dependency points the wrong way: business rules become hard to test and tied to one transport or database.',
  suggestedFix: 'Depend on an interface defined in the domain and implement it in the outer layer.',
};

const INNER_LAYER = /(^|\/)(domain|core|model|models|entities|workflows)\//;
const OUTER_IMPORT =
  /(from|import|require\()\s*['"](node:)?(fs|http|https|net|child_process|pg|mysql2?|axios|express|redis|mongoose)['"]|(from|import|require\()\s*['"](\.\.\/)+(api|store|activities|infrastructure|controllers|routes|db)\/|^\s*(import|from)\s+(requests|psycopg2?|sqlalchemy|flask|django\.db|boto3)\b|^\s*"(net\/http|database\/sql|os\/exec)"|^\s*import\s+(java\.sql|java\.net|javax\.servlet|org\.springframework\.web)\./;

const layerViolation: LineRule = (ctx) =>
  INNER_LAYER.test(ctx.file.path) && !ctx.file.isTest && OUTER_IMPORT.test(ctx.code)
    ? [hit(ctx, LAYER_VIOLATION, 0.7)]
    : [];

export const STRUCTURE_RULES: LineRule[] = [missingDoc, deepImport, layerViolation];

const MISSING_TESTS: RuleMeta = {
  id: 'missing-tests',
  dimension: 'testing',
  severity: 'low',
  title: 'Code changes without test changes',
  explanation:
    'New or changed functions arrive with no test file in the change, so nothing shows the new behaviour works or keeps working.',
  suggestedFix:
    'Add or extend tests that exercise the changed behaviour, including its error paths.',
};

const DEFINITION =
  /^\s*(export\s+)?(async\s+)?(function\b|def\s|func\s|class\s)|^\s*(public|private|protected)\s+[\w<>[\], ]+\s+\w+\s*\(/;

/** One finding per chunk: behaviour was added (new definitions) and no test file came with it. */
export function missingTests(files: FileView[]): Hit[] {
  if (files.some((f) => f.isTest)) return [];
  for (const file of files) {
    if (file.family === 'other') continue;
    for (const hunk of file.hunks) {
      const first = hunk.lines.find((l) => l.added && DEFINITION.test(l.text));
      if (first) {
        return [
          {
            file: file.path,
            startLine: first.newLine,
            endLine: first.newLine,
            rule: MISSING_TESTS,
            confidence: 0.45,
          },
        ];
      }
    }
  }
  return [];
}
