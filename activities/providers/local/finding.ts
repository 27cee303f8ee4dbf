import type { Dimension, ModelFinding, Severity } from '../../../domain/review';

/** What a rule is, independent of where it fired. */
export interface RuleMeta {
  id: string;
  dimension: Dimension;
  severity: Severity;
  title: string;
  explanation: string;
  suggestedFix?: string;
}

/** One place a rule fired; `detail` says what exactly was seen there. */
export interface Hit {
  file: string;
  startLine: number;
  endLine: number;
  rule: RuleMeta;
  confidence: number;
  detail?: string;
}

export type Engine = 'rules' | 'ast';

/**
 * Concepts both engines detect, each in its own way. They share title, dimension and severity
 * so that consensus can match an agreement between the engines as one finding.
 */
export const SQL_INJECTION: RuleMeta = {
  id: 'sql-injection',
  dimension: 'security',
  severity: 'critical',
  title: 'SQL injection: query text built from dynamic input',
  explanation:
    'The SQL statement is assembled by concatenation, interpolation or formatting with a value that is not a constant, then executed. An attacker who controls that value can change the query.',
  suggestedFix:
    'Use a parameterised query: keep the SQL text constant with placeholders ($1, ?, %s) and pass the values as separate arguments.',
};

export const HARDCODED_SECRET: RuleMeta = {
  id: 'hardcoded-secret',
  dimension: 'security',
  severity: 'high',
  title: 'Hard-coded secret in source code',
  explanation:
    'A credential (password, token, API or private key) is written into the code. Anyone with read access to the repository or its history can use it, and rotating it needs a deploy.',
  suggestedFix:
    'Read the secret from the environment or a secret manager at start-up, and rotate the exposed value.',
};

export const COMMAND_INJECTION: RuleMeta = {
  id: 'command-injection',
  dimension: 'security',
  severity: 'critical',
  title: 'Command injection: shell or code execution with dynamic input',
  explanation:
    'A shell command or evaluated code is built from a value that is not a constant. Whoever controls the value can run arbitrary commands on the host.',
  suggestedFix:
    'Avoid the shell and eval: call the program directly with an argument array (execFile, subprocess.run([...]), exec.Command(name, args...)) and validate inputs against an allow-list.',
};

export const SWALLOWED_ERROR: RuleMeta = {
  id: 'swallowed-error',
  dimension: 'correctness',
  severity: 'medium',
  title: 'Error silently swallowed by an empty handler',
  explanation:
    'The error is caught and dropped without logging, re-raising or handling. Failures become invisible and the program continues in an unknown state.',
  suggestedFix:
    'Handle the error, log it with context, or let it propagate; if ignoring it is intended, say why in a comment.',
};

export const PATH_TRAVERSAL: RuleMeta = {
  id: 'path-traversal',
  dimension: 'security',
  severity: 'high',
  title: 'Path traversal: file path built from request input',
  explanation:
    'A value from the request is joined into a file-system path without confining it to the intended directory. `../` segments or an absolute path let the caller read or write any file the process can reach.',
  suggestedFix:
    'Keep only the base name, or resolve and normalise the path and reject it unless it stays under the root directory; better, look the file up by id.',
};

export const INSECURE_RANDOM: RuleMeta = {
  id: 'insecure-random',
  dimension: 'security',
  severity: 'high',
  title: 'Predictable random number used for a security value',
  explanation:
    'Math.random, random.*, math/rand and java.util.Random are not cryptographically secure: their output can be predicted from earlier values, so tokens, keys, codes or session ids made with them can be guessed.',
  suggestedFix:
    'Use crypto.randomBytes / crypto.randomUUID, the secrets module, crypto/rand or SecureRandom.',
};

/** Non-cryptographic generators, per family; crypto/rand's `rand.Int(rand.Reader, …)` is excluded. */
export const WEAK_RANDOM: Record<string, RegExp> = {
  ts: /\bMath\.random\s*\(/,
  py: /(?<![\w.])random\.(random|randint|randrange|choice|choices|sample|getrandbits|shuffle)\s*\(/,
  go: /(?<![\w.])(?:math|m)?rand\.(Intn|Int63n?|Int31n?|Float64|Float32|Uint32|Uint64|Perm|Shuffle)\s*\(|\bmathrand\.\w+\s*\(/,
  java: /\bnew\s+Random\s*\(|\bThreadLocalRandom\.current\s*\(|\bMath\.random\s*\(|\bRandomStringUtils\.random\w*\s*\(/,
};

/** Words that make a generated value a secret: tokens, keys, session ids, one-time codes. */
export const SECURITY_VALUE =
  /[Tt]oken|TOKEN|[Ss]ecret|[Pp]assw|[Ss]alt(?![a-z])|[Nn]once|[Ss]ession|[Oo]tp(?![a-z])|OTP|[Aa]pi_?[Kk]ey|(?<![A-Za-z])key(?![a-z])|Key(?![a-z])|[Ii]nvite|[Rr]eset|[Cc]srf|CSRF|[Cc]redential|[Vv]erification|(?<![A-Za-z])code(?![a-z])|Code(?![a-z])/;

/** Names that hold credentials, compared with separators removed and in lower case. */
const SECRET_NAME =
  /(password|passwd|passphrase|pwd|secret|token|apikey|accesskey|privatekey|secretkey|authkey|credential|signingkey|encryptionkey)$/;
const NOT_SECRET_NAME =
  /(tokenizer|tokens?(type|count|len|length|url|endpoint|name|field|header)|csrf)/;

export function isSecretName(name: string): boolean {
  const n = name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return SECRET_NAME.test(n) && !NOT_SECRET_NAME.test(n);
}

/** What the redactor leaves behind; e-mail addresses are personal data, not credentials. */
export const REDACTED_SECRET = /\[REDACTED:(?!email\])[a-z_]+\]/;

/** A literal that looks like a real credential rather than a label, placeholder or message. */
export function looksLikeSecretValue(value: string): boolean {
  if (REDACTED_SECRET.test(value)) return true;
  if (value.length < 8 || /\s/.test(value)) return false;
  if (/^(https?:)?\/\//.test(value) || /\$\{|\{\{|%s|<[^>]*>|^\*+$/.test(value)) return false;
  if (/^(x+|changeme|password|example|placeholder|dummy|test|redacted)/i.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
  return classes >= 2 && /[0-9A-Z]/.test(value);
}

/** SQL keywords that make a string a statement rather than prose. */
export const SQL_TEXT =
  /\b(select\s+[\w*"`,.\s]+\s+from|insert\s+into|update\s+[\w."`]+\s+set|delete\s+from|drop\s+table|where\s+[\w."`]+\s*(=|like|in\b|<|>))/i;

export function toModelFinding(engine: Engine, hit: Hit): ModelFinding {
  const explanation = hit.detail ? `${hit.rule.explanation} ${hit.detail}` : hit.rule.explanation;
  return {
    file: hit.file,
    startLine: hit.startLine,
    endLine: hit.endLine,
    dimension: hit.rule.dimension,
    severity: hit.rule.severity,
    title: hit.rule.title,
    explanation: explanation.slice(0, 4000),
    ...(hit.rule.suggestedFix ? { suggestedFix: hit.rule.suggestedFix } : {}),
    confidence: Math.round(hit.confidence * 100) / 100,
    ruleId: `${engine}/${hit.rule.id}`,
  };
}
