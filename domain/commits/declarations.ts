import type { Language } from '../review';

/**
 * Exported declarations on a single diff line, per language. Line-based on purpose: a diff
 * shows fragments, not parseable files, and a declaration's first line carries its name and
 * (usually) its signature. Multi-line parameter lists compare as equal: a missed change, never
 * a false alarm.
 */

export type DeclKind = 'function' | 'type' | 'value';

export interface Decl {
  name: string;
  kind: DeclKind;
  /** normalised parameter types/names and return type; null for types and values */
  params: string[] | null;
  returns: string;
}

const ws = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Splits a parameter list on top-level commas (generics and defaults may contain commas). */
export function splitParams(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if ('<([{'.includes(ch)) depth += 1;
    if ('>)]}'.includes(ch)) depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map(ws).filter((p) => p !== '');
}

/** TS parameter → its type (names are not part of the contract); optional ones end in `?`. */
function tsParam(p: string): string {
  const m = /^(?:\.\.\.)?[\w$]+(\?)?\s*(?::\s*([^=]+))?(=.*)?$/.exec(p);
  if (!m) return p;
  const optional = m[1] === '?' || m[3] !== undefined;
  return `${ws(m[2] ?? 'any')}${optional ? '?' : ''}`;
}

/** Python keeps names (callers pass keywords); a default makes it optional. */
function pyParam(p: string): string {
  const m = /^([*\w]+)\s*(?::\s*([^=]+))?(=.*)?$/.exec(p);
  if (!m) return p;
  const optional = m[3] !== undefined || (m[1] ?? '').startsWith('*');
  return `${m[1]}${optional ? '?' : ''}`;
}

/** Java and Go: the type is the contract; Java's is before the name, Go's after. */
function javaParam(p: string): string {
  return ws(p.replace(/\b(final)\s+/g, '').replace(/\s+\w+$/, ''));
}
function goParam(p: string): string {
  const parts = ws(p).split(' ');
  return parts.length > 1 ? parts.slice(1).join(' ') : (parts[0] ?? '');
}

const TS_FUNCTION =
  /^\s*export\s+(?:default\s+)?(?:declare\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^(]*>)?\s*\(([^)]*)(\))?\s*(?::\s*([^{]+))?/;
const TS_TYPE =
  /^\s*export\s+(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:const\s+)?(class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/;
const TS_ARROW =
  /^\s*export\s+(?:declare\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s*)?\(([^)]*)\)\s*(?::\s*([^=]+))?=>/;
const TS_VALUE = /^\s*export\s+(?:declare\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)/;
const TS_LIST = /^\s*export\s+(?:type\s+)?\{([^}]*)\}/;
const CJS = /^\s*(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=/;

function tsDecls(text: string): Decl[] {
  let m = TS_FUNCTION.exec(text);
  if (m?.[1]) {
    const complete = m[3] === ')';
    return [
      {
        name: m[1],
        kind: 'function',
        params: complete ? splitParams(m[2] ?? '').map(tsParam) : null,
        returns: ws(m[4] ?? ''),
      },
    ];
  }
  m = TS_TYPE.exec(text);
  if (m?.[2]) return [{ name: m[2], kind: 'type', params: null, returns: '' }];
  m = TS_ARROW.exec(text);
  if (m?.[1]) {
    return [
      {
        name: m[1],
        kind: 'function',
        params: splitParams(m[2] ?? '').map(tsParam),
        returns: ws(m[3] ?? ''),
      },
    ];
  }
  m = TS_VALUE.exec(text);
  if (m?.[1]) return [{ name: m[1], kind: 'value', params: null, returns: '' }];
  m = TS_LIST.exec(text);
  if (m?.[1] !== undefined && !/\bfrom\b/.test(text.slice(m[0].length))) {
    return splitParams(m[1]).map((entry) => {
      const name = ws(
        entry
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop() ?? entry,
      );
      return { name, kind: 'value' as const, params: null, returns: '' };
    });
  }
  m = CJS.exec(text);
  if (m?.[1]) return [{ name: m[1], kind: 'value', params: null, returns: '' }];
  return [];
}

const PY_DEF = /^(?:async\s+)?def\s+([A-Za-z]\w*)\s*\(([^)]*)(\))?\s*(?:->\s*([^:]+))?/;
const PY_CLASS = /^class\s+([A-Za-z]\w*)/;

