import type { Template } from './dsl';
import { hunk, kind, newFile } from './kind';

const missing = kind('missing-tests', 'testing', 'medium', 'new behaviour arrives without tests');
const noAssert = kind('test-without-assertions', 'testing', 'medium', 'test asserts nothing');
const focused = kind('skipped-test', 'testing', 'medium', 'test disabled or focused');
const sleepy = kind('sleep-in-test', 'testing', 'low', 'fixed sleep makes the test slow and flaky');

export const TESTING: Template[] = [
  missing('typescript', 'proration', 'Prorate plan changes', [
    hunk(
      'src/billing/proration.ts',
      18,
      `
 
+/** Credit for the unused part of the current period when a plan changes mid-cycle. */
*export function prorationCredit(plan: Plan, changedAt: Date, period: Period): Money {
*  const unused = period.end.getTime() - changedAt.getTime();
*  const length = period.end.getTime() - period.start.getTime();
*  return plan.price.times(Math.max(0, unused) / length);
*}`,
    ),
    newFile(
      'test/billing/proration.test.ts',
      `
?import { prorationCredit } from '../../src/billing/proration';
?
?describe('prorationCredit', () => {
?  it('credits half the price at mid-period', () => {
?    expect(prorationCredit(monthly(3000), midMarch, march).cents).toBe(1500);
?  });
?
?  it('credits nothing after the period ended', () => {
?    expect(prorationCredit(monthly(3000), april2, march).cents).toBe(0);
?  });
?});`,
    ),
  ]),
  missing('python', 'vat-rules', 'VAT for EU customers', [
    hunk(
      'billing/vat.py',
      30,
      `
 
 
*def vat_rate(country: str, business: bool) -> Decimal:
*    """VAT rate to charge; EU businesses with a VAT id are reverse-charged."""
*    if business and country in EU_COUNTRIES:
*        return Decimal(0)
*    return VAT_RATES.get(country, Decimal(0))`,
    ),
    newFile(
      'tests/billing/test_vat.py',
      `
?from decimal import Decimal
?
?from billing.vat import vat_rate
?
?
?def test_eu_business_is_reverse_charged():
?    assert vat_rate("DE", business=True) == Decimal(0)
?
?
?def test_consumer_pays_local_rate():
?    assert vat_rate("FR", business=False) == Decimal("0.20")`,
    ),
  ]),
  missing('go', 'rate-limiter', 'Token bucket limiter', [
    hunk(
      'internal/ratelimit/bucket.go',
      40,
      `
 
*// Allow reports whether a request may proceed now, taking one token if so.
*func (b *Bucket) Allow(now time.Time) bool {
*\tb.refill(now)
*\tif b.tokens < 1 {
*\t\treturn false
*\t}
*\tb.tokens--
*\treturn true
*}`,
    ),
    newFile(
      'internal/ratelimit/bucket_test.go',
      `
?package ratelimit
?
?import (
?\t"testing"
?\t"time"
?)
?
?func TestAllowRefusesWhenEmpty(t *testing.T) {
?\tnow := time.Unix(0, 0)
?\tb := NewBucket(1, time.Second, now)
?\tif !b.Allow(now) || b.Allow(now) {
?\t\tt.Fatal("expected exactly one request through")
?\t}
?}`,
    ),
  ]),
  missing('java', 'coupon-expiry', 'Coupon expiry rules', [
    hunk(
      'src/main/java/com/acme/promo/Coupon.java',
      30,
      `
 
*    /** Whether the coupon can be redeemed at the given instant. */
*    public boolean redeemableAt(Instant at) {
*        return !at.isBefore(validFrom) && at.isBefore(validUntil) && remainingUses > 0;
*    }`,
    ),
    newFile(
      'src/test/java/com/acme/promo/CouponTest.java',
      `
?package com.acme.promo;
?
?import static org.junit.jupiter.api.Assertions.assertFalse;
?
?import org.junit.jupiter.api.Test;
?
?class CouponTest {
?    @Test
?    void notRedeemableAfterExpiry() {
?        assertFalse(Coupons.expired().redeemableAt(Coupons.NOW));
?    }
?}`,
    ),
  ]),

  noAssert('typescript', 'refund-flow', 'Refund test', [
    newFile(
      'test/payments/refund.test.ts',
      `
+import { refund } from '../../src/payments/refund';
+
+describe('refund', () => {
+  it('refunds a captured payment', async () => {
*    const payment = await capturedPayment(2500);
*    await refund(payment.id, 2500);
?    expect((await payments.get(payment.id)).status).toBe('refunded');
+  });
+});`,
    ),
  ]),
  noAssert('python', 'export-csv', 'CSV export test', [
    newFile(
      'tests/test_export.py',
      `
+from reports.export import export_csv
+
+
+def test_export_writes_header(tmp_path):
*    out = tmp_path / "r.csv"
*    export_csv([{"id": 1, "total": "9.99"}], out)
?    assert out.read_text().splitlines()[0] == "id,total"`,
    ),
  ]),
  noAssert('go', 'parse-config', 'Config parser test', [
    newFile(
      'internal/config/parse_test.go',
      `
+package config
+
+import "testing"
+
+func TestParseDefaults(t *testing.T) {
*\tcfg, err := Parse([]byte("port: 8080"))
*\t_ = cfg
*\t_ = err
?\tif err != nil || cfg.Port != 8080 {
?\t\tt.Fatalf("Parse() = %+v, %v", cfg, err)
?\t}
+}`,
    ),
  ]),
  noAssert('java', 'mailer-test', 'Mailer test', [
    newFile(
      'src/test/java/com/acme/notify/MailerTest.java',
      `
+package com.acme.notify;
+
+import org.junit.jupiter.api.Test;
+
+class MailerTest {
+    @Test
+    void sendsWelcomeMail() {
*        FakeTransport transport = new FakeTransport();
*        new Mailer(transport).welcome("ada@example.test");
?        org.junit.jupiter.api.Assertions.assertEquals(1, transport.sent().size());
+    }
+}`,
    ),
  ]),

  focused('typescript', 'it-only', 'Focused test left in', [
    hunk(
      'test/cart/totals.test.ts',
      12,
      `
-  it('applies the coupon before tax', () => {
!  it.only('applies the coupon before tax', () => {
?  it('applies the coupon before tax', () => {
     expect(total(cartWith(coupon10))).toEqual(money(9000));
   });`,
    ),
  ]),
  focused(
    'java',
    'disabled',
    'Disabled flaky test',
    [
      hunk(
        'src/test/java/com/acme/orders/OrderFlowTest.java',
        40,
        `
     @Test
!    @Disabled("flaky on CI")
     void cancelsUnpaidOrderAfterTimeout() {`,
      ),
    ],
    'vulnerable',
  ),
  focused(
    'python',
    'skip-mark',
    'Skipped payment test',
    [
      hunk(
        'tests/test_payments.py',
        51,
        `
!@pytest.mark.skip(reason="gateway sandbox down")
 def test_declined_card_is_reported(gateway):`,
      ),
    ],
    'vulnerable',
  ),
  sleepy('javascript', 'wait-for-job', 'Wait for the job to finish', [
    hunk(
      'test/jobs/export.test.js',
      20,
      `
   await queue.add('export', { userId });
!  await new Promise((r) => setTimeout(r, 3000));
?  await waitFor(() => expect(storage.files(userId)).toHaveLength(1));
   expect(storage.files(userId)).toHaveLength(1);`,
    ),
  ]),
  sleepy('go', 'sleep-in-test', 'Wait for the cache to expire', [
    hunk(
      'internal/cache/ttl_test.go',
      17,
      `
 \tc.Set("k", "v", time.Second)
!\ttime.Sleep(2 * time.Second)
?\tclock.Advance(2 * time.Second)
 \tif _, ok := c.Get("k"); ok {`,
    ),
  ]),
];
