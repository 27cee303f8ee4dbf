import type { Template } from './dsl';
import { hunk, kind } from './kind';

const sqli = kind('sql-injection', 'security', 'critical', 'user input concatenated into SQL');
const cmdi = kind('command-injection', 'security', 'critical', 'user input reaches a shell');
const secret = kind('hardcoded-secret', 'security', 'high', 'credential committed in source');
const weakHash = kind('weak-hash', 'security', 'high', 'fast unsalted hash used for passwords');
const tlsOff = kind('tls-off', 'security', 'high', 'certificate verification disabled');
const rand = kind('insecure-random', 'security', 'high', 'non-cryptographic RNG for a token');
const traversal = kind('path-traversal', 'security', 'high', 'request path joined to a file path');

export const SECURITY: Template[] = [
  sqli('typescript', 'user-by-email', 'Look up users by e-mail', [
    hunk(
      'src/users/userRepository.ts',
      41,
      `
 export async function findByEmail(db: Pool, email: string): Promise<User | undefined> {
-  const { rows } = await db.query('SELECT * FROM users WHERE email = $1', [email]);
!  const { rows } = await db.query(\`SELECT * FROM users WHERE lower(email) = lower('\${email}')\`);
?  const { rows } = await db.query('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
   return rows[0] ? toUser(rows[0]) : undefined;
 }`,
    ),
  ]),
  sqli('javascript', 'order-search', 'Search orders by status', [
    hunk(
      'server/routes/orders.js',
      18,
      `
 router.get('/orders', async (req, res) => {
   const status = req.query.status || 'open';
-  const result = await pool.query('SELECT id, total FROM orders WHERE status = $1', [status]);
!  const sql = "SELECT id, total FROM orders WHERE status = '" + status + "' ORDER BY created_at";
!  const result = await pool.query(sql);
?  const sql = 'SELECT id, total FROM orders WHERE status = $1 ORDER BY created_at';
?  const result = await pool.query(sql, [status]);
   res.json(result.rows);
 });`,
    ),
  ]),
  sqli('python', 'invoice-lookup', 'Filter invoices by customer', [
    hunk(
      'billing/invoices/repository.py',
      27,
      `
     def for_customer(self, customer_id: str, status: str) -> list[Invoice]:
         cur = self.conn.cursor()
!        cur.execute(f"SELECT * FROM invoices WHERE customer_id = '{customer_id}' AND status = '{status}'")
?        cur.execute(
?            "SELECT * FROM invoices WHERE customer_id = %s AND status = %s",
?            (customer_id, status),
?        )
         return [Invoice(*row) for row in cur.fetchall()]`,
    ),
  ]),
  sqli('go', 'product-search', 'Search products by name', [
    hunk(
      'internal/catalog/store.go',
      52,
      `
 func (s *Store) SearchProducts(ctx context.Context, term string) ([]Product, error) {
!\tquery := "SELECT id, name, price FROM products WHERE name LIKE '%" + term + "%'"
!\trows, err := s.db.QueryContext(ctx, query)
?\trows, err := s.db.QueryContext(ctx, "SELECT id, name, price FROM products WHERE name LIKE $1", "%"+term+"%")
 \tif err != nil {
 \t\treturn nil, fmt.Errorf("search products: %w", err)
 \t}`,
    ),
  ]),
  sqli('java', 'account-report', 'Account report by region', [
    hunk(
      'src/main/java/com/acme/reports/AccountReportDao.java',
      33,
      `
     public List<AccountRow> byRegion(String region) throws SQLException {
-        try (PreparedStatement ps = connection.prepareStatement(BY_REGION)) {
!        String sql = "SELECT id, owner, balance FROM accounts WHERE region = '" + region + "'";
!        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
?        try (PreparedStatement ps = connection.prepareStatement(BY_REGION)) {
?            ps.setString(1, region);
?            ResultSet rs = ps.executeQuery();
             return mapRows(rs);
         }
     }`,
    ),
  ]),

  cmdi('typescript', 'thumbnail', 'Generate thumbnails with ImageMagick', [
    hunk(
      'src/media/thumbnails.ts',
      12,
      `
 export async function makeThumbnail(upload: Upload): Promise<string> {
   const target = path.join(THUMB_DIR, \`\${upload.id}.png\`);
!  await execAsync(\`convert \${upload.originalName} -resize 200x200 \${target}\`);
?  await execFileAsync('convert', [upload.storedPath, '-resize', '200x200', target]);
   return target;
 }`,
    ),
  ]),
  cmdi('python', 'backup', 'Archive a tenant directory', [
    hunk(
      'ops/backup.py',
      20,
      `
 def archive_tenant(tenant: str, dest: str) -> None:
     """Archives one tenant's uploads into dest."""
!    os.system(f"tar czf {dest}/{tenant}.tgz /srv/uploads/{tenant}")
?    subprocess.run(
?        ["tar", "czf", f"{dest}/{tenant}.tgz", f"/srv/uploads/{tenant}"], check=True
?    )`,
    ),
  ]),
  cmdi('go', 'ping-host', 'Diagnostics endpoint pings a host', [
    hunk(
      'internal/diag/handler.go',
      30,
      `
 func (h *Handler) Ping(w http.ResponseWriter, r *http.Request) {
 \thost := r.URL.Query().Get("host")
!\tout, err := exec.Command("sh", "-c", "ping -c 1 "+host).CombinedOutput()
?\tif !validHost.MatchString(host) {
?\t\thttp.Error(w, "invalid host", http.StatusBadRequest)
?\t\treturn
?\t}
?\tout, err := exec.CommandContext(r.Context(), "ping", "-c", "1", host).CombinedOutput()
 \tif err != nil {
 \t\thttp.Error(w, err.Error(), http.StatusBadGateway)
 \t\treturn
 \t}`,
    ),
  ]),
  cmdi('java', 'git-clone', 'Clone a repository for indexing', [
    hunk(
      'src/main/java/com/acme/indexer/RepoFetcher.java',
      40,
      `
     Path fetch(String repoUrl, Path workDir) throws IOException, InterruptedException {
!        Process p = Runtime.getRuntime().exec("sh -c git clone " + repoUrl + " " + workDir);
?        Process p = new ProcessBuilder("git", "clone", "--", repoUrl, workDir.toString())
?                .redirectErrorStream(true)
?                .start();
         if (p.waitFor() != 0) {
             throw new IOException("git clone failed for " + repoUrl);
         }`,
    ),
  ]),

  secret('typescript', 'stripe-client', 'Configure the payments client', [
    hunk(
      'src/payments/client.ts',
      5,
      `
 import Stripe from 'stripe';
 
-export const stripe = new Stripe(config.stripeKey);
!const STRIPE_KEY = 'sk_live_51Hx9aQKc8Yw2ZpLmN3vR7tUeQ0aBcDeFgHiJkLmN';
!export const stripe = new Stripe(STRIPE_KEY);
?export const stripe = new Stripe(config.stripeKey);`,
    ),
  ]),
  secret('python', 'aws-upload', 'Upload reports to S3', [
    hunk(
      'reports/storage.py',
      8,
      `
 import boto3
 
!s3 = boto3.client(
!    "s3",
!    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
!    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
!)
?s3 = boto3.client("s3")  # credentials from the instance role`,
    ),
  ]),
  secret('go', 'db-dsn', 'Connect to the reporting database', [
    hunk(
      'cmd/reporter/main.go',
      22,
      `
 func main() {
!\tdsn := "postgres://reporter:S3cr3tPassw0rd!@db.internal:5432/reports?sslmode=require"
?\tdsn := os.Getenv("REPORTS_DATABASE_URL")
 \tdb, err := sql.Open("pgx", dsn)
 \tif err != nil {
 \t\tlog.Fatalf("open database: %v", err)
 \t}`,
    ),
  ]),
  secret('java', 'smtp-password', 'Mail sender credentials', [
    hunk(
      'src/main/java/com/acme/notify/MailConfig.java',
      18,
      `
     @Bean
     JavaMailSender mailSender() {
         JavaMailSenderImpl sender = new JavaMailSenderImpl();
         sender.setHost(host);
         sender.setUsername(username);
!        sender.setPassword("Tr0ub4dor&3-smtp-prod");
?        sender.setPassword(password);
         return sender;
     }`,
    ),
  ]),

  weakHash('typescript', 'password-md5', 'Store password hashes', [
    hunk(
      'src/auth/passwords.ts',
      9,
      `
 export async function hashPassword(plain: string): Promise<string> {
-  return bcrypt.hash(plain, BCRYPT_ROUNDS);
!  return crypto.createHash('md5').update(plain).digest('hex');
?  return bcrypt.hash(plain, BCRYPT_ROUNDS);
 }`,
    ),
  ]),
  weakHash('python', 'password-sha1', 'Hash passwords on signup', [
    hunk(
      'accounts/security.py',
      14,
      `
 def hash_password(password: str) -> str:
     """Returns the stored form of a password."""
!    return hashlib.sha1(password.encode("utf-8")).hexdigest()
?    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode()`,
    ),
  ]),
  weakHash('go', 'password-md5', 'Hash API client secrets', [
    hunk(
      'internal/auth/secrets.go',
      17,
      `
 // HashSecret returns the form of a client secret kept in the database.
 func HashSecret(secret string) string {
!\tsum := md5.Sum([]byte(secret))
!\treturn hex.EncodeToString(sum[:])
?\th, _ := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.DefaultCost)
?\treturn string(h)
 }`,
    ),
  ]),
  weakHash('java', 'password-sha1', 'Hash user passwords', [
    hunk(
      'src/main/java/com/acme/users/PasswordHasher.java',
      21,
      `
     public String hash(String password) throws NoSuchAlgorithmException {
!        MessageDigest md = MessageDigest.getInstance("SHA-1");
!        return HexFormat.of().formatHex(md.digest(password.getBytes(StandardCharsets.UTF_8)));
?        return encoder.encode(password);
     }`,
    ),
  ]),

  tlsOff('typescript', 'partner-agent', 'Call the partner API', [
    hunk(
      'src/partners/client.ts',
      14,
      `
 const agent = new https.Agent({
   keepAlive: true,
!  rejectUnauthorized: false,
?  ca: partnerCa,
 });`,
    ),
  ]),
  tlsOff('python', 'webhook-post', 'Deliver webhooks', [
    hunk(
      'hooks/delivery.py',
      31,
      `
     def deliver(self, url: str, payload: dict) -> int:
!        resp = requests.post(url, json=payload, timeout=self.timeout, verify=False)
?        resp = requests.post(url, json=payload, timeout=self.timeout)
         return resp.status_code`,
    ),
  ]),
  tlsOff('go', 'metrics-push', 'Push metrics to the gateway', [
    hunk(
      'internal/metrics/push.go',
      19,
      `
 func newClient() *http.Client {
 \treturn &http.Client{
 \t\tTimeout: pushTimeout,
!\t\tTransport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
?\t\tTransport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}},
 \t}
 }`,
    ),
  ]),
  tlsOff('java', 'trust-all', 'HTTP client for the ledger service', [
    hunk(
      'src/main/java/com/acme/ledger/LedgerClient.java',
      27,
      `
     private static HttpClient buildClient() throws GeneralSecurityException {
!        SSLContext ctx = SSLContext.getInstance("TLS");
!        ctx.init(null, new TrustManager[] {new TrustAllManager()}, new SecureRandom());
!        return HttpClient.newBuilder().sslContext(ctx).build();
?        return HttpClient.newBuilder().sslContext(SSLContext.getDefault()).build();
     }`,
    ),
  ]),

  rand('typescript', 'reset-token', 'Password reset tokens', [
    hunk(
      'src/auth/reset.ts',
      22,
      `
 function newResetToken(): string {
!  return Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
?  return crypto.randomBytes(32).toString('base64url');
 }`,
    ),
  ]),
  rand('python', 'invite-code', 'Team invite codes', [
    hunk(
      'teams/invites.py',
      11,
      `
 def new_invite_code() -> str:
     """Returns a single-use code mailed to the invitee."""
!    return "".join(random.choice(ALPHABET) for _ in range(CODE_LENGTH))
?    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))`,
    ),
  ]),
  rand('go', 'session-id', 'Session identifiers', [
    hunk(
      'internal/session/id.go',
      9,
      `
 func newSessionID() string {
 \tb := make([]byte, sessionIDBytes)
!\tfor i := range b {
!\t\tb[i] = byte(mathrand.Intn(256))
!\t}
?\tif _, err := cryptorand.Read(b); err != nil {
?\t\tpanic(err)
?\t}
 \treturn hex.EncodeToString(b)
 }`,
    ),
  ]),
  rand('java', 'api-key', 'Generate API keys', [
    hunk(
      'src/main/java/com/acme/keys/ApiKeyFactory.java',
      16,
      `
     String newKey() {
!        Random random = new Random();
?        SecureRandom random = new SecureRandom();
         byte[] bytes = new byte[KEY_BYTES];
         random.nextBytes(bytes);
         return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
     }`,
    ),
  ]),

  traversal('typescript', 'download', 'Serve exported reports', [
    hunk(
      'src/exports/routes.ts',
      30,
      `
 router.get('/exports/:name', async (req, res) => {
!  const file = path.join(EXPORT_DIR, req.params.name);
?  const file = path.join(EXPORT_DIR, path.basename(req.params.name));
   res.download(file);
 });`,
    ),
  ]),
  traversal('python', 'attachment', 'Read ticket attachments', [
    hunk(
      'support/attachments.py',
      40,
      `
 @app.get("/attachments/<name>")
 def attachment(name: str):
!    return send_file(os.path.join(ATTACHMENT_ROOT, name))
?    return send_from_directory(ATTACHMENT_ROOT, name)`,
    ),
  ]),
  traversal('go', 'static-file', 'Serve tenant assets', [
    hunk(
      'internal/assets/handler.go',
      21,
      `
 func (h *Handler) Asset(w http.ResponseWriter, r *http.Request) {
!\tp := filepath.Join(h.root, r.URL.Query().Get("file"))
!\thttp.ServeFile(w, r, p)
?\thttp.ServeFileFS(w, r, h.fsys, path.Clean("/" + r.URL.Query().Get("file"))[1:])
 }`,
    ),
  ]),
  traversal('java', 'report-file', 'Download generated reports', [
    hunk(
      'src/main/java/com/acme/reports/ReportController.java',
      44,
      `
     @GetMapping("/reports/{name}")
     public ResponseEntity<Resource> download(@PathVariable String name) {
!        Path file = reportDir.resolve(name);
?        Path file = reportDir.resolve(name).normalize();
?        if (!file.startsWith(reportDir)) {
?            return ResponseEntity.badRequest().build();
?        }
         return ResponseEntity.ok(new FileSystemResource(file));
     }`,
    ),
  ]),
];
