import type { Template } from './dsl';
import { hunk, kind, newFile } from './kind';

const longFn = kind('long-function', 'maintainability', 'low', 'function too long to follow');
const magic = kind('magic-number', 'maintainability', 'low', 'unexplained numeric literal');
const debug = kind('debug-leftover', 'maintainability', 'low', 'debug output left in');
const nesting = kind('deep-nesting', 'maintainability', 'low', 'deeply nested conditionals');
const unused = kind('unused-variable', 'maintainability', 'low', 'value computed and never used');

const FIELDS = ['name', 'email', 'phone', 'street', 'city', 'postcode', 'country', 'vatNumber'];
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const title = (s: string): string => s[0]?.toUpperCase() + s.slice(1);

/** A field-by-field validator: the shape long functions take in real code. */
function longBody(lang: 'ts' | 'py' | 'go' | 'java'): string[] {
  return FIELDS.flatMap((f) => {
    switch (lang) {
      case 'ts':
        return [
          `  if (!input.${f} || input.${f}.trim() === '') {`,
          `    errors.push({ field: '${f}', message: 'required' });`,
          `  } else if (input.${f}.length > limits.${f}) {`,
          `    errors.push({ field: '${f}', message: 'too long' });`,
          `  }`,
        ];
      case 'py':
        return [
          `    value = data.get("${snake(f)}", "").strip()`,
          `    if not value:`,
          `        errors.append(("${snake(f)}", "required"))`,
          `    elif len(value) > LIMITS["${snake(f)}"]:`,
          `        errors.append(("${snake(f)}", "too long"))`,
        ];
      case 'go':
        return [
          `\tif strings.TrimSpace(in.${title(f)}) == "" {`,
          `\t\terrs = append(errs, FieldError{"${f}", "required"})`,
          `\t} else if len(in.${title(f)}) > limits.${title(f)} {`,
          `\t\terrs = append(errs, FieldError{"${f}", "too long"})`,
          `\t}`,
        ];
      case 'java':
        return [
          `        if (in.get${title(f)}() == null || in.get${title(f)}().isBlank()) {`,
          `            errors.add(new FieldError("${f}", "required"));`,
          `        } else if (in.get${title(f)}().length() > limits.${f}()) {`,
          `            errors.add(new FieldError("${f}", "too long"));`,
          `        }`,
        ];
    }
  });
}

const mark = (m: string, lines: string[]): string => lines.map((l) => `${m}${l}`).join('\n');

