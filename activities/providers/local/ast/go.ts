import type { Emit, Profile } from './generic';
import { AST_RULES } from './rules';
import type { Node } from './treesitter';
import { ancestors, named } from './treesitter';

/** database/sql, sqlx and gorm methods, with the index of their SQL argument. */
const SQL_METHODS: Record<string, number> = {
  Query: 0,
  QueryRow: 0,
  Exec: 0,
  Prepare: 0,
  MustExec: 0,
  Raw: 0,
  QueryContext: 1,
  QueryRowContext: 1,
  ExecContext: 1,
  PrepareContext: 1,
  Select: 1,
  Get: 1,
};

function args(call: Node): Node[] {
  return named(call.childForFieldName('arguments')).filter((a) => a.type !== 'comment');
}

function selector(call: Node): string {
  const fn = call.childForFieldName('function');
  return fn?.type === 'selector_expression' ? (fn.childForFieldName('field')?.text ?? '') : '';
}

function literal(n: Node): string | null {
  if (n.type !== 'interpreted_string_literal' && n.type !== 'raw_string_literal') return null;
  return n.text.slice(1, -1);
}

function plusOperands(n: Node): Node[] {
  if (n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+') {
    return [
      ...plusOperands(n.childForFieldName('left') as Node),
      ...plusOperands(n.childForFieldName('right') as Node),
    ];
  }
  return n.type === 'parenthesized_expression' ? named(n).flatMap(plusOperands) : [n];
}

function splicedParts(n: Node): Node[] | null {
  if (n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+') {
    const parts = plusOperands(n);
    return parts.some((p) => literal(p) !== null) ? parts : null;
  }
  if (n.type === 'call_expression' && n.childForFieldName('function')?.text === 'fmt.Sprintf')
    return args(n).slice(1);
  return null;
}

function bindings(n: Node): { name: string; value: Node }[] {
  if (n.type === 'short_var_declaration' || n.type === 'assignment_statement') {
    const left = named(n.childForFieldName('left'));
    const right = named(n.childForFieldName('right'));
    return left.flatMap((l, i) =>
      right[i]
        ? [
            {
              name:
                l.type === 'selector_expression'
                  ? (l.childForFieldName('field')?.text ?? '')
                  : l.text,
              value: right[i] as Node,
            },
          ]
        : [],
    );
  }
  if (n.type === 'var_spec' || n.type === 'const_spec') {
    const names = n.childrenForFieldName('name').filter((c): c is Node => c !== null);
    const values = named(n.childForFieldName('value'));
    return names.flatMap((nm, i) =>
      values[i] ? [{ name: nm.text, value: values[i] as Node }] : [],
    );
  }
  if (n.type === 'keyed_element') {
    const [key, value] = named(n).map((c) =>
      c.type === 'literal_element' ? (named(c)[0] ?? c) : c,
    );
    if (!key || !value) return [];
    return [{ name: literal(key) ?? key.text, value }];
  }
  return [];
}

function isEmptyBlock(block: Node | null): boolean {
  return !!block && named(block).every((c) => c.type === 'statement_list' && named(c).length === 0);
}

function extra(n: Node, emit: Emit): void {
  if (n.type !== 'defer_statement') return;
  const up = ancestors(n);
  const fn = up.findIndex(
    (a) =>
      a.type === 'func_literal' ||
      a.type === 'function_declaration' ||
      a.type === 'method_declaration',
  );
  const loop = up.findIndex((a) => a.type === 'for_statement');
  if (loop >= 0 && (fn < 0 || loop < fn)) emit(n, AST_RULES.deferInLoop, 0.85);
}

export const GO: Profile = {
  family: 'go',
  functions: new Set(['function_declaration', 'method_declaration', 'func_literal']),
  loops: new Set(['for_statement']),
  branches: (n) =>
    [
      'if_statement',
      'for_statement',
      'expression_case',
      'type_case',
      'communication_case',
    ].includes(n.type) ||
    (n.type === 'binary_expression' &&
      /^(&&|\|\|)$/.test(n.childForFieldName('operator')?.text ?? '')),
  blocks: new Set(['statement_list']),
  terminators: new Set([
    'return_statement',
    'break_statement',
    'continue_statement',
    'goto_statement',
  ]),
  calls: new Set(['call_expression']),
  comments: new Set(['comment']),
  sqlArgument: (call) => {
    const index = SQL_METHODS[selector(call)];
    return index === undefined ? undefined : args(call)[index];
  },
  dbCall: (call) =>
    SQL_METHODS[selector(call)] !== undefined &&
    /^(db|tx|conn|stmt|sqlx?|pool)\b/i.test(call.childForFieldName('function')?.text ?? ''),
  commandArgument: (call) => {
    const callee = call.childForFieldName('function')?.text ?? '';
    if (callee !== 'exec.Command' && callee !== 'exec.CommandContext') return undefined;
    const a = args(call).slice(callee === 'exec.CommandContext' ? 1 : 0);
    const [program, flag, script] = a;
    if (
      program &&
      /^(sh|bash|cmd|powershell)$/.test(literal(program) ?? '') &&
      /^(-c|\/c)$/.test(literal(flag ?? program) ?? '')
    )
      return script;
    return program && splicedParts(program) ? program : undefined;
  },
  splicedParts,
  literal,
  bindings,
  swallowed: (n) =>
    n.type === 'if_statement' &&
    /^err\s*!=\s*nil$/.test(n.childForFieldName('condition')?.text ?? '') &&
    !n.childForFieldName('alternative') &&
    isEmptyBlock(n.childForFieldName('consequence')),
  undocumented: (fn) => {
    if (fn.type === 'func_literal' || !/^[A-Z]/.test(fn.childForFieldName('name')?.text ?? ''))
      return false;
    const prev = fn.previousNamedSibling;
    return !(prev?.type === 'comment' && prev.endPosition.row === fn.startPosition.row - 1);
  },
  isTestFunction: (fn) =>
    fn.type === 'function_declaration' &&
    /^Test[A-Z_]/.test(fn.childForFieldName('name')?.text ?? ''),
  assertion: /\bt\.(Error|Errorf|Fatal|Fatalf|Fail|FailNow)\b|\b(assert|require)\.\w+\(|\bExpect\(/,
  extra,
};
