import type { Template } from './dsl';
import { hunk, kind } from './kind';

const swallowed = kind('swallowed-error', 'correctness', 'high', 'error caught and discarded');
const noAwait = kind('missing-await', 'correctness', 'high', 'promise not awaited');
const offByOne = kind('off-by-one', 'correctness', 'medium', 'loop or slice bound is off by one');
const strEq = kind('string-reference-equality', 'correctness', 'high', 'strings compared with ==');
const mutDefault = kind('mutable-default', 'correctness', 'medium', 'mutable default argument');
const deferLoop = kind('defer-in-loop', 'correctness', 'medium', 'defer inside a loop');
const looseEq = kind('loose-equality', 'correctness', 'medium', 'loose equality coerces types');
const inverted = kind('inverted-condition', 'correctness', 'high', 'condition is inverted');

export const CORRECTNESS: Template[] = [
  swallowed('typescript', 'sync-inventory', 'Sync inventory from the warehouse', [
    hunk(
      'src/inventory/sync.ts',
      25,
      `
 export async function syncInventory(warehouse: WarehouseClient, repo: StockRepo): Promise<void> {
   const levels = await warehouse.stockLevels();
-  await repo.saveLevels(levels);
!  try {
!    await repo.saveLevels(levels);
!  } catch (e) {}
?  try {
?    await repo.saveLevels(levels);
?  } catch (e) {
?    throw new SyncError('saving stock levels failed', { cause: e });
?  }
 }`,
    ),
  ]),
  swallowed('python', 'charge-card', 'Charge the card at checkout', [
    hunk(
      'shop/checkout.py',
      58,
      `
     def charge(self, order: Order) -> None:
!        try:
!            self.gateway.charge(order.card_token, order.total_cents)
!        except Exception:
!            pass
?        try:
?            self.gateway.charge(order.card_token, order.total_cents)
?        except GatewayError as exc:
?            raise PaymentFailed(order.id) from exc
         order.mark_paid()`,
    ),
  ]),
  swallowed('go', 'write-audit', 'Write the audit record', [
    hunk(
      'internal/audit/writer.go',
      33,
      `
 func (w *Writer) Record(ctx context.Context, e Event) error {
 \tpayload, err := json.Marshal(e)
 \tif err != nil {
 \t\treturn fmt.Errorf("encode audit event: %w", err)
 \t}
!\t_ = w.store.Append(ctx, payload)
!\treturn nil
?\treturn w.store.Append(ctx, payload)
 }`,
    ),
  ]),
  swallowed('java', 'load-settings', 'Load tenant settings', [
    hunk(
      'src/main/java/com/acme/tenants/SettingsLoader.java',
      29,
      `
     TenantSettings load(String tenantId) {
!        try {
!            return mapper.readValue(store.read(tenantId), TenantSettings.class);
!        } catch (IOException e) {
!        }
!        return TenantSettings.defaults();
?        try {
?            return mapper.readValue(store.read(tenantId), TenantSettings.class);
?        } catch (IOException e) {
?            throw new UncheckedIOException("settings of tenant " + tenantId + " unreadable", e);
?        }
     }`,
    ),
  ]),

  noAwait('typescript', 'save-then-notify', 'Save the order before notifying', [
    hunk(
      'src/orders/service.ts',
      47,
      `
   async place(order: Order): Promise<void> {
!    this.repo.insert(order);
?    await this.repo.insert(order);
     await this.events.publish({ type: 'order.placed', orderId: order.id });
   }`,
    ),
  ]),
  noAwait('javascript', 'delete-session', 'Log out deletes the session', [
    hunk(
      'server/auth/logout.js',
      9,
      `
 async function logout(req, res) {
!  sessions.destroy(req.session.id);
?  await sessions.destroy(req.session.id);
   res.clearCookie('sid');
   res.redirect('/login');
 }`,
    ),
  ]),

  offByOne('typescript', 'pagination', 'Page through results', [
    hunk(
      'src/search/paginate.ts',
      6,
      `
 export function pageOf<T>(items: readonly T[], page: number, size: number): T[] {
!  return items.slice(page * size, page * size + size + 1);
?  return items.slice(page * size, page * size + size);
 }`,
    ),
  ]),
  offByOne('python', 'batch-windows', 'Split work into batches', [
    hunk(
      'jobs/batching.py',
      12,
      `
 def batches(items: list[T], size: int) -> list[list[T]]:
     """Splits items into consecutive batches of at most size items."""
!    return [items[i : i + size] for i in range(0, len(items) - size, size)]
?    return [items[i : i + size] for i in range(0, len(items), size)]`,
    ),
  ]),
  offByOne('go', 'ring-buffer', 'Read the last n log lines', [
    hunk(
      'internal/logbuf/ring.go',
      40,
      `
 func (r *Ring) Last(n int) []string {
 \tout := make([]string, 0, n)
!\tfor i := 0; i <= n; i++ {
?\tfor i := 0; i < n; i++ {
 \t\tout = append(out, r.lines[(r.head-n+i+len(r.lines))%len(r.lines)])
 \t}
 \treturn out
 }`,
    ),
  ]),
  offByOne('java', 'csv-columns', 'Parse CSV header columns', [
    hunk(
      'src/main/java/com/acme/imports/CsvHeader.java',
      22,
      `
     List<String> columns(String[] cells) {
         List<String> out = new ArrayList<>();
!        for (int i = 0; i <= cells.length; i++) {
?        for (int i = 0; i < cells.length; i++) {
             out.add(cells[i].trim());
         }
         return out;
     }`,
    ),
  ]),

  strEq('java', 'role-check', 'Check the admin role', [
    hunk(
      'src/main/java/com/acme/auth/RoleGuard.java',
      15,
      `
     boolean isAdmin(User user) {
!        return user.getRole() == "ADMIN";
?        return "ADMIN".equals(user.getRole());
     }`,
    ),
  ]),
  strEq('java', 'currency-match', 'Match the account currency', [
    hunk(
      'src/main/java/com/acme/ledger/Transfer.java',
      38,
      `
     void validate(Account from, Account to) {
!        if (from.currency() != to.currency()) {
?        if (!from.currency().equals(to.currency())) {
             throw new IllegalArgumentException("currency mismatch");
         }
     }`,
    ),
  ]),
  mutDefault('python', 'tags', 'Collect tags for a post', [
    hunk(
      'blog/tags.py',
      5,
      `
!def add_tag(tag: str, tags: list[str] = []) -> list[str]:
?def add_tag(tag: str, tags: list[str] | None = None) -> list[str]:
     """Adds tag to tags, creating the list when none is given."""
?    tags = [] if tags is None else tags
     tags.append(tag.lower())
     return tags`,
    ),
  ]),
  deferLoop('go', 'import-files', 'Import every uploaded file', [
    hunk(
      'internal/imports/files.go',
      26,
      `
 func ImportAll(paths []string) error {
 \tfor _, p := range paths {
 \t\tf, err := os.Open(p)
 \t\tif err != nil {
 \t\t\treturn err
 \t\t}
!\t\tdefer f.Close()
!\t\tif err := importOne(f); err != nil {
!\t\t\treturn err
!\t\t}
?\t\terr = importOne(f)
?\t\tf.Close()
?\t\tif err != nil {
?\t\t\treturn err
?\t\t}
 \t}
 \treturn nil
 }`,
    ),
  ]),
  looseEq('javascript', 'quantity-check', 'Reject zero quantities', [
    hunk(
      'web/cart/validate.js',
      14,
      `
 function validateLine(line) {
!  if (line.quantity == 0) {
?  if (Number(line.quantity) === 0) {
     return 'quantity must be positive';
   }
   return null;
 }`,
    ),
  ]),
  inverted('typescript', 'retry-on-success', 'Retry failed deliveries', [
    hunk(
      'src/webhooks/retry.ts',
      18,
      `
   for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
     const res = await send(hook);
!    if (res.ok) continue;
!    return res;
?    if (res.ok) return res;
     await sleep(backoff(attempt));
   }`,
    ),
  ]),
  inverted('go', 'expiry-check', 'Reject expired tokens', [
    hunk(
      'internal/auth/token.go',
      47,
      `
 func (t Token) Valid(now time.Time) bool {
!\treturn t.ExpiresAt.Before(now)
?\treturn now.Before(t.ExpiresAt)
 }`,
    ),
  ]),
];
