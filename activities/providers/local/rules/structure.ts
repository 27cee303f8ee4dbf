import type { Hit, RuleMeta } from '../finding';
import type { FileView, HunkView, SourceLine } from '../source';
import type { LineRule } from './context';
import { SQL_TEXT } from '../finding';
import { hit, requestInputs, statementAt } from './context';

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

const SQL_IN_HANDLER: RuleMeta = {
  id: 'sql-in-handler',
  dimension: 'architecture',
  severity: 'medium',
  title: 'Request handler runs SQL directly',
  explanation:
    'The HTTP handler talks to the database itself instead of going through the repository or service layer: queries spread across the transport code, cannot be reused or tested without HTTP, and schema changes touch handlers.',
  suggestedFix: 'Move the query into the repository (or service) and call it from the handler.',
};

/**
 * SQL text handed to a database call from inside a request handler. Spliced SQL is left to the
 * injection rule: one finding per line, the one that matters most.
 */
const sqlInHandler: LineRule = (ctx) => {
  if (ctx.file.isTest || !DB_CALL_WITH_TEXT.test(ctx.code)) return [];
  const { text, last } = statementAt(ctx.hunk, ctx.index);
  if (
    !SQL_TEXT.test(text) ||
    /["'`]\s*\+|\+\s*["'`]|\$\{|\bf["']|%\s*\(|\.format\(|Sprintf/.test(text)
  )
    return [];
  return requestInputs(ctx) ? [hit(ctx, SQL_IN_HANDLER, 0.7, undefined, last)] : [];
};

const DB_CALL_WITH_TEXT =
  /\.(query|execute|queryForObject|queryForList|queryForMap|update|QueryRow|QueryRowContext|Query|QueryContext|Exec|ExecContext|executeQuery|executeUpdate|raw)\s*\(/;

export const STRUCTURE_RULES: LineRule[] = [missingDoc, deepImport, layerViolation, sqlInHandler];

const MISSING_TESTS: RuleMeta = {
  id: 'missing-tests',
  dimension: 'testing',
  severity: 'low',
  title: 'New public code without tests',
  explanation:
    'A new public function, class or endpoint arrives with no test file in the change, so nothing shows the new behaviour works or keeps working.',
  suggestedFix:
    'Add or extend tests that exercise the changed behaviour, including its error paths.',
};

/** Public API a caller could use: exported, capitalised (Go), `public` (Java), not `_private`. */
const PUBLIC_DEFINITION: Record<string, RegExp> = {
  ts: /^\s*export\s+(default\s+)?(async\s+)?(function\*?\s+(\w+)|class\s+(\w+)|const\s+(\w+)\s*=\s*(async\s*)?\()/,
  py: /^(?:async\s+)?def\s+([a-zA-Z]\w*)\s*\(|^class\s+([A-Z]\w*)/,
  go: /^func\s+(?:\([^)]*\)\s*)?([A-Z]\w*)\s*[[(]/,
  java: /^\s*public\s+(?:static\s+|final\s+|abstract\s+|synchronized\s+)*(?:class\s+(\w+)|[\w<>[\], ?]+\s+(\w+)\s*\()/,
};

function definedName(m: RegExpExecArray): string {
  return m.slice(1).find((g) => g && /^\w+$/.test(g) && !/^(async|default)$/.test(g)) ?? '';
}

/**
 * A definition the change introduces: its head and the start of its body are added, and no
 * removed line defined the same name (that would be an edited signature, not new behaviour).
 */
function newDefinition(file: FileView, hunk: HunkView, index: number): boolean {
  const re = PUBLIC_DEFINITION[file.family];
  const line = hunk.lines[index] as SourceLine;
  const m = re?.exec(line.text);
  if (!m || !line.added) return false;
  const name = definedName(m);
  if (name && hunk.removed.some((r) => new RegExp(`\\b${name}\\b`).test(r))) return false;
  const body = hunk.lines.slice(index + 1).find((l) => l.text.trim() !== '');
  return body?.added === true;
}

/** One finding per chunk: new public behaviour arrived and no test file came with it. */
export function missingTests(files: FileView[]): Hit[] {
  if (files.some((f) => f.isTest)) return [];
  for (const file of files) {
    if (file.family === 'other') continue;
    for (const hunk of file.hunks) {
      const at = hunk.lines.findIndex((_, i) => newDefinition(file, hunk, i));
      const first = hunk.lines[at];
      if (first) {
        return [
          {
            file: file.path,
            startLine: first.newLine,
            endLine: first.newLine,
            rule: MISSING_TESTS,
            confidence: 0.6,
          },
        ];
      }
    }
  }
  return [];
}
