import type { Emit, Profile } from './generic';
import { AST_RULES } from './rules';
import type { Node } from './treesitter';
import { ancestors, named, walk } from './treesitter';

const SQL_METHODS = new Set([
  'execute',
  'executemany',
  'executescript',
  'raw',
  'mogrify',
  'read_sql',
  'read_sql_query',
]);
const SHELL_CALLS = new Set(['os.system', 'os.popen', 'eval', 'exec', 'commands.getoutput']);
const SUBPROCESS = /^subprocess\.(call|run|Popen|check_output|check_call)$/;

function positional(call: Node): Node[] {
  return named(call.childForFieldName('arguments')).filter(
    (a) => a.type !== 'keyword_argument' && a.type !== 'comment',
  );
}

function method(call: Node): string {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'attribute') return fn.childForFieldName('attribute')?.text ?? '';
  return fn?.text ?? '';
}

function literal(n: Node): string | null {
  if (n.type !== 'string' || named(n).some((c) => c.type === 'interpolation')) return null;
  return named(n)
    .filter((c) => c.type === 'string_content')
    .map((c) => c.text)
    .join('');
}

function plusOperands(n: Node): Node[] {
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
    return [
      ...plusOperands(n.childForFieldName('left') as Node),
      ...plusOperands(n.childForFieldName('right') as Node),
    ];
  }
  return n.type === 'parenthesized_expression' ? named(n).flatMap(plusOperands) : [n];
}

function splicedParts(n: Node): Node[] | null {
  if (n.type === 'string' || n.type === 'concatenated_string') {
    const holes = n.descendantsOfType('interpolation').filter((c): c is Node => c !== null);
    return holes.length > 0 ? holes.flatMap((h) => named(h).slice(0, 1)) : null;
  }
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (op === '%' && left?.type === 'string' && right)
      return right.type === 'tuple' ? named(right) : [right];
    if (op === '+') {
      const parts = plusOperands(n);
      if (parts.some((p) => p.type === 'string'))
        return parts.flatMap((p) => (p.type === 'string' ? (splicedParts(p) ?? []) : [p]));
    }
  }
  if (n.type === 'call' && method(n) === 'format') {
    const target = n.childForFieldName('function')?.childForFieldName('object');
    if (target?.type === 'string')
      return named(n.childForFieldName('arguments')).map((a) => a.childForFieldName('value') ?? a);
  }
  return null;
}

function bindings(n: Node): { name: string; value: Node }[] {
  const pick = (target: Node | null, value: Node | null): { name: string; value: Node }[] => {
    if (!target || !value) return [];
    const name =
      target.type === 'attribute'
        ? target.childForFieldName('attribute')?.text
        : target.type === 'string'
          ? literal(target)
          : target.text;
    return name ? [{ name, value }] : [];
  };
  if (n.type === 'assignment')
    return pick(n.childForFieldName('left'), n.childForFieldName('right'));
  if (n.type === 'keyword_argument')
    return pick(n.childForFieldName('name'), n.childForFieldName('value'));
  if (n.type === 'pair') return pick(n.childForFieldName('key'), n.childForFieldName('value'));
  return [];
}

function isAsync(fn: Node): boolean {
  return fn.text.startsWith('async');
}

function unusedLocals(fn: Node, emit: Emit): void {
  const body = fn.childForFieldName('body');
  if (!body || /\b(locals|vars)\(\)|\b(global|nonlocal)\b/.test(body.text)) return;
  const counts = new Map<string, number>();
  walk(body, (n) => {
    if (n.type === 'identifier') counts.set(n.text, (counts.get(n.text) ?? 0) + 1);
  });
  walk(body, (n) => {
    if (
      n.type !== 'assignment' ||
      ancestors(n).find((a) => a.type === 'function_definition')?.id !== fn.id
    )
      return;
    const left = n.childForFieldName('left');
    if (left?.type === 'identifier' && !left.text.startsWith('_') && counts.get(left.text) === 1) {
      emit(n, AST_RULES.unusedVariable, 0.7, `\`${left.text}\` is never read.`);
    }
  });
}

