import { Redaction } from './review';
import type { DiffFile, DiffHunk, DiffLine } from './review';

/**
 * Removes secrets and e-mail addresses from a diff before any model sees it. Only the secret
 * is replaced (`[REDACTED:<kind>]`): the rest of the line stays, so a reviewer can still see
 * that a literal credential was hard-coded. What was removed is recorded by file, line and
 * kind, never by value. Precision matters as much as recall: `password = input()` or
 * `const token = getToken()` is ordinary code and is left alone.
 */

export type RedactionKind = Redaction['kind'];

export const redactionMarker = (kind: RedactionKind): string => `[REDACTED:${kind}]`;

/** Finds a marker the redactor left; group 1 is the kind. For engines that flag the literal. */
export const REDACTION_MARKER = new RegExp(
  `\\[REDACTED:(${Redaction.shape.kind.options.join('|')})\\]`,
);

interface Pattern {
  kind: RedactionKind;
  re: RegExp;
  /** capture group holding the secret; the whole match when absent */
  group?: number;
}

/** Vendor formats, checked before the assignment rules so that the more specific kind wins. */
const PATTERNS: Pattern[] = [
  // Credentials inside URLs: keep scheme, user and host, drop the password.
  {
    kind: 'connection_string',
    re: /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"`]+:([^\s@/'"`]+)@/gi,
    group: 1,
  },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  { kind: 'aws_key', re: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/g },
  {
    kind: 'aws_key',
    re: /(?:aws_?secret(?:_?access)?|secret_?access)_?key["']?\s*[:=]{1,2}\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
  },
  { kind: 'github_token', re: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g },
  { kind: 'github_token', re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { kind: 'slack_token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  {
    kind: 'slack_token',
    re: /hooks\.slack\.com\/services\/(T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+)/g,
    group: 1,
  },
  { kind: 'stripe_key', re: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { kind: 'gcp_key', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { kind: 'gcp_key', re: /"private_key_id"\s*:\s*"([a-f0-9]{40})"/g, group: 1 },
  {
    kind: 'azure_key',
    re: /\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*([A-Za-z0-9+/=%]{20,})/gi,
    group: 1,
  },
  { kind: 'azure_key', re: /[?&]sig=([A-Za-z0-9%+/=]{20,})/g, group: 1 },
  // Model vendors' and registries' keys: this platform's own users paste them by accident.
  { kind: 'generic_token', re: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}/g },
  { kind: 'generic_token', re: /\b(?:npm_[A-Za-z0-9]{36}|glpat-[A-Za-z0-9_-]{20,})\b/g },
  { kind: 'generic_token', re: /\bBearer\s+([A-Za-z0-9._~+/-]{20,}=*)/g, group: 1 },
];

const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+(?!(?:png|jpe?g|gif|svg|webp|ico|js|ts|css|map)\b)[A-Za-z]{2,}\b/g;

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;

/* ---------- assignments: `<name> = <literal>` where the name says what the literal is ---------- */

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode']);
const TOKEN_WORDS = new Set(['token', 'secret', 'apikey', 'credential', 'credentials']);
// prettier-ignore
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'signing', 'encryption', 'master', 'auth', 'client', 'app',
]);

/** name (or --flag), separator, then a quoted literal or a bare value */
const ASSIGNMENT =
  /(^|[^A-Za-z0-9_.$-])(-{0,2})["']?\$?([A-Za-z_][A-Za-z0-9_.-]*)["']?(?:\s*:\s*[A-Za-z_][\w.]*(?:\[[\w., ]*\])?\??(?=\s*=))?(\s*(?::=|=>|===?|=|:)\s*)(?:(["'`])((?:\\.|(?!\5).){0,500})\5|([^\s"'`,;&#<>]+))/g;

const XML_PASSWORD = /<(password|passwd|secret|token)>([^<]+)<\/\1>/gi;

/** Kubernetes and compose env lists put the name and the value on consecutive lines. */
const NAME_LINE = /^\s*-?\s*name:\s*["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*$/;
const VALUE_LINE = /^(\s*value:\s*)(["']?)(.*?)\2\s*$/;

/** Config-like files, where bare values (`password: hunter2`) are literals rather than code. */
const CONFIG_FILE =
  /(\.(ya?ml|env|ini|properties|toml|conf|cfg|json)|(^|\/)\.env(\.[\w-]+)?|(^|\/)Dockerfile)$/i;

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

function kindOfName(name: string): 'password' | 'generic_token' | undefined {
  const w = words(name);
  const last = w[w.length - 1] ?? '';
  const before = w[w.length - 2] ?? '';
  // Compounds written as one word (PGPASSWORD, authtoken) count; short ones (bypass) do not.
  if (PASSWORD_WORDS.has(last) || /(password|passwd|passphrase)$/.test(last)) return 'password';
  if (TOKEN_WORDS.has(last) || /(token|secret)$/.test(last)) return 'generic_token';
  if (last === 'key' && KEY_QUALIFIERS.has(before)) return 'generic_token';
  return undefined;
}

/** Values that name a secret rather than being one: templates, env lookups, empties. */
function isPlaceholder(v: string): boolean {
  return (
    v.trim() === '' ||
    v.includes('[REDACTED:') ||
    /^(\$|%\(|%s$|\{\{|<[^>]*>$|\*+$|x+$|null$|none$|nil$|undefined$|true$|false$|~$)/i.test(v) ||
    /\$\{|\{\{/.test(v)
  );
}

/** A token must look random: long, varied, with digits or mixed case (words are not tokens). */
function looksRandom(v: string): boolean {
  if (v.length < 12) return false;
  if (!/\d/.test(v) && !(/[a-z]/.test(v) && /[A-Z]/.test(v))) return false;
  const counts = new Map<string, number>();
  for (const c of v) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / v.length) * Math.log2(n / v.length);
  return entropy >= 3;
}

function looksLikeCode(v: string): boolean {
  return /[()[\]{}]/.test(v) || /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_]/.test(v);
}

interface Hit {
  start: number;
  end: number;
  kind: RedactionKind;
}

function acceptable(kind: 'password' | 'generic_token', value: string): boolean {
  return !isPlaceholder(value) && (kind === 'password' || looksRandom(value));
}

function assignmentHits(text: string, configFile: boolean, previous?: string): Hit[] {
  const hits: Hit[] = [];
  const named = previous === undefined ? undefined : NAME_LINE.exec(previous)?.[1];
  const kindOfPair = named === undefined ? undefined : kindOfName(named);
  const pair = kindOfPair && VALUE_LINE.exec(text);
  if (kindOfPair && pair) {
    const [, prefix = '', quote = '', value = ''] = pair;
    const start = prefix.length + quote.length;
    if (acceptable(kindOfPair, value))
      hits.push({ start, end: start + value.length, kind: kindOfPair });
  }
  for (const m of text.matchAll(ASSIGNMENT)) {
    const [, lead = '', dashes = '', name = '', sep = '', quote, quoted, bare] = m;
    const kind = kindOfName(name);
    if (!kind) continue;
    const value = quote !== undefined ? (quoted ?? '') : (bare ?? '');
    if (!acceptable(kind, value)) continue;
    if (quote === undefined) {
      // Bare values are code (`password = input()`) except in config files, env-style
      // `NAME=value` lines, command-line flags and URL query strings.
      const envStyle = /^[A-Z0-9_]+$/.test(name) && sep === '=';
      const flag = dashes !== '' && sep === '=';
      const query = lead === '?' || lead === '&';
      if (!(configFile || envStyle || flag || query) || looksLikeCode(value)) continue;
    }
    const valueStart = (m.index ?? 0) + m[0].length - value.length - (quote ? 1 : 0);
    hits.push({ start: valueStart, end: valueStart + value.length, kind });
  }
  for (const m of text.matchAll(XML_PASSWORD)) {
    const tag = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    const kind = tag === 'password' || tag === 'passwd' ? 'password' : 'generic_token';
    if (!acceptable(kind, value)) continue;
    const start = (m.index ?? 0) + tag.length + 2;
    hits.push({ start, end: start + value.length, kind });
  }
  return hits;
}

/** Applies one family of hits in a single pass; of overlapping hits the first one wins. */
function apply(text: string, hits: Hit[], found: Set<RedactionKind>): string {
  if (hits.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const h of [...hits].sort((a, b) => a.start - b.start)) {
    if (h.start < at) continue;
    parts.push(text.slice(at, h.start), redactionMarker(h.kind));
    at = h.end;
    found.add(h.kind);
  }
  parts.push(text.slice(at));
  return parts.join('');
}

function patternHits(text: string, p: Pattern): Hit[] {
  const hits: Hit[] = [];
  for (const m of text.matchAll(p.re)) {
    const secret = p.group === undefined ? m[0] : m[p.group];
    if (secret === undefined || isPlaceholder(secret)) continue;
    const offset = p.group === undefined ? 0 : m[0].lastIndexOf(secret);
    const start = (m.index ?? 0) + offset;
    hits.push({ start, end: start + secret.length, kind: p.kind });
  }
  return hits;
}

/**
 * Redacts one line of text; returns the new text and the kinds it removed. `previous` is the
 * line before it on the same side of the diff, for secrets split over a name and a value line.
 */
export function redactText(
  text: string,
  opts: { configFile?: boolean; previous?: string } = {},
): { text: string; kinds: RedactionKind[] } {
  const found = new Set<RedactionKind>();
  let out = text;
  const pem = PEM_BEGIN.exec(out);
  if (pem) {
    // A key on one line (JSON-escaped, as in GCP service-account files) or the start of a block.
    const end = PEM_END.exec(out.slice(pem.index));
    const stop = end ? pem.index + end.index + end[0].length : out.length;
    out = out.slice(0, pem.index) + redactionMarker('private_key') + out.slice(stop);
    found.add('private_key');
  }
  for (const p of PATTERNS) {
    out = apply(out, patternHits(out, p), found);
  }
  out = apply(out, assignmentHits(out, opts.configFile ?? false, opts.previous), found);
  out = apply(
    out,
    [...out.matchAll(EMAIL)]
      .filter((m) => !/^git@/.test(m[0]))
      .map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, kind: 'email' })),
    found,
  );
  return { text: out, kinds: [...found] };
}

/* ---------- multi-line private keys, tracked per side of the diff ---------- */

type Side = 'old' | 'new';
const sidesOf = (l: DiffLine): Side[] =>
  l.kind === 'add' ? ['new'] : l.kind === 'del' ? ['old'] : ['old', 'new'];

interface PemScan {
  /** lines inside a block that began or ends outside that line */
  inside: Set<number>;
  /** first line of a block whose BEGIN lies before the hunk: where its redaction is recorded */
  orphanStarts: Set<number>;
}

function scanPem(hunk: DiffHunk): PemScan {
  const scan: PemScan = { inside: new Set(), orphanStarts: new Set() };
  for (const side of ['old', 'new'] as const) {
    let open = false;
    const seen: number[] = [];
    hunk.lines.forEach((line, i) => {
      if (!sidesOf(line).includes(side)) return;
      const begins = PEM_BEGIN.test(line.text);
      const ends = PEM_END.test(line.text);
      if (begins && !ends) open = true;
      else if (ends && !begins) {
        // The block began before the hunk: everything of this side so far was key material.
        if (!open) {
          for (const j of seen) scan.inside.add(j);
          scan.orphanStarts.add(seen[0] ?? i);
        }
        scan.inside.add(i);
        open = false;
      } else if (open) scan.inside.add(i);
      seen.push(i);
    });
  }
  return scan;
}

/** A body line becomes the marker; an END line keeps whatever follows the marker. */
function redactPemBody(text: string): string {
  const end = PEM_END.exec(text);
  const rest = end ? text.slice(end.index + end[0].length) : '';
  return redactionMarker('private_key') + rest;
}

export function redactDiff(files: DiffFile[]): { files: DiffFile[]; redactions: Redaction[] } {
  const redactions: Redaction[] = [];
  const out = files.map((file) => {
    const configFile = CONFIG_FILE.test(file.path);
    const record = (line: number, kind: RedactionKind) =>
      redactions.push({ file: file.path, line, kind });
    const hunks = file.hunks.map((hunk) => {
      const pem = scanPem(hunk);
      const header = redactText(hunk.header, { configFile });
      // The header's trailing context is a line above the hunk whose number git does not give.
      for (const kind of header.kinds) record(hunk.newStart, kind);
      const last: Record<Side, string | undefined> = { old: undefined, new: undefined };
      const lines = hunk.lines.map((line, i): DiffLine => {
        const lineNo = line.newLine ?? line.oldLine ?? hunk.newStart;
        if (pem.orphanStarts.has(i)) record(lineNo, 'private_key');
        const inBlock = pem.inside.has(i) && !PEM_BEGIN.test(line.text);
        const previous = last[line.kind === 'del' ? 'old' : 'new'];
        for (const side of sidesOf(line)) last[side] = line.text;
        const r = redactText(inBlock ? redactPemBody(line.text) : line.text, {
          configFile,
          previous,
        });
        for (const kind of r.kinds) record(lineNo, kind);
        return r.text === line.text ? line : { ...line, text: r.text };
      });
      return { ...hunk, header: header.text, lines };
    });
    return { ...file, hunks };
  });
  return { files: out, redactions };
}
