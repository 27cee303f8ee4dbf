import type { DiffFile, Language } from '../../../domain/review';
import { ModelOutput } from '../../../domain/review';
import { analyzeChunk, prepareLocalAnalyzer } from '../../../activities/providers/local';
import { chunk, file } from './chunk';

beforeAll(() => prepareLocalAnalyzer());

/** `rule@line` for every finding either engine reports on the file. */
function found(f: DiffFile): string[] {
  return (['rules', 'ast'] as const).flatMap((engine) =>
    ModelOutput.parse(analyzeChunk(engine, chunk(f))).findings.map(
      (x) => `${(x.ruleId ?? '').split('/')[1]}@${x.startLine}`,
    ),
  );
}

const LANG: Record<string, Language> = {
  ts: 'typescript',
  js: 'javascript',
  py: 'python',
  go: 'go',
  java: 'java',
};

type Example = [name: string, path: string, bad: string, good: string, expected: string];

/** Each rule with a vulnerable hunk (must fire) and its clean fix (must stay quiet). */
const EXAMPLES: Example[] = [
  [
    'path traversal (ts)',
    'src/exports/routes.ts',
    ` router.get('/x/:name', async (req, res) => {\n+  const file = path.join(DIR, req.params.name);\n   res.download(file);\n });`,
    ` router.get('/x/:name', async (req, res) => {\n+  const file = path.join(DIR, path.basename(req.params.name));\n   res.download(file);\n });`,
    'path-traversal@2',
  ],
  [
    'path traversal (go)',
    'internal/assets/h.go',
    ` func (h *H) Get(w http.ResponseWriter, r *http.Request) {\n+\tp := filepath.Join(h.root, r.URL.Query().Get("f"))\n+\thttp.ServeFile(w, r, p)\n }`,
    ` func (h *H) Get(w http.ResponseWriter, r *http.Request) {\n+\thttp.ServeFileFS(w, r, h.fsys, path.Clean("/" + r.URL.Query().Get("f"))[1:])\n }`,
    'path-traversal@2',
  ],
  [
    'path traversal (python)',
    'support/files.py',
    ` @app.get("/files/<name>")\n def get_file(name: str):\n+    return send_file(os.path.join(ROOT, name))`,
    ` @app.get("/files/<name>")\n def get_file(name: str):\n+    return send_from_directory(ROOT, name)`,
    'path-traversal@3',
  ],
  [
    'path traversal (java)',
    'src/main/java/R.java',
    `     @GetMapping("/r/{name}")\n     public Resource get(@PathVariable String name) {\n+        Path file = dir.resolve(name);\n         return new FileSystemResource(file);\n     }`,
    `     @GetMapping("/r/{name}")\n     public Resource get(@PathVariable String name) {\n+        Path file = dir.resolve(name).normalize();\n+        if (!file.startsWith(dir)) throw new NotFound();\n         return new FileSystemResource(file);\n     }`,
    'path-traversal@3',
  ],
  [
    'insecure random for a token (ts)',
    'src/auth/reset.ts',
    ` function newResetToken(): string {\n+  return Math.random().toString(36).slice(2);\n }`,
    ` function newResetToken(): string {\n+  return crypto.randomBytes(32).toString('base64url');\n }`,
    'insecure-random@2',
  ],
  [
    'insecure random through a math/rand alias (go)',
    'internal/session/id.go',
    ` func newSessionID() string {\n \tb := make([]byte, n)\n+\tfor i := range b {\n+\t\tb[i] = byte(mathrand.Intn(256))\n+\t}\n }`,
    ` func newSessionID() string {\n \tb := make([]byte, n)\n+\tif _, err := cryptorand.Read(b); err != nil {\n+\t\tpanic(err)\n+\t}\n }`,
    'insecure-random@4',
  ],
  [
    'insecure random for a code (python)',
    'teams/invites.py',
    ` def new_invite_code() -> str:\n+    return "".join(random.choice(ALPHABET) for _ in range(8))`,
    ` def new_invite_code() -> str:\n+    return "".join(secrets.choice(ALPHABET) for _ in range(8))`,
    'insecure-random@2',
  ],
  [
    'insecure random for a key (java)',
    'src/main/java/K.java',
    `     String newKey() {\n+        Random random = new Random();\n         random.nextBytes(bytes);\n     }`,
    `     String newKey() {\n+        SecureRandom random = new SecureRandom();\n         random.nextBytes(bytes);\n     }`,
    'insecure-random@2',
  ],
  [
    'hard-coded secret passed to a setter (java)',
    'src/main/java/Mail.java',
    `     Sender sender() {\n+        sender.setPassword("Tr0ub4dor&3-smtp");\n     }`,
    `     Sender sender() {\n+        sender.setPassword(env.get("SMTP_PASSWORD"));\n     }`,
    'hardcoded-secret@2',
  ],
  [
    'a trust-all TLS manager (java)',
    'src/main/java/C.java',
    `     static HttpClient client() {\n+        ctx.init(null, new TrustManager[] {new TrustAllManager()}, new SecureRandom());\n     }`,
    `     static HttpClient client() {\n+        ctx.init(null, trustStoreManagers(), new SecureRandom());\n     }`,
    'insecure-tls@2',
  ],
  [
    'MD5 for stored secrets (go)',
    'internal/auth/secrets.go',
    ` func HashSecret(secret string) string {\n+\tsum := md5.Sum([]byte(secret))\n }`,
    ` func HashSecret(secret string) string {\n+\th, err := bcrypt.GenerateFromPassword([]byte(secret), cost)\n }`,
    'weak-password-hash@2',
  ],
  [
    'a LIKE pattern spliced into SQL (go)',
    'internal/catalog/store.go',
    ` func (s *S) Search(ctx context.Context, term string) {\n+\tq := "SELECT id FROM p WHERE name LIKE '%" + term + "%'"\n+\trows, err := s.db.QueryContext(ctx, q)\n }`,
    ` func (s *S) Search(ctx context.Context, term string) {\n+\trows, err := s.db.QueryContext(ctx, "SELECT id FROM p WHERE name LIKE $1", "%"+term+"%")\n }`,
    'sql-injection@3',
  ],
  [
    'a promisified exec with a template (ts)',
    'src/media/thumbs.ts',
    ` export async function thumb(u: Upload): Promise<void> {\n+  await execAsync(\`convert \${u.name} out.png\`);\n }`,
    ` export async function thumb(u: Upload): Promise<void> {\n+  await execFileAsync('convert', [u.name, 'out.png']);\n }`,
    'command-injection@2',
  ],
  [
    'a zero-based loop with <= (java)',
    'src/main/java/Csv.java',
    `     List<String> columns(String[] cells) {\n+        for (int i = 0; i <= cells.length; i++) {\n             out.add(cells[i]);\n         }\n     }`,
    `     List<String> columns(String[] cells) {\n+        for (int i = 0; i < cells.length; i++) {\n             out.add(cells[i]);\n         }\n     }`,
    'off-by-one@2',
  ],
  [
    'a zero-based loop with <= (go)',
    'internal/ring.go',
    ` func (r *Ring) Last(n int) []string {\n+\tfor i := 0; i <= n; i++ {\n \t\tout = append(out, r.at(i))\n \t}\n }`,
    ` func (r *Ring) Last(n int) []string {\n+\tfor i := 0; i < n; i++ {\n \t\tout = append(out, r.at(i))\n \t}\n }`,
    'off-by-one@2',
  ],
  [
    'a page slice one too long (ts)',
    'src/paginate.ts',
    ` export function pageOf<T>(items: T[], page: number, size: number): T[] {\n+  return items.slice(page * size, page * size + size + 1);\n }`,
    ` export function pageOf<T>(items: T[], page: number, size: number): T[] {\n+  return items.slice(page * size, page * size + size);\n }`,
    'off-by-one@2',
  ],
  [
    'windows that drop the last batch (python)',
    'jobs/batching.py',
    ` def batches(items, size):\n+    return [items[i : i + size] for i in range(0, len(items) - size, size)]`,
    ` def batches(items, size):\n+    return [items[i : i + size] for i in range(0, len(items), size)]`,
    'off-by-one@2',
  ],
  [
    'a retry loop that retries on success (ts)',
    'src/retry.ts',
    `   for (let attempt = 1; attempt <= MAX; attempt++) {\n     const res = await send(hook);\n+    if (res.ok) continue;\n+    return res;\n   }`,
    `   for (let attempt = 1; attempt <= MAX; attempt++) {\n     const res = await send(hook);\n+    if (res.ok) return res;\n   }`,
    'inverted-condition@3',
  ],
  [
    'a validity check that tests expiry (go)',
    'internal/auth/token.go',
    ` func (t Token) Valid(now time.Time) bool {\n+\treturn t.ExpiresAt.Before(now)\n }`,
    ` func (t Token) Valid(now time.Time) bool {\n+\treturn now.Before(t.ExpiresAt)\n }`,
    'inverted-condition@2',
  ],
  [
    'an error result assigned to _ (go)',
    'internal/audit/writer.go',
    ` func (w *W) Record(ctx context.Context, p []byte) error {\n+\t_ = w.store.Append(ctx, p)\n+\treturn nil\n }`,
    ` func (w *W) Record(ctx context.Context, p []byte) error {\n+\treturn w.store.Append(ctx, p)\n }`,
    'swallowed-error@2',
  ],
  [
    'a repository write without await (js)',
    'server/auth/logout.js',
    ` async function logout(req, res) {\n+  sessions.destroy(req.session.id);\n   res.redirect('/login');\n }`,
    ` async function logout(req, res) {\n+  await sessions.destroy(req.session.id);\n   res.redirect('/login');\n }`,
    'missing-await@2',
  ],
  [
    'SQL inside an express handler (ts)',
    'src/api/profile.ts',
    ` router.get('/profile', async (req, res) => {\n+  const { rows } = await pool.query('SELECT * FROM profiles WHERE user_id = $1', [req.user.id]);\n   res.json(rows[0]);\n });`,
    ` router.get('/profile', async (req, res) => {\n+  const profile = await profiles.byUser(req.user.id);\n   res.json(profile);\n });`,
    'sql-in-handler@2',
  ],
  [
    'SQL inside a Django view (python)',
    'dashboard/views.py',
    ` def team_stats(request, team_id: int):\n+    with connection.cursor() as cur:\n+        cur.execute("SELECT count(*) FROM scores WHERE team_id = %s", [team_id])\n     return JsonResponse({})`,
    ` def team_stats(request, team_id: int):\n+    count = stats_service.team_totals(team_id)\n     return JsonResponse({})`,
    'sql-in-handler@3',
  ],
  [
    'a regexp compiled per iteration (go)',
    'internal/scan.go',
    ` func IDs(lines []string) {\n \tfor _, l := range lines {\n+\t\tre := regexp.MustCompile(\`id=(\\d+)\`)\n \t}\n }`,
    ` func IDs(lines []string) {\n \tfor _, l := range lines {\n+\t\tif m := idPattern.FindStringSubmatch(l); m != nil {\n \t}\n }`,
    'regex-compiled-in-loop@3',
  ],
  [
    'a list membership test in a comprehension (python)',
    'catalog/reconcile.py',
    ` def missing(feed: list[str], catalog: list[str]) -> list[str]:\n+    return [s for s in feed if s not in catalog]`,
    ` def missing(feed: list[str], catalog: list[str]) -> list[str]:\n+    known = set(catalog)\n+    return [s for s in feed if s not in known]`,
    'linear-lookup-in-loop@2',
  ],
  [
    'an array search inside a loop (ts)',
    'src/contacts/import.ts',
    `   const unique: Contact[] = [];\n   for (const c of incoming) {\n+    if (!unique.some((u) => u.email === c.email)) unique.push(c);\n   }`,
    `   const unique: Contact[] = [];\n   for (const c of incoming) {\n+    if (!seen.has(c.email)) unique.push(c);\n   }`,
    'linear-lookup-in-loop@3',
  ],
  [
    'a file read per request (go)',
    'internal/flags/handler.go',
    ` func (h *H) ServeHTTP(w http.ResponseWriter, r *http.Request) {\n+\traw, err := os.ReadFile(h.path)\n }`,
    ` func (h *H) ServeHTTP(w http.ResponseWriter, r *http.Request) {\n+\tflags := h.current.Load()\n }`,
    'blocking-io-in-handler@2',
  ],
  [
    'block() in a reactive handler (java)',
    'src/main/java/P.java',
    `     public Mono<ServerResponse> price(ServerRequest request) {\n+        Price p = client.fetch(sku).block();\n     }`,
    `     public Mono<ServerResponse> price(ServerRequest request) {\n+        return client.fetch(sku).flatMap(p -> ok(p));\n     }`,
    'blocking-io-in-handler@2',
  ],
  [
    'a focused test (ts)',
    'test/cart.test.ts',
    `-  it('applies the coupon', () => {\n+  it${'.'}only('applies the coupon', () => {\n     expect(total()).toEqual(1);\n   });`,
    `-  it('applies the coupon', () => {\n+  it('applies the coupon', () => {\n     expect(total()).toEqual(1);\n   });`,
    'disabled-or-focused-test@1',
  ],
  [
    'a skipped test (python)',
    'tests/test_pay.py',
    `+@pytest.mark.skip(reason="sandbox down")\n def test_declined(gateway):\n     assert gateway.charge(0).declined`,
    `+@pytest.mark.parametrize("amount", [0])\n def test_declined(gateway, amount):\n     assert gateway.charge(amount).declined`,
    'disabled-or-focused-test@1',
  ],
  [
    'a disabled test (java)',
    'src/test/java/OrderTest.java',
    `     @Test\n+    @Disabled("flaky")\n     void cancels() {`,
    `     @Test\n+    @DisplayName("cancels unpaid orders")\n     void cancels() {`,
    'disabled-or-focused-test@2',
  ],
  [
    'a fixed sleep in a test (go)',
    'internal/cache/ttl_test.go',
    ` \tc.Set("k", "v", time.Second)\n+\ttime.Sleep(2 * time.Second)\n`,
    ` \tc.Set("k", "v", time.Second)\n+\tclock.Advance(2 * time.Second)\n`,
    'sleep-in-test@2',
  ],
  [
    'a fixed sleep in a test (js)',
    'test/export.test.js',
    `   await queue.add('export', {});\n+  await new Promise((r) => setTimeout(r, 3000));\n`,
    `   await queue.add('export', {});\n+  await waitFor(() => expect(files()).toHaveLength(1));\n`,
    'sleep-in-test@2',
  ],
  [
    'a bare constant in arithmetic (ts)',
    'src/auth/sessions.ts',
    ` const s = await store.create(id, {\n+    expiresAt: Date.now() + 1209600000,\n });`,
    ` const s = await store.create(id, {\n+    expiresAt: Date.now() + SESSION_TTL_MS,\n });`,
    'magic-number@2',
  ],
];

