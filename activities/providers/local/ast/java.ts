import type { Emit, Profile } from './generic';
import { AST_RULES } from './rules';
import type { Node } from './treesitter';
import { named, walk } from './treesitter';

const SQL_METHODS = new Set([
  'executeQuery',
  'executeUpdate',
  'executeLargeUpdate',
  'execute',
  'prepareStatement',
  'prepareCall',
  'addBatch',
  'createQuery',
  'createNativeQuery',
  'createSQLQuery',
  'query',
  'queryForObject',
  'queryForList',
  'queryForMap',
  'update',
]);

function args(call: Node): Node[] {
  return named(call.childForFieldName('arguments')).filter((a) => !a.type.endsWith('comment'));
}

function literal(n: Node): string | null {
  if (n.type !== 'string_literal') return null;
  return n.text.replace(/^"""\s*|"""$|^"|"$/g, '');
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
    return parts.some((p) => p.type === 'string_literal') ? parts : null;
  }
  if (n.type === 'method_invocation') {
    const name = n.childForFieldName('name')?.text;
    const object = n.childForFieldName('object');
    if (name === 'format' && object?.text === 'String') return args(n).slice(1);
    if ((name === 'formatted' || name === 'concat') && object?.type === 'string_literal')
      return args(n);
  }
  return null;
}

function bindings(n: Node): { name: string; value: Node }[] {
  const target =
    n.type === 'variable_declarator'
      ? n.childForFieldName('name')
      : n.type === 'assignment_expression'
        ? n.childForFieldName('left')
        : null;
  const value = n.childForFieldName(n.type === 'variable_declarator' ? 'value' : 'right');
  if (!target || !value) return [];
  const name =
    target.type === 'field_access' ? target.childForFieldName('field')?.text : target.text;
  return name ? [{ name, value }] : [];
}

function unusedLocals(method: Node, emit: Emit): void {
  const body = method.childForFieldName('body');
  if (!body) return;
  const counts = new Map<string, number>();
  walk(body, (n) => {
    if (n.type === 'identifier') counts.set(n.text, (counts.get(n.text) ?? 0) + 1);
  });
  walk(body, (n) => {
    if (n.type !== 'variable_declarator' || n.parent?.type !== 'local_variable_declaration') return;
    const name = n.childForFieldName('name')?.text ?? '';
    if (counts.get(name) === 1 && !name.startsWith('_'))
      emit(n, AST_RULES.unusedVariable, 0.7, `\`${name}\` is never read.`);
  });
}

function extra(n: Node, emit: Emit): void {
  if (
    n.type === 'binary_expression' &&
    /^[!=]=$/.test(n.childForFieldName('operator')?.text ?? '')
  ) {
    const sides = [n.childForFieldName('left'), n.childForFieldName('right')];
    if (sides.some((s) => s?.type === 'string_literal')) emit(n, AST_RULES.stringIdentity, 0.85);
  }
  if ((n.type === 'method_declaration' || n.type === 'constructor_declaration') && !n.hasError)
    unusedLocals(n, emit);
}

function modifiers(fn: Node): string {
  return named(fn).find((c) => c.type === 'modifiers')?.text ?? '';
}

export const JAVA: Profile = {
  family: 'java',
  functions: new Set(['method_declaration', 'constructor_declaration', 'lambda_expression']),
  loops: new Set(['for_statement', 'enhanced_for_statement', 'while_statement', 'do_statement']),
  branches: (n) =>
    [
      'if_statement',
      'for_statement',
      'enhanced_for_statement',
      'while_statement',
      'do_statement',
      'catch_clause',
      'ternary_expression',
      'switch_label',
    ].includes(n.type) ||
    (n.type === 'binary_expression' &&
      /^(&&|\|\|)$/.test(n.childForFieldName('operator')?.text ?? '')),
  blocks: new Set(['block']),
  terminators: new Set([
    'return_statement',
    'throw_statement',
    'break_statement',
    'continue_statement',
  ]),
  calls: new Set(['method_invocation', 'object_creation_expression']),
  comments: new Set(['line_comment', 'block_comment']),
  sqlArgument: (call) =>
    call.type === 'method_invocation' && SQL_METHODS.has(call.childForFieldName('name')?.text ?? '')
      ? args(call)[0]
      : undefined,
  dbCall: (call) =>
    call.type === 'method_invocation' &&
    /^(executeQuery|executeUpdate|queryForObject|queryForList|createQuery|createNativeQuery)$/.test(
      call.childForFieldName('name')?.text ?? '',
    ),
  commandArgument: (call) => {
    if (call.type === 'method_invocation') {
      const exec =
        call.childForFieldName('name')?.text === 'exec' &&
        /getRuntime\(\)$/.test(call.childForFieldName('object')?.text ?? '');
      return exec ? args(call)[0] : undefined;
    }
    if (call.childForFieldName('type')?.text !== 'ProcessBuilder') return undefined;
    const [program, flag, script] = args(call);
    if (
      program &&
      /^(sh|bash|cmd)$/.test(literal(program) ?? '') &&
      /^(-c|\/c)$/.test(literal(flag ?? program) ?? '')
    )
      return script;
    return program && splicedParts(program) ? program : undefined;
  },
  splicedParts,
  literal,
  bindings,
  swallowed: (n) => n.type === 'catch_clause' && named(n.childForFieldName('body')).length === 0,
  undocumented: (fn) => {
    if (
      fn.type !== 'method_declaration' ||
      !/\bpublic\b/.test(modifiers(fn)) ||
      /@Override/.test(modifiers(fn))
    )
      return false;
    const prev = fn.previousNamedSibling;
    return !(prev?.type === 'block_comment' && prev.text.startsWith('/**'));
  },
  isTestFunction: (fn) =>
    fn.type === 'method_declaration' && /@(Test|ParameterizedTest)\b/.test(modifiers(fn)),
  assertion: /\bassert\w*\(|\bverify\(|\bfail\(|\bexpect\w*\(/,
  extra,
};