export const MAINTAINABILITY: Template[] = [
  longFn('typescript', 'customer-validation', 'Validate the customer form', [
    newFile(
      'src/customers/validate.ts',
      `
+import type { CustomerInput, FieldError, Limits } from './types';
+
+/** Every problem with the form at once, so the UI can show them together. */
!export function validateCustomer(input: CustomerInput, limits: Limits): FieldError[] {
!  const errors: FieldError[] = [];
${mark('!', longBody('ts'))}
!  return errors;
!}
?export function validateCustomer(input: CustomerInput, limits: Limits): FieldError[] {
?  return FIELDS.flatMap((field) => checkField(field, input[field], limits[field]));
?}`,
    ),
    newFile(
      'test/customers/validate.test.ts',
      `
+import { validateCustomer } from '../../src/customers/validate';
+
+it('reports every missing field at once', () => {
+  expect(validateCustomer(emptyInput, defaultLimits).map((e) => e.field)).toEqual(ALL_FIELDS);
+});`,
    ),
  ]),
  longFn('python', 'customer-validation', 'Validate the signup payload', [
    newFile(
      'signup/validation.py',
      `
+from .limits import LIMITS
+
+
!def validate_signup(data: dict[str, str]) -> list[tuple[str, str]]:
!    """Returns every (field, problem) pair in the signup payload."""
!    errors: list[tuple[str, str]] = []
${mark('!', longBody('py'))}
!    return errors
?def validate_signup(data: dict[str, str]) -> list[tuple[str, str]]:
?    """Returns every (field, problem) pair in the signup payload."""
?    return [e for field in FIELDS for e in check_field(field, data.get(field, ""))]`,
    ),
    newFile(
      'tests/signup/test_validation.py',
      `
+from signup.validation import validate_signup
+
+
+def test_reports_every_missing_field():
+    assert {f for f, _ in validate_signup({})} == set(FIELD_NAMES)`,
    ),
  ]),
  longFn('go', 'customer-validation', 'Validate the customer request', [
    newFile(
      'internal/customers/validate.go',
      `
+package customers
+
+import "strings"
+
+// Validate reports every problem with the request at once.
!func Validate(in Input, limits Limits) []FieldError {
!\tvar errs []FieldError
${mark('!', longBody('go'))}
!\treturn errs
!}
?func Validate(in Input, limits Limits) []FieldError {
?\tvar errs []FieldError
?\tfor _, f := range in.fields() {
?\t\terrs = append(errs, checkField(f, strings.TrimSpace(f.Value), limits.For(f.Name))...)
?\t}
?\treturn errs
?}`,
    ),
    newFile(
      'internal/customers/validate_test.go',
      `
+package customers
+
+import "testing"
+
+func TestValidateReportsEveryMissingField(t *testing.T) {
+\tif errs := Validate(Input{}, DefaultLimits); len(errs) != len(fieldNames) {
+\t\tt.Fatalf("got %d errors, want one per field", len(errs))
+\t}
+}`,
    ),
  ]),
  longFn('java', 'customer-validation', 'Validate the customer DTO', [
    newFile(
      'src/main/java/com/acme/customers/CustomerValidator.java',
      `
+package com.acme.customers;
+
+import java.util.ArrayList;
+import java.util.List;
+
+/** Checks a customer form; every problem is reported at once. */
+public final class CustomerValidator {
+    /** Returns every field error in the form. */
!    public List<FieldError> validate(CustomerForm in, Limits limits) {
!        List<FieldError> errors = new ArrayList<>();
${mark('!', longBody('java'))}
!        return errors;
!    }
?    public List<FieldError> validate(CustomerForm in, Limits limits) {
?        List<FieldError> errors = new ArrayList<>();
?        in.fields().forEach((name, value) -> check(name, value, limits, errors));
?        return errors;
?    }
+}`,
    ),
    newFile(
      'src/test/java/com/acme/customers/CustomerValidatorTest.java',
      `
+package com.acme.customers;
+
+import static org.junit.jupiter.api.Assertions.assertEquals;
+
+import org.junit.jupiter.api.Test;
+
+class CustomerValidatorTest {
+    @Test
+    void reportsEveryMissingField() {
+        assertEquals(FIELD_COUNT, new CustomerValidator().validate(new CustomerForm(), Limits.DEFAULT).size());
+    }
+}`,
    ),
  ]),

  magic('typescript', 'session-ttl', 'Session expiry', [
    hunk(
      'src/auth/sessions.ts',
      33,
      `
   const session = await store.create(user.id, {
!    expiresAt: Date.now() + 1209600000,
?    expiresAt: Date.now() + SESSION_TTL_MS,
   });`,
    ),
  ]),
  magic('python', 'discount', 'Loyalty discount', [
    hunk(
      'pricing/discounts.py',
      17,
      `
 def loyalty_discount(customer: Customer, subtotal: Decimal) -> Decimal:
     """Discount for customers past the loyalty threshold."""
!    if customer.lifetime_spend > 2500 and customer.orders >= 12:
!        return subtotal * Decimal("0.075")
?    if customer.lifetime_spend > LOYALTY_SPEND and customer.orders >= LOYALTY_ORDERS:
?        return subtotal * LOYALTY_RATE
     return Decimal(0)`,
    ),
  ]),
  magic('go', 'retry-budget', 'Upload retries', [
    hunk(
      'internal/upload/client.go',
      44,
      `
 \tfor attempt := 0; ; attempt++ {
 \t\terr := c.put(ctx, part)
!\t\tif err == nil || attempt >= 7 {
?\t\tif err == nil || attempt >= maxPutAttempts {
 \t\t\treturn err
 \t\t}
!\t\ttime.Sleep(time.Duration(350*(attempt+1)) * time.Millisecond)
?\t\ttime.Sleep(backoff(attempt))
 \t}`,
    ),
  ]),
  magic('java', 'fraud-score', 'Flag risky payments', [
    hunk(
      'src/main/java/com/acme/risk/FraudRules.java',
      27,
      `
     boolean needsReview(Payment p) {
!        return p.amountCents() > 4999900 || p.score() > 0.83;
?        return p.amountCents() > REVIEW_AMOUNT_CENTS || p.score() > REVIEW_SCORE;
     }`,
    ),
  ]),

  debug('typescript', 'console-token', 'Refresh OAuth tokens', [
    hunk(
      'src/integrations/oauth.ts',
      51,
      `
   const tokens = await exchange(refreshToken);
!  console.log('refreshed tokens', tokens);
?  logger.debug({ expiresIn: tokens.expiresIn }, 'refreshed tokens');
   return tokens;`,
    ),
  ]),
  debug('python', 'print-payload', 'Parse the webhook payload', [
    hunk(
      'hooks/parse.py',
      23,
      `
     payload = json.loads(body)
!    print("DEBUG payload", payload)
?    log.debug("webhook event %s", payload.get("type"))
     return Event.from_dict(payload)`,
    ),
  ]),
  debug('go', 'println', 'Apply a coupon', [
    hunk(
      'internal/cart/coupon.go',
      30,
      `
 \tdiscount := c.Rate.Mul(cart.Subtotal())
!\tfmt.Println("coupon debug:", c.Code, discount)
?\tlog.Debug("coupon applied", "code", c.Code)
 \tcart.ApplyDiscount(discount)`,
    ),
  ]),
  debug('java', 'sysout', 'Book a shipment', [
    hunk(
      'src/main/java/com/acme/shipping/Booking.java',
      41,
      `
         Shipment shipment = carrier.book(request);
!        System.out.println("booked " + shipment);
?        log.info("booked shipment {}", shipment.id());
         return shipment;`,
    ),
  ]),

  nesting('typescript', 'shipping-rate', 'Shipping rate rules', [
    hunk(
      'src/shipping/rates.ts',
      14,
      `
 export function rateFor(order: Order): Money {
!  if (order.country === 'DE') {
!    if (order.weightKg > HEAVY_KG) {
!      if (order.express) {
!        if (order.customer.tier === 'gold') {
!          return rates.heavyExpressGold;
!        } else {
!          return rates.heavyExpress;
!        }
!      } else {
!        return rates.heavy;
!      }
!    }
!  }
?  const rule = RATE_RULES.find((r) => r.applies(order));
?  if (rule) return rule.rate;
   return rates.standard;
 }`,
    ),
  ]),
  unused(
    'python',
    'report-total',
    'Monthly report totals',
    [
      hunk(
        'reports/monthly.py',
        35,
        `
     rows = fetch_rows(month)
!    average = sum(r.amount for r in rows) / max(len(rows), 1)
     total = sum(r.amount for r in rows)
     return Report(month=month, total=total, count=len(rows))`,
      ),
    ],
    'vulnerable',
  ),
  unused(
    'typescript',
    'cart-count',
    'Cart badge',
    [
      hunk(
        'src/cart/badge.ts',
        8,
        `
 export function badgeText(cart: Cart): string {
!  const itemTotal = cart.items.reduce((sum, i) => sum + i.price * i.quantity, 0);
   const count = cart.items.reduce((n, i) => n + i.quantity, 0);
   return count > MAX_BADGE ? \`\${MAX_BADGE}+\` : String(count);
 }`,
      ),
    ],
    'vulnerable',
  ),
];