describe('new local rules: each fires on the flaw and stays quiet on the fix', () => {
  it.each(EXAMPLES)('%s', (_name, path, bad, good, expected) => {
    const ext = /\.(\w+)$/.exec(path)?.[1] ?? '';
    const lang = LANG[ext] ?? 'typescript';
    const rule = expected.split('@')[0] as string;
    expect(found(file(path, lang, bad))).toContain(expected);
    expect(found(file(path, lang, good)).filter((r) => r.startsWith(`${rule}@`))).toEqual([]);
  });
});

describe('noise the local engines no longer make', () => {
  it('asks for tests only for new public definitions, not for an edited signature', () => {
    const edited = file(
      'src/domain/pricing.ts',
      'typescript',
      ` /** Price of a line. */\n-export function priceLine(line: Line, rules: PriceRule[]): Money {\n+export function priceLine(line: Line, rules: readonly PriceRule[]): Money {\n   return apply(line, rules);\n }`,
    );
    expect(found(edited).filter((r) => r.startsWith('missing-tests'))).toEqual([]);
    const fresh = file(
      'billing/vat.py',
      'python',
      `+def vat_rate(country: str) -> Decimal:\n+    """VAT rate to charge."""\n+    return RATES.get(country, Decimal(0))`,
    );
    expect(found(fresh)).toContain('missing-tests@1');
  });

  it('does not flag a LIKE pattern passed as a query parameter as SQL injection', () => {
    const go = file(
      'internal/catalog/store.go',
      'go',
      `+\trows, err := s.db.QueryContext(ctx, "SELECT id FROM p WHERE name LIKE $1", "%"+term+"%")`,
    );
    expect(found(go).filter((r) => r.startsWith('sql-injection'))).toEqual([]);
  });

  it('leaves numbers in tests alone', () => {
    const test = file('internal/config/parse_test.go', 'go', `+\tif cfg.Port != 8080 {`);
    expect(found(test).filter((r) => r.startsWith('magic-number'))).toEqual([]);
  });

  it('files defer in a loop under correctness', () => {
    const go = file(
      'pkg/files.go',
      'go',
      `+func readAll(paths []string) {\n+\tfor _, p := range paths {\n+\t\tf, _ := os.Open(p)\n+\t\tdefer f.Close()\n+\t}\n+}`,
    );
    const out = ModelOutput.parse(analyzeChunk('ast', chunk(go))).findings;
    expect(out.find((f) => f.ruleId === 'ast/defer-in-loop')?.dimension).toBe('correctness');
  });

  it('does not call a variable unused when the function continues past the hunk', () => {
    const ts = file(
      'src/domain/pricing.ts',
      'typescript',
      `+export async function priceLine(line: Line): Promise<Money> {\n+  const rules = (await pool.query('SELECT * FROM price_rules')).rows;`,
    );
    expect(found(ts).filter((r) => r.startsWith('unused-variable'))).toEqual([]);
  });
});
