import type { RuleMeta } from '../finding';
import {
  COMMAND_INJECTION,
  HARDCODED_SECRET,
  REDACTED_SECRET,
  SQL_INJECTION,
  SQL_TEXT,
  INSECURE_RANDOM,
  PATH_TRAVERSAL,
  SECURITY_VALUE,
  WEAK_RANDOM,
  isSecretName,
  looksLikeSecretValue,
} from '../finding';
import type { LineCtx, LineRule } from './context';
import { before, callArguments, hit, indentOf, requestInputs, statementAt } from './context';

/** Calls that send SQL text to a database, across drivers and ORMs of the four languages. */
const SQL_SINK =
  /(?:^|[^\w$])(query|execute|executemany|executescript|raw|executeQuery|executeUpdate|executeLargeUpdate|prepareStatement|createQuery|createNativeQuery|queryRow|queryRowContext|queryContext|execContext|exec|\$queryRawUnsafe|\$executeRawUnsafe|text)\s*\(/i;

/** Ways a string gets a runtime value spliced into it. */
const SPLICED =
  /["'`]\s*\+\s*[\w$(]|[\w$)\]]\s*\+\s*["'`]|\$\{|\bf"[^"]*\{|\bf'[^']*\{|["']\s*\.format\(|["']\s*%\s*[\w(]|\bfmt\.Sprintf\(|\bString\.format\(|\.concat\(/;

function splicedSql(text: string): boolean {
  return SQL_TEXT.test(text) && SPLICED.test(text);
}

/** SQL built with a runtime value and passed to a query call, directly or through a variable. */
const sqlInjection: LineRule = (ctx) => {
  const m = SQL_SINK.exec(ctx.code);
  if (!m) return [];
  const { text, last } = statementAt(ctx.hunk, ctx.index);
  // Only the statement text counts: values passed as separate parameters are what makes it safe.
  const args = callArguments(text.slice(text.indexOf(m[0]) + m[0].length));
  const sqlArg = args.find((a) => SQL_TEXT.test(a));
  if (sqlArg !== undefined) {
    return SPLICED.test(sqlArg)
      ? [hit(ctx, SQL_INJECTION, 0.9, 'The SQL is built inline.', last)]
      : [];
  }
  const variable = args
    .slice(0, 2)
    .find((a) => /^[A-Za-z_$][\w$]*$/.test(a) && !/^(ctx|context)$/.test(a));
  if (!variable) return [];
  const assign = new RegExp(`(^|[^\\w$.])${variable.replace('$', '\\$')}\\s*(\\+?=|:=)(?!=)`);
  for (const prev of before(ctx, 20)) {
    if (!assign.test(prev.text)) continue;
    const at = ctx.hunk.lines.indexOf(prev);
    if (splicedSql(statementAt(ctx.hunk, at).text)) {
      return [hit(ctx, SQL_INJECTION, 0.85, `\`${variable}\` is built from a runtime value.`)];
    }
  }
  return [];
};

const SECRET_ASSIGNMENT =
  /([A-Za-z_$][\w$.-]*)["']?\s*(?::\s*[\w<>[\]|. ]+?\s*)?(?:=|:=|:|=>)\s*(?:[A-Za-z]\w*\()?\s*(["'`])((?:\\.|(?!\2).)*)\2/g;

/** `setPassword("…")`, `withApiKey("…")`: a builder or bean setter given a literal. */
const SECRET_SETTER = /\.(?:set|with)([A-Z]\w*)\(\s*(["'`])((?:\\.|(?!\2).)*)\2\s*\)/g;

/** Credentials assigned as literals, including the markers the redactor left for them. */
const hardcodedSecret: LineRule = (ctx) => {
  for (const m of ctx.code.matchAll(SECRET_ASSIGNMENT)) {
    const [, name = '', , value = ''] = m;
    if (isSecretName(name) && looksLikeSecretValue(value)) {
      const redacted = REDACTED_SECRET.test(value);
      return [hit(ctx, HARDCODED_SECRET, redacted ? 0.95 : 0.8, `\`${name}\` holds a literal.`)];
    }
  }
  for (const m of ctx.code.matchAll(SECRET_SETTER)) {
    const [, name = '', , value = ''] = m;
    if (isSecretName(name) && looksLikeSecretValue(value)) {
      return [hit(ctx, HARDCODED_SECRET, 0.8, `\`set${name}\` receives a literal.`)];
    }
  }
  if (REDACTED_SECRET.test(ctx.code)) {
    return [hit(ctx, HARDCODED_SECRET, 0.85, 'The redactor found a credential literal here.')];
  }
  return [];
};

/** A sink argument that is not a single constant string. */
function dynamicArgument(args: string): boolean {
  const first = args.split(/,(?![^(]*\))/)[0]?.trim() ?? '';
  if (first === '' || /^(["'])[^"'$]*\1$/.test(first) || /^`[^`$]*`$/.test(first)) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(first)) return false;
  return true;
}

const SHELL_SINKS: Record<string, RegExp> = {
  ts: /(?:(?<![.\w$])|\b(?:child_process|childProcess|cp)\.)(exec|execSync|execAsync|execPromise|eval)\s*\(|\bnew\s+Function\s*\(/,
  py: /\b(os\.system|os\.popen|eval|exec|subprocess\.(?:call|run|Popen|check_output|check_call)|commands\.getoutput)\s*\(/,
  go: /\bexec\.Command(?:Context)?\s*\(/,
  java: /\b(Runtime\.getRuntime\(\)\.exec|new\s+ProcessBuilder)\s*\(/,
};

/** Shell commands and evaluated code built from runtime values. */
const commandInjection: LineRule = (ctx) => {
  const sink = SHELL_SINKS[ctx.file.family];
  const m = sink?.exec(ctx.code);
  if (!m) return [];
  const { text, last } = statementAt(ctx.hunk, ctx.index);
  let args = text.slice(text.indexOf(m[0]) + m[0].length);
  const call = m[1] ?? '';
  if (ctx.file.family === 'py' && call.startsWith('subprocess') && !/shell\s*=\s*True/.test(args)) {
    return [];
  }
  if (ctx.file.family === 'go' || call.includes('ProcessBuilder')) {
    if (ctx.file.family === 'go') args = args.replace(/^\s*ctx\s*,/, '');
    const viaShell = /^\s*"(sh|bash|cmd|powershell)"\s*,\s*"(-c|\/c)"\s*,(.*)$/s.exec(args);
    if (viaShell) args = viaShell[3] ?? '';
    else if (!SPLICED.test(args.split(',')[0] ?? '')) return [];
  }
  if (!dynamicArgument(args)) return [];
  return [
    hit(ctx, COMMAND_INJECTION, 0.8, `\`${call || 'eval'}\` receives a runtime value.`, last),
  ];
};

const WEAK_PASSWORD_HASH: RuleMeta = {
  id: 'weak-password-hash',
  dimension: 'security',
  severity: 'high',
  title: 'Weak hash (MD5/SHA-1) used for passwords',
  explanation:
    'MD5 and SHA-1 are fast and broken; password hashes made with them are cracked offline in minutes.',
  suggestedFix: 'Use a password hashing function: argon2id, scrypt or bcrypt with a per-user salt.',
};

const WEAK_HASH =
  /\bmd5\b|\bsha-?1\b|createHash\(\s*['"](md5|sha1)['"]|getInstance\(\s*"(MD5|SHA-?1)"/i;

const weakPasswordHash: LineRule = (ctx) => {
  if (!WEAK_HASH.test(ctx.code)) return [];
  const near = [ctx.line, ...before(ctx, 3)].map((l) => l.text).join('\n');
  return /pass(word|wd)?|pwd|secret|credential/i.test(near)
    ? [hit(ctx, WEAK_PASSWORD_HASH, 0.8)]
    : [];
};

const INSECURE_TLS: RuleMeta = {
  id: 'insecure-tls',
  dimension: 'security',
  severity: 'high',
  title: 'TLS certificate verification disabled',
  explanation:
    'Turning off certificate or host-name verification lets anyone on the network path impersonate the server and read or alter the traffic.',
  suggestedFix: 'Keep verification on; trust a private CA by configuring its certificate instead.',
};

const TLS_OFF =
  /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0|verify\s*=\s*False|InsecureSkipVerify\s*:\s*true|NoopHostnameVerifier|ALLOW_ALL_HOSTNAME_VERIFIER|setHostnameVerifier\(\s*\([^)]*\)\s*->\s*true|CERT_NONE|\bnew\s+\w*(TrustAll|TrustEvery|AcceptAll|Insecure|Trusting|Permissive)\w*\s*\(|InsecureTrustManagerFactory|TrustAllStrategy|check(Server|Client)Trusted\([^)]*\)\s*(throws\s+[\w.]+\s*)?\{\s*\}|_create_unverified_context|check_hostname\s*=\s*False/;

const insecureTls: LineRule = (ctx) =>
  TLS_OFF.test(ctx.code) ? [hit(ctx, INSECURE_TLS, 0.9)] : [];

const SECURITY_WORD_BEFORE = 15;

/** Non-cryptographic randomness in code that makes a secret (the line or its function says so). */
const insecureRandom: LineRule = (ctx) => {
  const rng = WEAK_RANDOM[ctx.file.family];
  if (ctx.file.isTest || !rng?.test(ctx.code) || /rand\.Reader/.test(ctx.code)) return [];
  let context = ctx.code;
  for (const prev of before(ctx, SECURITY_WORD_BEFORE)) {
    if (indentOf(prev.text) >= indentOf(ctx.line.text) || prev.text.trim() === '') continue;
    context += `\n${prev.text}`;
    if (FUNCTION_START.test(prev.text)) break;
  }
  return SECURITY_VALUE.test(context.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""'))
    ? [hit(ctx, INSECURE_RANDOM, 0.75)]
    : [];
};

const FUNCTION_START =
  /^\s*((export\s+)?(async\s+)?function\b|(async\s+)?def\s|func\s|[\w<>[\], ]+\s+\w+\s*\([^;]*\)\s*(throws\s[\w., ]+)?\{\s*$)/;

const FILE_SINK =
  /\b(path\.(join|resolve)|filepath\.Join|os\.path\.join|Paths\.get|Path\.of|os\.(Open|OpenFile|ReadFile|Create)|http\.ServeFile|send_file|sendFile|createReadStream|readFile(Sync)?|open)\s*\(|\.resolve\s*\(|new\s+(File|FileInputStream|FileReader)\s*\(/;
const CONFINED =
  /\b(basename|filepath\.Base|path\.Base|secure_filename)\s*\(|\.normalize\(\)|\bClean\(\s*"\/"/;
const CONTAINMENT = /\.startsWith\(|HasPrefix\(|is_relative_to\(|commonpath\(|relative\(/;

/** A request value joined into a file path with nothing keeping it inside its directory. */
const pathTraversal: LineRule = (ctx) => {
  const m = FILE_SINK.exec(ctx.code);
  if (!m) return [];
  const inputs = requestInputs(ctx);
  const { text, last } = statementAt(ctx.hunk, ctx.index);
  const args = text.slice(text.indexOf(m[0]) + m[0].length);
  if (!inputs?.test(args) || CONFINED.test(text)) return [];
  const after = ctx.hunk.lines.slice(last + 1, last + 5).map((l) => l.text);
  if (after.some((t) => CONTAINMENT.test(t))) return [];
  return [hit(ctx, PATH_TRAVERSAL, 0.8, 'The path comes from the request.', last)];
};

export const SECURITY_RULES: LineRule[] = [
  sqlInjection,
  hardcodedSecret,
  commandInjection,
  weakPasswordHash,
  insecureTls,
  insecureRandom,
  pathTraversal,
];

export type { LineCtx };
