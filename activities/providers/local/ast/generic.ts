import type { Hit, RuleMeta } from '../finding';
import {
  COMMAND_INJECTION,
  HARDCODED_SECRET,
  REDACTED_SECRET,
  SQL_INJECTION,
  SQL_TEXT,
  SWALLOWED_ERROR,
  isSecretName,
  looksLikeSecretValue,
} from '../finding';
import type { FileView, HunkView } from '../source';
import { AST_RULES } from './rules';
import type { Node, TreeSitterFamily } from './treesitter';
import { ancestors, named, parseSnippet, walk } from './treesitter';

/** What the structural checks need to know about one tree-sitter grammar. */
export interface Profile {
  family: TreeSitterFamily;
  functions: Set<string>;
  loops: Set<string>;
  /** nodes that add a path through a function (cyclomatic complexity) */
  branches: (n: Node) => boolean;
  /** statement lists in which code after a terminator cannot run */
  blocks: Set<string>;
  terminators: Set<string>;
  calls: Set<string>;
  comments: Set<string>;
  /** the SQL text argument when `call` sends SQL to a database */
  sqlArgument: (call: Node) => Node | undefined;
  /** true for calls that hit the database at all (N+1 detection) */
  dbCall: (call: Node) => boolean;
  /** the command/code argument when `call` runs a shell or evaluates code */
  commandArgument: (call: Node) => Node | undefined;
  /** the parts spliced into a string built at run time, or null when `n` builds no string */
  splicedParts: (n: Node) => Node[] | null;
  /** the value of a literal string, or null when `n` is not one */
  literal: (n: Node) => string | null;
  /** names bound to values by `n` (assignments, declarations, keyword args, map entries) */
  bindings: (n: Node) => { name: string; value: Node }[];
  swallowed: (n: Node) => boolean;
  /** undocumented public API declared by `fn` (a function node) */
  undocumented: (fn: Node) => boolean;
  isTestFunction: (fn: Node) => boolean;
  assertion: RegExp;
  /** language-specific checks */
  extra: (n: Node, emit: Emit) => void;
}

export type Emit = (
  from: Node,
  rule: RuleMeta,
  confidence: number,
  detail?: string,
  to?: Node,
) => void;

const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;
const INPUT_NAME =
  /\b(req|request|params|query|body|args|argv|input|form|r\.URL|ctx\.Query|getParameter)\b/;

function isConstant(p: Profile, n: Node): boolean {
  if (p.literal(n) !== null) return true;
  if (
    /^(integer|float|int_literal|float_literal|decimal_integer_literal|true|false|none|null_literal|nil)$/.test(
      n.type,
    )
  ) {
    return true;
  }
  return /identifier$/.test(n.type) && CONSTANT_NAME.test(n.text);
}

function dynamicParts(p: Profile, n: Node): Node[] {
  return (p.splicedParts(n) ?? []).filter((part) => !isConstant(p, part));
}

/** Latest binding of `name` before `row` within `scope`, if any. */
function boundValue(p: Profile, scope: Node, name: string, row: number): Node | undefined {
  let found: Node | undefined;
  walk(scope, (n) => {
    if (n.startPosition.row >= row) return;
    for (const b of p.bindings(n)) if (b.name === name) found = b.value;
  });
  return found;
}

function enclosing(p: Profile, n: Node): Node {
  return ancestors(n).find((a) => p.functions.has(a.type)) ?? ancestors(n).at(-1) ?? n;
}

/** The spliced value reaching a sink: inline, or through a variable built earlier in scope. */
function taint(p: Profile, arg: Node): { parts: Node[]; via?: string } | null {
  const inline = dynamicParts(p, arg);
  if (inline.length > 0) return { parts: inline };
  if (!/identifier$/.test(arg.type)) return null;
  const value = boundValue(p, enclosing(p, arg), arg.text, arg.startPosition.row);
  const parts = value ? dynamicParts(p, value) : [];
  return parts.length > 0 ? { parts, via: arg.text } : null;
}

