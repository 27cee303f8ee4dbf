import type { RuleMeta } from '../finding';
import {
  COMMAND_INJECTION,
  HARDCODED_SECRET,
  REDACTED_SECRET,
  SQL_INJECTION,
  SQL_TEXT,
  isSecretName,
  looksLikeSecretValue,
} from '../finding';
import type { LineCtx, LineRule } from './context';
import { before, hit, statementAt } from './context';

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
  const args = text.slice(text.indexOf(m[0]) + m[0].length);
  if (splicedSql(args)) return [hit(ctx, SQL_INJECTION, 0.9, 'The SQL is built inline.', last)];
  const variable = /^\s*([A-Za-z_$][\w$]*)\s*[,)]/.exec(args)?.[1];
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

/** Credentials assigned as literals, including the markers the redactor left for them. */
const hardcodedSecret: LineRule = (ctx) => {
  for (const m of ctx.code.matchAll(SECRET_ASSIGNMENT)) {
    const [, name = '', , value = ''] = m;
    if (isSecretName(name) && looksLikeSecretValue(value)) {
      const redacted = REDACTED_SECRET.test(value);
      return [hit(ctx, HARDCODED_SECRET, redacted ? 0.95 : 0.8, `\`${name}\` holds a literal.`)];
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
  ts: /(?:(?<![.\w$])|\b(?:child_process|childProcess|cp)\.)(exec|execSync|eval)\s*\(|\bnew\s+Function\s*\(/,
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
  return /pass(word|wd)?|pwd/i.test(near) ? [hit(ctx, WEAK_PASSWORD_HASH, 0.8)] : [];
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
  /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0|verify\s*=\s*False|InsecureSkipVerify\s*:\s*true|NoopHostnameVerifier|ALLOW_ALL_HOSTNAME_VERIFIER|setHostnameVerifier\(\s*\([^)]*\)\s*->\s*true|CERT_NONE/;

const insecureTls: LineRule = (ctx) =>
  TLS_OFF.test(ctx.code) ? [hit(ctx, INSECURE_TLS, 0.9)] : [];

const INSECURE_RANDOM: RuleMeta = {
  id: 'insecure-random',
  dimension: 'security',
  severity: 'medium',
  title: 'Predictable random number used for a security value',
  explanation:
    'Math.random, random.random and math/rand are not cryptographically secure; tokens, salts or ids made with them can be guessed.',
  suggestedFix:
    'Use crypto.randomBytes / crypto.randomUUID, secrets.token_*, crypto/rand or SecureRandom.',
};

const insecureRandom: LineRule = (ctx) =>
  /Math\.random\(|\brandom\.(random|randint|choice)\(|\brand\.(Int|Intn|Read)\(|new\s+Random\(/.test(
    ctx.code,
  ) && /token|secret|passw|salt|nonce|session|otp|apikey|api_key/i.test(ctx.code)
    ? [hit(ctx, INSECURE_RANDOM, 0.7)]
    : [];

export const SECURITY_RULES: LineRule[] = [
  sqlInjection,
  hardcodedSecret,
  commandInjection,
  weakPasswordHash,
  insecureTls,
  insecureRandom,
];

export type { LineCtx };
