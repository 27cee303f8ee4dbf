import ts from 'typescript';
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

const SQL_SINKS = new Set([
  'query',
  'execute',
  'raw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'unsafe',
  'whereRaw',
]);
const DB_CALLS = new Set([
  ...SQL_SINKS,
  'findOne',
  'findUnique',
  'findFirst',
  'findById',
  'findByPk',
]);
// `execAsync`/`execPromise` are the usual names for util.promisify(exec): the same shell.
const SHELL = new Set(['exec', 'execSync', 'execAsync', 'execPromise']);
const INPUT_NAME = /\b(req|request|params|query|body|args|argv|input|ctx)\b/;
const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

type Emit = (
  from: ts.Node,
  rule: RuleMeta,
  confidence: number,
  detail?: string,
  to?: ts.Node,
) => void;

function parse(file: FileView, lines: string[]): { sf: ts.SourceFile; offset: number } {
  const kind = /\.tsx$/.test(file.path)
    ? ts.ScriptKind.TSX
    : /\.jsx$/.test(file.path)
      ? ts.ScriptKind.JSX
      : ts.ScriptKind.TS;
  const raw = lines.join('\n');
  let best: { sf: ts.SourceFile; offset: number; errors: number } | null = null;
  // A hunk inside a class body only parses once wrapped in a class again.
  for (const [text, offset] of [
    [raw, 0],
    [`class Q__ {\n${raw}\n}`, 1],
  ] as const) {
    const sf = ts.createSourceFile(file.path, text, ts.ScriptTarget.Latest, true, kind);
    const errors =
      (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0;
    if (!best || errors < best.errors) best = { sf, offset, errors };
    if (errors === 0) break;
  }
  return best as { sf: ts.SourceFile; offset: number };
}

function calleeName(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return '';
}

function literal(n: ts.Node): string | null {
  return ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) ? n.text : null;
}

function isConstant(n: ts.Node): boolean {
  return (
    literal(n) !== null ||
    ts.isNumericLiteral(n) ||
    (ts.isIdentifier(n) && CONSTANT_NAME.test(n.text))
  );
}

function plusOperands(n: ts.Expression): ts.Expression[] {
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return [...plusOperands(n.left), ...plusOperands(n.right)];
  }
  return ts.isParenthesizedExpression(n) ? plusOperands(n.expression) : [n];
}

/** Runtime values spliced into a string under construction, or null when `n` builds no string. */
function splicedParts(n: ts.Node): ts.Expression[] | null {
  if (ts.isTemplateExpression(n)) return n.templateSpans.map((s) => s.expression);
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const parts = plusOperands(n);
    return parts.some((p) => literal(p) !== null || ts.isTemplateExpression(p))
      ? parts.flatMap((p) => (ts.isTemplateExpression(p) ? (splicedParts(p) ?? []) : [p]))
      : null;
  }
  if (
    ts.isCallExpression(n) &&
    ts.isPropertyAccessExpression(n.expression) &&
    n.expression.name.text === 'concat'
  ) {
    return literal(n.expression.expression) !== null ? [...n.arguments] : null;
  }
  return null;
}

function bindings(n: ts.Node): { name: string; value: ts.Expression }[] {
  if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer)
    return [{ name: n.name.text, value: n.initializer }];
  if (
    (ts.isPropertyAssignment(n) || ts.isPropertyDeclaration(n)) &&
    n.initializer &&
    !ts.isComputedPropertyName(n.name)
  ) {
    return [{ name: n.name.getText(), value: n.initializer }];
  }
  if (
    ts.isBinaryExpression(n) &&
    (n.operatorToken.kind === ts.SyntaxKind.EqualsToken ||
      n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)
  ) {
    const name = calleeName(n.left);
    return name ? [{ name, value: n.right }] : [];
  }
  return [];
}

function enclosingFunction(n: ts.Node): ts.Node {
  let p: ts.Node = n.parent;
  while (p.parent && !ts.isFunctionLike(p)) p = p.parent;
  return p;
}

/** Dynamic values reaching `arg`: inline, or through a variable assigned earlier in the function. */
function taint(arg: ts.Expression): { parts: ts.Expression[]; via?: string; text: string } | null {
  const inline = (splicedParts(arg) ?? []).filter((p) => !isConstant(p));
  if (inline.length > 0) return { parts: inline, text: arg.getText() };
  if (!ts.isIdentifier(arg)) return null;
  let found: { parts: ts.Expression[]; via?: string; text: string } | null = null;
  const visit = (n: ts.Node): void => {
    if (n.pos >= arg.pos) return;
    for (const b of bindings(n)) {
      if (b.name !== arg.text) continue;
      const parts = (splicedParts(b.value) ?? []).filter((p) => !isConstant(p));
      if (parts.length > 0) found = { parts, via: arg.text, text: b.value.getText() };
    }
    ts.forEachChild(n, visit);
  };
  visit(enclosingFunction(arg));
  return found;
}

