import { REDACTION_MARKER, redactDiff, redactText } from '../../domain/redact';
import type { RedactionKind } from '../../domain/redact';
import type { DiffFile, DiffLine } from '../../domain/review';

/*
 * Secret-shaped values are assembled at run time so that secret scanners do not flag this
 * repository; they are fake and match only the published formats.
 */
const j = (...parts: string[]): string => parts.join('');
const AWS_ID = j('AKIA', 'IOSFODNN7EXAMPLE');
const AWS_SECRET = j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY');
const GCP = j('AIza', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY');
const GH_PAT = j('ghp_', 'R8w3kQpL2zX9vT1bN6mY4cJ7hF0dS5aG2eK8');
const GH_OAUTH = j('gho_', '16C7e42F292c6912E7710c838347Ae178B4a');
const GH_FINE = j('github_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH');
const SLACK = j('xoxb-', '2640192831-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx');
const STRIPE = j('sk_live_', '51H8sdf9Kq2LmN3oP4qR5sT6uV7wX8yZ9');
const JWT = j(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0',
  '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
const AZURE_KEY = j(
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu',
  'Fq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
);
const OPENAI = j('sk-proj-', 'a8Kd93jf0QmZ7xYp2LwE5vRt1NcB6uHs');
const PEM_LINES = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi8z7JbQ7tVq0cZ5H5w1yWq0F1b',
  'n0Zq1YkXo8cX9p3mJ2fQ5nKx1hR4vW7tY0uB3eL6gN9sD2aF5jH8kM1pS4vX7zC',
  '-----END RSA PRIVATE KEY-----',
];

const one = (text: string, configFile = false): { text: string; kinds: RedactionKind[] } =>
  redactText(text, { configFile });

describe('redactText finds each kind of secret and keeps the rest of the line', () => {
  it.each<[string, string, string, string, RedactionKind]>([
    [
      'an AWS access key id',
      `const id = "${AWS_ID}";`,
      AWS_ID,
      'const id = "[REDACTED:aws_key]";',
      'aws_key',
    ],
    [
      'an AWS secret key in an assignment',
      `aws_secret_access_key = ${AWS_SECRET}`,
      AWS_SECRET,
      'aws_secret_access_key = [REDACTED:aws_key]',
      'aws_key',
    ],
    [
      'an AWS secret key in SDK config',
      `  secretAccessKey: '${AWS_SECRET}',`,
      AWS_SECRET,
      "  secretAccessKey: '[REDACTED:aws_key]',",
      'aws_key',
    ],
    ['a GCP API key', `MAPS_KEY = '${GCP}'`, GCP, "MAPS_KEY = '[REDACTED:gcp_key]'", 'gcp_key'],
    [
      'a GCP service-account key id',
      `  "private_key_id": "${'3f'.repeat(20)}",`,
      '3f'.repeat(20),
      '  "private_key_id": "[REDACTED:gcp_key]",',
      'gcp_key',
    ],
    [
      'an Azure storage connection string',
      `conn = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net"`,
      AZURE_KEY,
      'conn = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=[REDACTED:azure_key];EndpointSuffix=core.windows.net"',
      'azure_key',
    ],
    [
      'a GitHub personal token',
      `token: ${GH_PAT}`,
      GH_PAT,
      'token: [REDACTED:github_token]',
      'github_token',
    ],
    [
      'a GitHub OAuth token',
      `gh auth ${GH_OAUTH}`,
      GH_OAUTH,
      'gh auth [REDACTED:github_token]',
      'github_token',
    ],
    [
      'a fine-grained GitHub token',
      `"${GH_FINE}"`,
      GH_FINE,
      '"[REDACTED:github_token]"',
      'github_token',
    ],
    ['a Slack bot token', `SLACK=${SLACK}`, SLACK, 'SLACK=[REDACTED:slack_token]', 'slack_token'],
    [
      'a Stripe live key',
      `stripe(${'"'}${STRIPE}")`,
      STRIPE,
      'stripe("[REDACTED:stripe_key]")',
      'stripe_key',
    ],
    ['a JWT', `Authorization: Bearer ${JWT}`, JWT, 'Authorization: Bearer [REDACTED:jwt]', 'jwt'],
    [
      'a model vendor key',
      `client = OpenAI(api_key="${OPENAI}")`,
      OPENAI,
      'client = OpenAI(api_key="[REDACTED:generic_token]")',
      'generic_token',
    ],
    [
      'a high-entropy token in an assignment',
      'const API_TOKEN = "f3b9c1d27a8e4b60b5d1";',
      'f3b9c1d27a8e4b60b5d1',
      'const API_TOKEN = "[REDACTED:generic_token]";',
      'generic_token',
    ],
    [
      'a password in code',
      'db.connect(password="hunter2")',
      'hunter2',
      'db.connect(password="[REDACTED:password]")',
      'password',
    ],
    [
      'a typed Python password',
      'password: str = "hunter2"',
      'hunter2',
      'password: str = "[REDACTED:password]"',
      'password',
    ],
    [
      'a Go password field',
      '\tPassword: "hunter2",',
      'hunter2',
      '\tPassword: "[REDACTED:password]",',
      'password',
    ],
    [
      'a Java constant',
      'private static final String DB_PASSWORD = "hunter2";',
      'hunter2',
      'private static final String DB_PASSWORD = "[REDACTED:password]";',
      'password',
    ],
    [
      'a PHP variable',
      "$dbPass = 'hunter2';",
      'hunter2',
      "$dbPass = '[REDACTED:password]';",
      'password',
    ],
    [
      'a command-line flag',
      'mysql -u root --password=hunter2 shop',
      'hunter2',
      'mysql -u root --password=[REDACTED:password] shop',
      'password',
    ],
    [
      'an env-style password',
      'export PGPASSWORD=hunter2',
      'hunter2',
      'export PGPASSWORD=[REDACTED:password]',
      'password',
    ],
    [
      'a pwd query parameter',
      'fetch("https://x.test/login?user=a&pwd=hunter2")',
      'hunter2',
      'fetch("https://x.test/login?user=a&pwd=[REDACTED:password]")',
      'password',
    ],
    [
      'a password compared to a literal',
      'if password == "letmein":',
      'letmein',
      'if password == "[REDACTED:password]":',
      'password',
    ],
    [
      'an XML password',
      '<password>hunter2</password>',
      'hunter2',
      '<password>[REDACTED:password]</password>',
      'password',
    ],
    [
      'a postgres URL with credentials',
      'DATABASE_URL = "postgres://app:S3cret@db:5432/app"',
      'S3cret',
      'DATABASE_URL = "postgres://app:[REDACTED:connection_string]@db:5432/app"',
      'connection_string',
    ],
    [
      'a mongodb+srv URL',
      "uri = 'mongodb+srv://admin:pa55w0rd@cluster0.mongodb.net/db'",
      'pa55w0rd',
      "uri = 'mongodb+srv://admin:[REDACTED:connection_string]@cluster0.mongodb.net/db'",
      'connection_string',
    ],
    [
      'a mysql URL',
      'mysql://root:toor@localhost/shop',
      'toor',
      'mysql://root:[REDACTED:connection_string]@localhost/shop',
      'connection_string',
    ],
    [
      'an e-mail address',
      '# maintainer: jane.doe+ops@corp.example.org',
      'jane.doe',
      '# maintainer: [REDACTED:email]',
      'email',
    ],
  ])('redacts %s', (_name, line, secret, expected, kind) => {
    const r = one(line);
    expect(r.text).toBe(expected);
    expect(r.text).not.toContain(secret);
    expect(r.kinds).toContain(kind);
  });

  it('leaves a marker that consumers can recognise by kind', () => {
    expect(REDACTION_MARKER.exec(one(`k = "${AWS_ID}"`).text)?.[1]).toBe('aws_key');
    expect(REDACTION_MARKER.test('[REDACTED:made_up]')).toBe(false);
  });

  it('redacts a bare password in a config file', () => {
    expect(one('  password: hunter2 # prod', true).text).toBe(
      '  password: [REDACTED:password] # prod',
    );
    expect(one('DB_PASSWORD=hunter2', true).text).toBe('DB_PASSWORD=[REDACTED:password]');
    expect(one('client_secret: 9Hq2LmZx8PaW3rTy7UvK', true).text).toBe(
      'client_secret: [REDACTED:generic_token]',
    );
  });

  it('redacts a private key written on one line, as in service-account JSON', () => {
    const json = `  "private_key": "${PEM_LINES.join('\\n')}\\n",`;
    expect(one(json)).toEqual({
      text: '  "private_key": "[REDACTED:private_key]\\n",',
      kinds: ['private_key'],
    });
  });
});

describe('redactText leaves ordinary code alone', () => {
  it.each([
    'password = input("Password: ")',
    'const token = getToken();',
    'password = request.form["password"]',
    'login(password=password)',
    'function login(user: string, password: string) {',
    'const password: string = await prompt();',
    'if (!password) throw new Error("password required");',
    'export const PASSWORD_MIN_LENGTH = 12;',
    'let password = "";',
    'password = os.environ["DB_PASSWORD"]',
    'token := os.Getenv("API_TOKEN")',
    'api_key = "test"',
    'secret_name = "prod-db-credentials"',
    'type Token = "access" | "refresh";',
    'max_tokens = 4096',
    'tokenizer = "cl100k_base"',
    'url = "postgres://localhost:5432/app"',
    'url = "postgres://app:${DB_PASSWORD}@db/app"',
    'password: ${{ secrets.DB_PASSWORD }}',
    'password: "{{ vault_db_password }}"',
    '<input type="password" name="password">',
    'git clone git@github.com:acme/repo.git',
    'import logo from "./logo@2x.png";',
    '"lodash": "npm:lodash@4.17.21",',
    'const keyId = "AKIA";',
    'bypass = "on"',
    'compass_heading = "N45E"',
    'parser.add_argument("--password", required=True)',
    'PASSWORD_RESET_URL = "/account/reset"',
    'const secretKey = process.env.SECRET_KEY;',
    'const headers = { Authorization: `Bearer ${token}` };',
  ])('keeps %s', (line) => {
    expect(one(line)).toEqual({ text: line, kinds: [] });
  });

  it('keeps bare values in code files even when the name says password', () => {
    expect(one('PASSWORD = hashed').text).toBe('PASSWORD = hashed');
    expect(one('password: hashed', true).text).toBe('password: [REDACTED:password]');
  });
});

describe('redactText stays linear on hostile input', () => {
  it.each([
    ['dashes', 'a-'.repeat(50_000)],
    ['dots', 'a.'.repeat(50_000)],
    ['e-mail-like runs', 'x.y+z-'.repeat(20_000)],
    ['JWT-like runs', 'eyJabcde.'.repeat(10_000)],
    ['unclosed quotes', 'password="'.repeat(10_000)],
  ])('redacts a 100 kB line of %s without backtracking blow-up', (_name, line) => {
    // Quadratic patterns took tens of seconds here; linear ones take milliseconds.
    const started = performance.now();
    redactText(line, { configFile: true });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('redactDiff', () => {
  const file = (path: string, lines: DiffLine[]): DiffFile => ({
    path,
    status: 'modified',
    language: 'other',
    binary: false,
    hunks: [
      { header: '@@ -1,4 +1,6 @@', oldStart: 1, oldLines: 4, newStart: 1, newLines: 6, lines },
    ],
  });

  it('redacts a multi-line private key across added lines and records it once', () => {
    const lines: DiffLine[] = [
      { kind: 'context', oldLine: 1, newLine: 1, text: 'const config = {' },
      ...PEM_LINES.map((text, i): DiffLine => ({ kind: 'add', newLine: i + 2, text: `  ${text}` })),
      { kind: 'context', oldLine: 2, newLine: 6, text: '};' },
    ];
    lines[4] = { kind: 'add', newLine: 5, text: `  ${PEM_LINES[3]}\`,` };
    const out = redactDiff([file('config/keys.ts', lines)]);
    const texts = out.files[0]?.hunks[0]?.lines.map((l) => l.text);
    expect(texts).toEqual([
      'const config = {',
      '  [REDACTED:private_key]',
      '[REDACTED:private_key]',
      '[REDACTED:private_key]',
      '[REDACTED:private_key]`,',
      '};',
    ]);
    expect(out.redactions).toEqual([{ file: 'config/keys.ts', line: 2, kind: 'private_key' }]);
  });

  it('redacts a key on the deleted side while the added side replaces it with a lookup', () => {
    const lines: DiffLine[] = [
      ...PEM_LINES.map((text, i): DiffLine => ({ kind: 'del', oldLine: i + 1, text })),
      { kind: 'add', newLine: 1, text: 'KEY = read_secret("signing-key")' },
    ];
    const out = redactDiff([file('keys.py', lines)]);
    const texts = out.files[0]?.hunks[0]?.lines.map((l) => l.text);
    expect(texts).toEqual([
      ...PEM_LINES.map(() => '[REDACTED:private_key]'),
      'KEY = read_secret("signing-key")',
    ]);
    expect(out.redactions).toEqual([{ file: 'keys.py', line: 1, kind: 'private_key' }]);
  });

  it('redacts key material in a hunk that starts inside the key', () => {
    const lines: DiffLine[] = PEM_LINES.slice(1).map((text, i) => ({
      kind: 'context',
      oldLine: i + 2,
      newLine: i + 2,
      text,
    }));
    lines.push({ kind: 'add', newLine: 5, text: '# rotated yearly' });
    const out = redactDiff([file('deploy/id_rsa', lines)]);
    const texts = out.files[0]?.hunks[0]?.lines.map((l) => l.text);
    expect(texts).toEqual([
      '[REDACTED:private_key]',
      '[REDACTED:private_key]',
      '[REDACTED:private_key]',
      '# rotated yearly',
    ]);
    expect(out.redactions).toEqual([{ file: 'deploy/id_rsa', line: 2, kind: 'private_key' }]);
  });

  it('applies to added, deleted and context lines and records new- or old-side line numbers', () => {
    const lines: DiffLine[] = [
      { kind: 'context', oldLine: 3, newLine: 4, text: `owner = "ops@example.com"` },
      { kind: 'del', oldLine: 4, text: `aws_key = "${AWS_ID}"` },
      { kind: 'add', newLine: 5, text: `gh = "${GH_PAT}"` },
    ];
    const out = redactDiff([file('settings.py', lines)]);
    expect(out.redactions).toEqual([
      { file: 'settings.py', line: 4, kind: 'email' },
      { file: 'settings.py', line: 4, kind: 'aws_key' },
      { file: 'settings.py', line: 5, kind: 'github_token' },
    ]);
    const serialised = JSON.stringify(out);
    for (const secret of ['ops@example.com', AWS_ID, GH_PAT])
      expect(serialised).not.toContain(secret);
  });

  it('leaves the input untouched and returns the same output for the same input', () => {
    const lines: DiffLine[] = [{ kind: 'add', newLine: 1, text: `k = "${STRIPE}"` }];
    const input = [file('pay.rb', lines)];
    const before = JSON.stringify(input);
    const a = redactDiff(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(redactDiff(input)).toEqual(a);
    expect(a.files[0]?.hunks[0]?.lines[0]?.text).toBe('k = "[REDACTED:stripe_key]"');
  });

  it('redacts a Kubernetes env value whose name is on the line above', () => {
    const lines: DiffLine[] = [
      { kind: 'context', oldLine: 10, newLine: 10, text: '        env:' },
      { kind: 'add', newLine: 11, text: '          - name: DB_PASSWORD' },
      { kind: 'add', newLine: 12, text: '            value: "hunter2"' },
      { kind: 'add', newLine: 13, text: '          - name: LOG_LEVEL' },
      { kind: 'add', newLine: 14, text: '            value: debug' },
      { kind: 'add', newLine: 15, text: '          - name: API_TOKEN' },
      { kind: 'add', newLine: 16, text: '            valueFrom: { secretKeyRef: { name: api } }' },
    ];
    const out = redactDiff([file('deploy/app.yaml', lines)]);
    expect(out.files[0]?.hunks[0]?.lines.map((l) => l.text).slice(2, 5)).toEqual([
      '            value: "[REDACTED:password]"',
      '          - name: LOG_LEVEL',
      '            value: debug',
    ]);
    expect(out.redactions).toEqual([{ file: 'deploy/app.yaml', line: 12, kind: 'password' }]);
  });

  it('redacts the function context in hunk headers', () => {
    const f = file('a.py', [{ kind: 'add', newLine: 1, text: 'x = 1' }]);
    (f.hunks[0] as { header: string }).header = `@@ -1,4 +1,6 @@ def f(password="hunter2"):`;
    const out = redactDiff([f]);
    expect(out.files[0]?.hunks[0]?.header).toBe(
      '@@ -1,4 +1,6 @@ def f(password="[REDACTED:password]"):',
    );
    expect(out.redactions).toEqual([{ file: 'a.py', line: 1, kind: 'password' }]);
  });
});
