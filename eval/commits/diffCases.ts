/**
 * Small realistic diffs for diff-only breaking-change detection (the message is held out).
 * Written for this suite, modelled on common changes in TypeScript/JavaScript, Python, Go and
 * Java projects; half break a consumer, half are lookalikes that do not (additive parameters,
 * moves, internal code, down migrations, reformatting).
 */

export interface DiffCase {
  id: string;
  breaking: boolean;
  diff: string;
}

/** One file's diff: `lines` carry their own ' ', '+' or '-' prefix. */
function file(
  path: string,
  lines: string[],
  status: 'modified' | 'added' | 'deleted' = 'modified',
): string {
  const dels = lines.filter((l) => !l.startsWith('+')).length;
  const adds = lines.filter((l) => !l.startsWith('-')).length;
  const from = status === 'added' ? '/dev/null' : `a/${path}`;
  const to = status === 'deleted' ? '/dev/null' : `b/${path}`;
  const mode =
    status === 'added'
      ? 'new file mode 100644\n'
      : status === 'deleted'
        ? 'deleted file mode 100644\n'
        : '';
  const range = `@@ -${status === 'added' ? 0 : 1},${dels} +${status === 'deleted' ? 0 : 1},${adds} @@`;
  return `diff --git a/${path} b/${path}\n${mode}--- ${from}\n+++ ${to}\n${range}\n${lines.join('\n')}\n`;
}