function checkCall(
  call: ts.CallExpression | ts.NewExpression,
  emit: Emit,
  asyncNames: Set<string>,
): void {
  const name = calleeName(call.expression);
  const first = call.arguments?.[0];
  if (ts.isCallExpression(call) && SQL_SINKS.has(name) && first) {
    const t = taint(first);
    if (t && SQL_TEXT.test(t.text)) {
      const what = t.parts.map((p) => `\`${p.getText().slice(0, 40)}\``).join(', ');
      const input = t.parts.some((p) => INPUT_NAME.test(p.getText()));
      emit(
        call,
        SQL_INJECTION,
        input ? 0.95 : 0.85,
        `Spliced into the SQL: ${what}${t.via ? ` (through \`${t.via}\`)` : ''}.`,
      );
    }
  }
  const target = ts.isPropertyAccessExpression(call.expression)
    ? call.expression.expression.getText()
    : '';
  const shell =
    (ts.isCallExpression(call) &&
      SHELL.has(name) &&
      (ts.isIdentifier(call.expression) || /^(child_process|childProcess|cp)$/.test(target))) ||
    (ts.isCallExpression(call) && name === 'eval' && ts.isIdentifier(call.expression)) ||
    (ts.isNewExpression(call) && name === 'Function') ||
    (/^spawn(Sync)?$/.test(name) &&
      /shell\s*:\s*true/.test(call.arguments?.[call.arguments.length - 1]?.getText() ?? ''));
  if (shell && first && !isConstant(first)) {
    emit(
      call,
      COMMAND_INJECTION,
      INPUT_NAME.test(first.getText()) ? 0.9 : 0.8,
      `The command is \`${first.getText().slice(0, 60)}\`.`,
    );
  }
  if (
    ts.isCallExpression(call) &&
    DB_CALLS.has(name) &&
    ts.isPropertyAccessExpression(call.expression) &&
    inLoop(call)
  ) {
    emit(call, AST_RULES.queryInLoop, 0.75);
  }
  if (
    ts.isCallExpression(call) &&
    ts.isExpressionStatement(call.parent) &&
    (asyncNames.has(name) || name === 'fetch')
  ) {
    const fn = enclosingFunction(call);
    if (
      ts.isFunctionLike(fn) &&
      ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async
    ) {
      emit(call, AST_RULES.missingAwait, 0.8, `\`${name}(…)\` returns a promise that is dropped.`);
    }
  }
}

function inLoop(n: ts.Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (ts.isIterationStatement(p, false)) return true;
    if (ts.isFunctionLike(p)) {
      const call = p.parent;
      return (
        ts.isCallExpression(call) && /^(forEach|map|flatMap)$/.test(calleeName(call.expression))
      );
    }
  }
  return false;
}

function complexity(fn: ts.Node): number {
  let n = 1;
  const visit = (node: ts.Node): void => {
    if (node !== fn && ts.isFunctionLike(node)) return;
    if (
      ts.isIfStatement(node) ||
      ts.isConditionalExpression(node) ||
      ts.isCaseClause(node) ||
      ts.isIterationStatement(node, false) ||
      ts.isCatchClause(node) ||
      (ts.isBinaryExpression(node) &&
        [
          ts.SyntaxKind.AmpersandAmpersandToken,
          ts.SyntaxKind.BarBarToken,
          ts.SyntaxKind.QuestionQuestionToken,
        ].includes(node.operatorToken.kind))
    ) {
      n++;
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return n;
}

function unusedLocals(fn: ts.FunctionLikeDeclaration, emit: Emit): void {
  // A body cut off by the end of the hunk may use the variable further down.
  if (!fn.body || !ts.isBlock(fn.body) || !fn.body.getText().trimEnd().endsWith('}')) return;
  const counts = new Map<string, number>();
  const count = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) counts.set(n.text, (counts.get(n.text) ?? 0) + 1);
    ts.forEachChild(n, count);
  };
  count(fn.body);
  for (const stmt of fn.body.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    for (const d of stmt.declarationList.declarations) {
      if (
        ts.isIdentifier(d.name) &&
        !d.name.text.startsWith('_') &&
        counts.get(d.name.text) === 1
      ) {
        emit(d, AST_RULES.unusedVariable, 0.75, `\`${d.name.text}\` is never read.`);
      }
    }
  }
}

function hasJsDoc(n: ts.Node, sf: ts.SourceFile): boolean {
  return (ts.getLeadingCommentRanges(sf.text, n.pos) ?? []).some((r) =>
    sf.text.startsWith('/**', r.pos),
  );
}