function checkCall(p: Profile, call: Node, emit: Emit): void {
  const sql = p.sqlArgument(call);
  if (sql) {
    const t = taint(p, sql);
    const text = t?.via
      ? (boundValue(p, enclosing(p, sql), t.via, sql.startPosition.row)?.text ?? '')
      : sql.text;
    if (t && SQL_TEXT.test(text)) {
      const fromInput = t.parts.some((x) => INPUT_NAME.test(x.text));
      const what = t.parts.map((x) => `\`${x.text.slice(0, 40)}\``).join(', ');
      emit(
        call,
        SQL_INJECTION,
        fromInput ? 0.95 : 0.85,
        `Spliced into the SQL: ${what}${t.via ? ` (through \`${t.via}\`)` : ''}.`,
      );
    }
  }
  const cmd = p.commandArgument(call);
  if (cmd && !isConstant(p, cmd)) {
    const fromInput = INPUT_NAME.test(cmd.text);
    emit(
      call,
      COMMAND_INJECTION,
      fromInput ? 0.9 : 0.8,
      `The command is \`${cmd.text.slice(0, 60)}\`.`,
    );
  }
  if (p.dbCall(call)) {
    const up = ancestors(call);
    const fn = up.findIndex((a) => p.functions.has(a.type));
    const loop = up.findIndex((a) => p.loops.has(a.type));
    if (loop >= 0 && (fn < 0 || loop < fn)) emit(call, AST_RULES.queryInLoop, 0.75);
  }
}

function complexity(p: Profile, fn: Node): number {
  let n = 1;
  const visit = (node: Node): void => {
    for (const c of named(node)) {
      if (p.functions.has(c.type)) continue;
      if (p.branches(c)) n++;
      visit(c);
    }
  };
  visit(fn);
  return n;
}

function unreachable(p: Profile, block: Node, emit: Emit): void {
  const stmts = named(block).filter((c) => !p.comments.has(c.type));
  const stop = stmts.findIndex((s) => p.terminators.has(s.type));
  const next = stop >= 0 ? stmts[stop + 1] : undefined;
  if (next) emit(next, AST_RULES.unreachable, 0.9, undefined, stmts.at(-1));
}

function checkFunction(p: Profile, fn: Node, file: FileView, emit: Emit): void {
  const score = complexity(p, fn);
  if (score > 10)
    emit(
      fn,
      AST_RULES.complex,
      0.8,
      `Cyclomatic complexity is ${score}.`,
      fn.firstNamedChild ?? fn,
    );
  if (file.isTest && p.isTestFunction(fn) && !p.assertion.test(fn.text))
    emit(fn, AST_RULES.noAssertions, 0.75);
  if (!file.isTest && p.undocumented(fn))
    emit(fn, AST_RULES.undocumented, 0.7, undefined, fn.firstNamedChild ?? fn);
}

function analyzeHunk(p: Profile, file: FileView, hunk: HunkView, hits: Hit[]): void {
  const parsed = parseSnippet(
    p.family,
    hunk.lines.map((l) => l.text),
  );
  const lineOf = (row: number): number => {
    const i = Math.min(Math.max(row - parsed.offset, 0), hunk.lines.length - 1);
    return hunk.lines[i]?.newLine ?? 1;
  };
  const emit: Emit = (from, rule, confidence, detail, to) => {
    const startLine = lineOf(from.startPosition.row);
    const endLine = Math.max(startLine, lineOf((to ?? from).endPosition.row));
    hits.push({
      file: file.path,
      startLine,
      endLine,
      rule,
      confidence,
      ...(detail ? { detail } : {}),
    });
  };
  try {
    const secretRows = new Set<number>();
    walk(parsed.root, (n) => {
      if (p.calls.has(n.type)) checkCall(p, n, emit);
      if (p.functions.has(n.type) && !n.hasError) checkFunction(p, n, file, emit);
      if (p.blocks.has(n.type)) unreachable(p, n, emit);
      if (p.swallowed(n)) emit(n, SWALLOWED_ERROR, 0.9);
      for (const b of p.bindings(n)) {
        const value = p.literal(b.value);
        if (value !== null && isSecretName(b.name) && looksLikeSecretValue(value)) {
          secretRows.add(n.startPosition.row);
          emit(
            n,
            HARDCODED_SECRET,
            REDACTED_SECRET.test(value) ? 0.95 : 0.8,
            `\`${b.name}\` is bound to a literal.`,
          );
        }
      }
      const lit = p.literal(n);
      if (lit !== null && REDACTED_SECRET.test(lit) && !secretRows.has(n.startPosition.row)) {
        secretRows.add(n.startPosition.row);
        emit(n, HARDCODED_SECRET, 0.85, 'The redactor found a credential in this literal.');
      }
      p.extra(n, emit);
    });
  } finally {
    parsed.tree.delete();
  }
}

export function analyzeWithProfile(p: Profile, file: FileView): Hit[] {
  const hits: Hit[] = [];
  for (const hunk of file.hunks) analyzeHunk(p, file, hunk, hits);
  return hits;
}