export const DIFF_CASES: DiffCase[] = [
  // ---- breaking ----
  {
    id: 'ts-removed-export',
    breaking: true,
    diff: file('src/client.ts', [
      ' export function connect(url: string): Client {',
      '   return new Client(url);',
      ' }',
      '-export function connectLegacy(host: string, port: number): Client {',
      '-  return new Client(`http://${host}:${port}`);',
      '-}',
    ]),
  },
  {
    id: 'ts-required-param-added',
    breaking: true,
    diff: file('src/format.ts', [
      '-export function formatDate(date: Date): string {',
      '+export function formatDate(date: Date, locale: string): string {',
      '   return date.toISOString();',
      ' }',
    ]),
  },
  {
    id: 'ts-return-type-changed',
    breaking: true,
    diff: file('lib/store.ts', [
      '-export async function load(id: string): Promise<Item | undefined> {',
      '+export async function load(id: string): Promise<Item> {',
      '   const row = await db.get(id);',
    ]),
  },
  {
    id: 'js-route-removed',
    breaking: true,
    diff: file('server/routes.js', [
      " app.get('/api/users', listUsers);",
      "-app.delete('/api/users/:id', deleteUser);",
      " app.post('/api/users', createUser);",
    ]),
  },
  {
    id: 'py-function-removed',
    breaking: true,
    diff: file('mypkg/utils.py', [
      ' def slugify(text):',
      '     return re.sub(r"\\W+", "-", text).lower()',
      '-',
      '-def legacy_slug(text, sep="-"):',
      '-    return sep.join(text.split())',
    ]),
  },
  {
    id: 'py-keyword-renamed',
    breaking: true,
    diff: file('mypkg/client.py', [
      '-def fetch(url, timeout=30):',
      '+def fetch(url, timeout_seconds=30):',
      '     return session.get(url, timeout=timeout_seconds)',
    ]),
  },
  {
    id: 'go-exported-signature',
    breaking: true,
    diff: file('pkg/cache/cache.go', [
      '-func (c *Cache) Get(key string) (Value, bool) {',
      '+func (c *Cache) Get(ctx context.Context, key string) (Value, bool) {',
      ' \tc.mu.RLock()',
    ]),
  },
  {
    id: 'java-public-method-removed',
    breaking: true,
    diff: file('src/main/java/com/acme/Orders.java', [
      ' public class Orders {',
      '-    public Order findByNumber(String number) {',
      '-        return repo.find(number);',
      '-    }',
      '     public List<Order> all() {',
    ]),
  },
  {
    id: 'spring-endpoint-removed',
    breaking: true,
    diff: file('src/main/java/com/acme/web/OrderController.java', [
      '     @GetMapping("/orders")',
      '     public List<Order> list() { return orders.all(); }',
      '-    @DeleteMapping("/orders/{id}")',
      '-    public void delete(@PathVariable String id) { orders.delete(id); }',
    ]),
  },
  {
    id: 'sql-drop-column',
    breaking: true,
    diff: file(
      'db/migrations/20240301_drop_nickname.sql',
      ['+ALTER TABLE users DROP COLUMN nickname;'],
      'added',
    ),
  },
  {
    id: 'alembic-drop-table',
    breaking: true,
    diff: file(
      'alembic/versions/3f2a_remove_sessions.py',
      ['+def upgrade():', "+    op.drop_table('sessions')", '+', '+def downgrade():', '+    pass'],
      'added',
    ),
  },
  {
    id: 'yaml-config-key-removed',
    breaking: true,
    diff: file('config/default.yml', [
      ' server:',
      '   port: 8080',
      '-  legacy_mode: false',
      '   workers: 4',
    ]),
  },
  // ---- not breaking ----
  {
    id: 'ts-optional-param-added',
    breaking: false,
    diff: file('src/format.ts', [
      '-export function formatDate(date: Date): string {',
      '+export function formatDate(date: Date, locale?: string): string {',
      '   return date.toISOString();',
    ]),
  },
  {
    id: 'ts-new-export',
    breaking: false,
    diff: file('src/client.ts', [
      ' export function connect(url: string): Client {',
      '   return new Client(url);',
      ' }',
      '+export function connectWithRetry(url: string, attempts = 3): Client {',
      '+  return retry(() => connect(url), attempts);',
      '+}',
    ]),
  },
  {
    id: 'ts-function-moved',
    breaking: false,
    diff:
      file('src/util/strings.ts', [
        '-export function capitalize(s: string): string {',
        '-  return s[0].toUpperCase() + s.slice(1);',
        '-}',
      ]) +
      file(
        'src/text.ts',
        [
          '+export function capitalize(s: string): string {',
          '+  return s[0].toUpperCase() + s.slice(1);',
          '+}',
        ],
        'added',
      ),
  },
  {
    id: 'ts-body-change',
    breaking: false,
    diff: file('src/client.ts', [
      ' export function connect(url: string): Client {',
      '-  return new Client(url);',
      '+  return new Client(normalise(url));',
      ' }',
    ]),
  },
  {
    id: 'ts-test-helper-removed',
    breaking: false,
    diff: file('test/helpers/server.ts', [
      '-export function startFakeServer(port: number): Server {',
      '-  return listen(port);',
      '-}',
    ]),
  },
  {
    id: 'py-default-param-added',
    breaking: false,
    diff: file('mypkg/client.py', [
      '-def fetch(url):',
      '+def fetch(url, retries=3):',
      '     return session.get(url)',
    ]),
  },
  {
    id: 'py-private-removed',
    breaking: false,
    diff: file('mypkg/utils.py', [
      '-def _cache_key(text):',
      '-    return hash(text)',
      ' def slugify(text):',
    ]),
  },
  {
    id: 'go-unexported-changed',
    breaking: false,
    diff: file('pkg/cache/cache.go', [
      '-func (c *Cache) evict(n int) {',
      '+func (c *Cache) evict(ctx context.Context, n int) {',
      ' \tfor i := 0; i < n; i++ {',
    ]),
  },
  {
    id: 'sql-down-migration',
    breaking: false,
    diff: file(
      'db/migrations/20240302_add_audit.sql',
      [
        '+-- up',
        '+CREATE TABLE audit_events (id bigserial PRIMARY KEY, body jsonb);',
        '+-- down',
        '+DROP TABLE audit_events;',
      ],
      'added',
    ),
  },
  {
    id: 'route-added',
    breaking: false,
    diff: file('server/routes.js', [
      " app.get('/api/users', listUsers);",
      "+app.get('/api/users/:id', getUser);",
    ]),
  },
  {
    id: 'yaml-config-key-added',
    breaking: false,
    diff: file('config/default.yml', [' server:', '   port: 8080', '+  keep_alive: true']),
  },
  {
    id: 'ci-workflow-step-removed',
    breaking: false,
    diff: file('.github/workflows/ci.yml', [
      '   steps:',
      '-    - name: lint',
      '-      run: npm run lint',
      '     - run: npm test',
    ]),
  },
];