function pyDecls(text: string): Decl[] {
  // only module level: indented defs are methods or nested helpers, invisible without context
  let m = PY_DEF.exec(text);
  if (m?.[1]) {
    const complete = m[3] === ')';
    return [
      {
        name: m[1],
        kind: 'function',
        params: complete ? splitParams(m[2] ?? '').map(pyParam) : null,
        returns: ws(m[4] ?? ''),
      },
    ];
  }
  m = PY_CLASS.exec(text);
  return m?.[1] ? [{ name: m[1], kind: 'type', params: null, returns: '' }] : [];
}

const GO_FUNC =
  /^func\s+(?:\(\s*(?:\w+\s+)?\*?\s*([A-Za-z_]\w*)(?:\[[^\]]*\])?\s*\)\s*)?([A-Z]\w*)\s*(?:\[[^\]]*\])?\(([^)]*)(\))?\s*([^{]*)/;
const GO_TYPE = /^type\s+([A-Z]\w*)\s/;

function goDecls(text: string): Decl[] {
  let m = GO_FUNC.exec(text);
  if (m?.[2]) {
    const receiver = m[1];
    // methods of unexported types are not reachable from other packages
    if (receiver && !/^[A-Z]/.test(receiver)) return [];
    const complete = m[4] === ')';
    return [
      {
        name: receiver ? `${receiver}.${m[2]}` : m[2],
        kind: 'function',
        params: complete ? splitParams(m[3] ?? '').map(goParam) : null,
        returns: ws(m[5] ?? ''),
      },
    ];
  }
  m = GO_TYPE.exec(text);
  return m?.[1] ? [{ name: m[1], kind: 'type', params: null, returns: '' }] : [];
}

const JAVA_MODS =
  '(?:(?:static|final|abstract|sealed|non-sealed|synchronized|default|native|strictfp)\\s+)*';
const JAVA_TYPE = new RegExp(
  `^\\s*public\\s+${JAVA_MODS}(class|interface|enum|record|@interface)\\s+(\\w+)`,
);
const JAVA_METHOD = new RegExp(
  `^\\s*public\\s+${JAVA_MODS}(?:<[^>]+>\\s+)?(?:([\\w.<>\\[\\]?, ]+?)\\s+)?(\\w+)\\s*\\(([^)]*)(\\))?`,
);

function javaDecls(text: string): Decl[] {
  let m = JAVA_TYPE.exec(text);
  if (m?.[2]) return [{ name: m[2], kind: 'type', params: null, returns: '' }];
  m = JAVA_METHOD.exec(text);
  if (m?.[2] && !/^(if|for|while|switch|return|new)$/.test(m[2])) {
    const complete = m[4] === ')';
    return [
      {
        name: m[2],
        kind: 'function',
        params: complete ? splitParams(m[3] ?? '').map(javaParam) : null,
        returns: ws(m[1] ?? ''),
      },
    ];
  }
  return [];
}

export function declarationsOn(language: Language, text: string): Decl[] {
  switch (language) {
    case 'typescript':
    case 'javascript':
      return tsDecls(text);
    case 'python':
      return pyDecls(text);
    case 'go':
      return goDecls(text);
    case 'java':
      return javaDecls(text);
    default:
      return [];
  }
}

/** True when every call that compiled against `before` still compiles against `after`. */
export function compatibleSignature(before: Decl, after: Decl): boolean {
  if (before.params === null || after.params === null) return true;
  if (before.returns !== after.returns) return false;
  const n = before.params.length;
  if (after.params.length < n) return false;
  for (let i = 0; i < n; i += 1) {
    const a = before.params[i] ?? '';
    const b = after.params[i] ?? '';
    // a required parameter that became optional still accepts every old call
    if (a !== b && `${a}?` !== b) return false;
  }
  return after.params.slice(n).every((p) => p.endsWith('?'));
}
