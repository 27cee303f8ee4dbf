import type { Template } from './dsl';
import { hunk, kind, newFile } from './kind';

const undocumented = kind('undocumented-export', 'documentation', 'low', 'public API without docs');
const stale = kind('stale-doc', 'documentation', 'low', 'doc comment contradicts the code');

export const DOCUMENTATION: Template[] = [
  undocumented('typescript', 'retry-helper', 'Shared retry helper', [
    newFile(
      'src/shared/retry.ts',
      `
+import { setTimeout as sleep } from 'node:timers/promises';
+
?/**
? * Runs fn until it succeeds or attempts run out, doubling the delay each time; rethrows the
? * last error.
? */
*export async function retry<T>(fn: () => Promise<T>, attempts: number, delayMs: number): Promise<T> {
*  for (let i = 1; ; i++) {
*    try {
*      return await fn();
*    } catch (err) {
*      if (i >= attempts) throw err;
*      await sleep(delayMs * 2 ** (i - 1));
*    }
*  }
*}`,
    ),
    newFile(
      'test/shared/retry.test.ts',
      `
+import { retry } from '../../src/shared/retry';
+
+it('gives up after the last attempt', async () => {
+  await expect(retry(() => Promise.reject(new Error('down')), 2, 1)).rejects.toThrow('down');
+});`,
    ),
  ]),
  undocumented('python', 'slugify', 'Slug helper for URLs', [
    newFile(
      'common/text.py',
      `
+import re
+import unicodedata
+
+
*def slugify(title: str, max_length: int = SLUG_MAX) -> str:
?    """URL slug of a title: ASCII, lower case, words joined by '-', cut at max_length."""
*    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
*    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
*    return "-".join(words)[:max_length].rstrip("-")`,
    ),
    newFile(
      'tests/common/test_text.py',
      `
+from common.text import slugify
+
+
+def test_slugify_drops_accents():
+    assert slugify("Crème brûlée") == "creme-brulee"`,
    ),
  ]),
  undocumented('go', 'money-type', 'Money value type', [
    newFile(
      'pkg/money/money.go',
      `
+package money
+
?// Money is an amount in minor units (cents) of one currency.
*type Money struct {
*\tCents    int64
*\tCurrency string
*}
+
?// Add sums two amounts of the same currency and fails on a currency mismatch.
*func (m Money) Add(o Money) (Money, error) {
*\tif m.Currency != o.Currency {
*\t\treturn Money{}, ErrCurrencyMismatch
*\t}
*\treturn Money{m.Cents + o.Cents, m.Currency}, nil
*}`,
    ),
    newFile(
      'pkg/money/money_test.go',
      `
+package money
+
+import "testing"
+
+func TestAddRefusesMixedCurrencies(t *testing.T) {
+\tif _, err := (Money{1, "EUR"}).Add(Money{1, "USD"}); err != ErrCurrencyMismatch {
+\t\tt.Fatalf("err = %v", err)
+\t}
+}`,
    ),
  ]),
  undocumented('java', 'client-api', 'Public client method', [
    hunk(
      'src/main/java/com/acme/sdk/QuorumClient.java',
      60,
      `
 
?    /**
?     * Submits a diff for review and returns the review id; the review runs asynchronously.
?     *
?     * @throws ApiException when the server rejects the diff
?     */
*    public String submitReview(String diff, ReviewOptions options) throws ApiException {
*        return post("/api/v2/cr-ai/review", new ReviewRequest(diff, options)).id();
*    }`,
    ),
    hunk(
      'src/test/java/com/acme/sdk/QuorumClientTest.java',
      30,
      `
+    @Test
+    void submitReviewReturnsTheId() throws Exception {
+        assertEquals("rev-1", client(stubAnswering("rev-1")).submitReview(DIFF, ReviewOptions.defaults()));
+    }`,
    ),
  ]),

  stale('typescript', 'returns-null', 'Lookup now throws', [
    hunk(
      'src/users/lookup.ts',
      10,
      `
 /**
!  * Finds a user by id; returns null when there is none.
?  * Finds a user by id; throws NotFoundError when there is none.
   */
 export async function userById(id: string): Promise<User> {
   const user = await repo.get(id);
-  return user ?? null;
+  if (!user) throw new NotFoundError('user', id);
+  return user;
 }`,
    ),
  ]),
  stale('python', 'units', 'Timeout now in milliseconds', [
    hunk(
      'client/http.py',
      20,
      `
 def fetch(url: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bytes:
!    """Fetches url, giving up after timeout seconds."""
?    """Fetches url, giving up after timeout_ms milliseconds."""
-    return _session.get(url, timeout=timeout_ms).content
+    return _session.get(url, timeout=timeout_ms / 1000).content`,
    ),
  ]),
  stale('go', 'doc-param', 'Renamed parameter', [
    hunk(
      'internal/search/index.go',
      33,
      `
!// Search returns at most limit hits for q, best first.
?// Search returns one page of hits for q, best first; page starts at 0.
-func (ix *Index) Search(q string, limit int) []Hit {
+func (ix *Index) Search(q string, page int) []Hit {
+\tfrom, to := page*pageSize, (page+1)*pageSize`,
    ),
  ]),
  stale('java', 'throws-doc', 'Validation now returns a result', [
    hunk(
      'src/main/java/com/acme/orders/OrderValidator.java',
      14,
      `
     /**
!     * Validates the order and throws InvalidOrderException on the first problem.
?     * Validates the order and returns every problem found; an empty result means valid.
      */
-    public void validate(Order order) throws InvalidOrderException {
+    public ValidationResult validate(Order order) {`,
    ),
  ]),
];