function extra(n: Node, emit: Emit): void {
  if (n.type === 'default_parameter' || n.type === 'typed_default_parameter') {
    const value = n.childForFieldName('value');
    if (value && ['list', 'dictionary', 'set'].includes(value.type))
      emit(n, AST_RULES.mutableDefault, 0.9);
  }
  if (n.type === 'function_definition' && !n.hasError) {
    unusedLocals(n, emit);
    if (isAsync(n)) {
      const coroutines = new Set<string>();
      walk(n.parent ?? n, (d) => {
        if (d.type === 'function_definition' && isAsync(d))
          coroutines.add(d.childForFieldName('name')?.text ?? '');
      });
      walk(n, (d) => {
        const call = d.type === 'expression_statement' ? named(d)[0] : undefined;
        if (call?.type === 'call' && coroutines.has(method(call)))
          emit(d, AST_RULES.missingAwait, 0.8);
      });
    }
  }
}

export const PYTHON: Profile = {
  family: 'py',
  functions: new Set(['function_definition', 'lambda']),
  loops: new Set([
    'for_statement',
    'while_statement',
    'list_comprehension',
    'set_comprehension',
    'dictionary_comprehension',
    'generator_expression',
  ]),
  branches: (n) =>
    [
      'if_statement',
      'elif_clause',
      'for_statement',
      'while_statement',
      'except_clause',
      'conditional_expression',
      'if_clause',
      'case_clause',
      'boolean_operator',
    ].includes(n.type),
  blocks: new Set(['block', 'module']),
  terminators: new Set([
    'return_statement',
    'raise_statement',
    'break_statement',
    'continue_statement',
  ]),
  calls: new Set(['call']),
  comments: new Set(['comment']),
  sqlArgument: (call) => {
    const fn = call.childForFieldName('function');
    const sink =
      SQL_METHODS.has(method(call)) ||
      (fn?.type === 'identifier' && fn.text === 'text') ||
      /\.query$/.test(fn?.text ?? '');
    return sink ? positional(call)[0] : undefined;
  },
  dbCall: (call) =>
    SQL_METHODS.has(method(call)) ||
    /\.objects\.(get|filter)$/.test(call.childForFieldName('function')?.text ?? ''),
  commandArgument: (call) => {
    const callee = call.childForFieldName('function')?.text ?? '';
    if (SUBPROCESS.test(callee)) {
      const shell = named(call.childForFieldName('arguments')).some(
        (a) => a.type === 'keyword_argument' && /^shell\s*=\s*True$/.test(a.text),
      );
      return shell ? positional(call)[0] : undefined;
    }
    return SHELL_CALLS.has(callee) ? positional(call)[0] : undefined;
  },
  splicedParts,
  literal,
  bindings,
  swallowed: (n) => {
    if (n.type !== 'except_clause') return false;
    const stmts = named(named(n).find((c) => c.type === 'block')).filter(
      (c) => c.type !== 'comment',
    );
    return (
      stmts.length > 0 &&
      stmts.every(
        (s) =>
          s.type === 'pass_statement' || (s.type === 'expression_statement' && s.text === '...'),
      )
    );
  },
  undocumented: (fn) => {
    if (
      fn.type !== 'function_definition' ||
      (fn.childForFieldName('name')?.text ?? '_').startsWith('_')
    )
      return false;
    const top =
      fn.parent?.type === 'module' ||
      (fn.parent?.type === 'decorated_definition' && fn.parent.parent?.type === 'module');
    const first = named(fn.childForFieldName('body')).find((c) => c.type !== 'comment');
    return top && !(first?.type === 'expression_statement' && named(first)[0]?.type === 'string');
  },
  isTestFunction: (fn) =>
    fn.type === 'function_definition' && /^test/.test(fn.childForFieldName('name')?.text ?? ''),
  assertion: /\bassert|pytest\.raises|self\.fail|\.assert_\w+\(/,
  extra,
};