function isExported(n: ts.Node): boolean {
  return (
    ts.canHaveModifiers(n) &&
    (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}

function checkNode(
  n: ts.Node,
  sf: ts.SourceFile,
  file: FileView,
  emit: Emit,
  asyncNames: Set<string>,
  secretRows: Set<number>,
): void {
  if (ts.isCallExpression(n) || ts.isNewExpression(n)) checkCall(n, emit, asyncNames);
  if (ts.isCatchClause(n) && n.block.statements.length === 0 && !/\/[/*]/.test(n.block.getText()))
    emit(n, SWALLOWED_ERROR, 0.9);
  if (ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)) {
    const stmts = n.statements.filter(
      (s) =>
        !ts.isFunctionDeclaration(s) &&
        !ts.isInterfaceDeclaration(s) &&
        !ts.isTypeAliasDeclaration(s),
    );
    const stop = stmts.findIndex(
      (s) => ts.isReturnStatement(s) || ts.isThrowStatement(s) || ts.isBreakOrContinueStatement(s),
    );
    const next = stop >= 0 ? stmts[stop + 1] : undefined;
    if (next) emit(next, AST_RULES.unreachable, 0.9, undefined, stmts.at(-1));
  }
  if (ts.isFunctionLike(n) && 'body' in n && n.body) {
    const score = complexity(n);
    if (score > 10)
      emit(n, AST_RULES.complex, 0.8, `Cyclomatic complexity is ${score}.`, n.getChildAt(0, sf));
    unusedLocals(n as ts.FunctionLikeDeclaration, emit);
  }
  const exportedFn = (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && isExported(n);
  const exportedArrow =
    ts.isVariableStatement(n) &&
    isExported(n) &&
    n.declarationList.declarations.some(
      (d) =>
        d.initializer &&
        (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer)),
    );
  if (!file.isTest && (exportedFn || exportedArrow) && !hasJsDoc(n, sf))
    emit(n, AST_RULES.undocumented, 0.75, undefined, n.getChildAt(0, sf));
  if (file.isTest && ts.isCallExpression(n) && /^(it|test)$/.test(calleeName(n.expression))) {
    const body = n.arguments[1];
    if (
      body &&
      ts.isFunctionLike(body) &&
      !/\b(expect|assert)\w*[.(]|\.should\b/.test(body.getText())
    )
      emit(n, AST_RULES.noAssertions, 0.75);
  }
  for (const b of bindings(n)) {
    const value = literal(b.value);
    if (value !== null && isSecretName(b.name) && looksLikeSecretValue(value)) {
      secretRows.add(sf.getLineAndCharacterOfPosition(n.getStart(sf)).line);
      emit(
        n,
        HARDCODED_SECRET,
        REDACTED_SECRET.test(value) ? 0.95 : 0.8,
        `\`${b.name}\` is bound to a literal.`,
      );
    }
  }
  const lit = literal(n);
  const row = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
  if (lit !== null && REDACTED_SECRET.test(lit) && !secretRows.has(row)) {
    secretRows.add(row);
    emit(n, HARDCODED_SECRET, 0.85, 'The redactor found a credential in this literal.');
  }
}

function analyzeHunk(file: FileView, hunk: HunkView, hits: Hit[]): void {
  const { sf, offset } = parse(
    file,
    hunk.lines.map((l) => l.text),
  );
  const lineOf = (pos: number): number => {
    const row = sf.getLineAndCharacterOfPosition(pos).line - offset;
    return hunk.lines[Math.min(Math.max(row, 0), hunk.lines.length - 1)]?.newLine ?? 1;
  };
  const emit: Emit = (from, rule, confidence, detail, to) => {
    const startLine = lineOf(from.getStart(sf));
    const endLine = Math.max(startLine, lineOf((to ?? from).getEnd()));
    hits.push({
      file: file.path,
      startLine,
      endLine,
      rule,
      confidence,
      ...(detail ? { detail } : {}),
    });
  };
  const asyncNames = new Set<string>();
  const collect = (n: ts.Node): void => {
    if (
      (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) &&
      n.name &&
      ts.getCombinedModifierFlags(n) & ts.ModifierFlags.Async
    ) {
      asyncNames.add(n.name.getText(sf));
    }
    ts.forEachChild(n, collect);
  };
  collect(sf);
  const secretRows = new Set<number>();
  const visit = (n: ts.Node): void => {
    checkNode(n, sf, file, emit, asyncNames, secretRows);
    ts.forEachChild(n, visit);
  };
  visit(sf);
}

/** Structural checks for TypeScript and JavaScript with the TypeScript compiler's own parser. */
export function analyzeTypeScript(file: FileView): Hit[] {
  const hits: Hit[] = [];
  for (const hunk of file.hunks) analyzeHunk(file, hunk, hits);
  return hits;
}
