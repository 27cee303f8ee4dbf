import type { Template } from './dsl';
import { hunk, kind } from './kind';

const layer = kind('layer-violation', 'architecture', 'medium', 'domain code depends on I/O');
const deepImport = kind('deep-relative-import', 'architecture', 'low', 'reaches across the tree');
const sqlInHandler = kind(
  'sql-in-handler',
  'architecture',
  'medium',
  'handler bypasses the repository',
);

export const ARCHITECTURE: Template[] = [
  layer('typescript', 'pricing-db', 'Price rules read the database', [
    hunk(
      'src/domain/pricing.ts',
      1,
      `
!import { pool } from '../store/db';
 import type { PriceRule } from './rules';
 
 /** The price of a line after the rules that apply to it. */
-export function priceLine(line: Line, rules: PriceRule[]): Money {
^export async function priceLine(line: Line): Promise<Money> {
^  const rules = (await pool.query<PriceRule>('SELECT * FROM price_rules')).rows;
?export function priceLine(line: Line, rules: readonly PriceRule[]): Money {`,
    ),
  ]),
  layer('python', 'order-model-http', 'Order model calls the tax service', [
    hunk(
      'shop/domain/order.py',
      1,
      `
 from dataclasses import dataclass
 from decimal import Decimal
!import requests
+
+from .tax import TaxRate`,
    ),
    hunk(
      'shop/domain/order.py',
      20,
      `
     def total(self) -> Decimal:
         """Subtotal plus tax at the order's destination rate."""
^        rate = requests.get(f"{TAX_URL}/rates/{self.country}", timeout=TAX_TIMEOUT).json()["rate"]
^        return self.subtotal * (1 + Decimal(str(rate)))
?        return self.subtotal * (1 + self.tax_rate.value)`,
    ),
  ]),
  layer('go', 'ledger-sql', 'Ledger entity opens SQL', [
    hunk(
      'internal/core/ledger/ledger.go',
      3,
      `
 import (
!\t"database/sql"
 \t"errors"
 )`,
    ),
    hunk(
      'internal/core/ledger/ledger.go',
      30,
      `
 // Post appends a balanced entry to the ledger.
-func (l *Ledger) Post(e Entry) error {
^func (l *Ledger) Post(db *sql.DB, e Entry) error {
?func (l *Ledger) Post(e Entry) error {
 \tif !e.Balanced() {
 \t\treturn errors.New("unbalanced entry")
 \t}`,
    ),
  ]),
  layer(
    'java',
    'entity-jdbc',
    'Account entity loads itself',
    [
      hunk(
        'src/main/java/com/acme/core/model/Account.java',
        3,
        `
 import java.math.BigDecimal;
!import java.sql.Connection;
!import java.sql.DriverManager;
 import java.util.Objects;`,
      ),
    ],
    'vulnerable',
  ),
  layer(
    'typescript',
    'adapter-imports-domain',
    'HTTP adapter uses the domain',
    [
      hunk(
        'src/api/pricingRoutes.ts',
        1,
        `
 import { Router } from 'express';
=import { priceLine } from '../domain/pricing';
 import { loadRules } from '../store/priceRules';`,
      ),
    ],
    'clean',
  ),

  deepImport('typescript', 'shared-money', 'Use the shared money helpers', [
    hunk(
      'src/features/checkout/steps/payment/summary.ts',
      1,
      `
-import { formatMoney } from '@acme/shared/money';
!import { formatMoney } from '../../../../shared/money';
?import { formatMoney } from '@acme/shared/money';
 import type { Cart } from '../../cart';`,
    ),
  ]),
  deepImport('javascript', 'legacy-utils', 'Reuse the date helpers', [
    hunk(
      'web/pages/admin/reports/weekly/chart.js',
      2,
      `
 import Chart from 'chart.js/auto';
!import { startOfWeek } from '../../../../lib/dates';
?import { startOfWeek } from '@/lib/dates';`,
    ),
  ]),
  deepImport('python', 'relative-climb', 'Reuse settings in the worker', [
    hunk(
      'platform/workers/billing/jobs/invoice.py',
      1,
      `
!from .....settings import BILLING
?from platform.settings import BILLING
 from ..queue import enqueue`,
    ),
  ]),

  sqlInHandler('typescript', 'express-sql', 'Profile endpoint', [
    hunk(
      'src/api/profileRoutes.ts',
      20,
      `
 router.get('/profile', requireUser, async (req, res) => {
-  const profile = await profiles.byUser(req.user.id);
!  const { rows } = await pool.query('SELECT * FROM profiles WHERE user_id = $1', [req.user.id]);
!  const profile = rows[0];
?  const profile = await profiles.byUser(req.user.id);
   res.json(profile);
 });`,
    ),
  ]),
  sqlInHandler('java', 'controller-jdbc', 'Order controller', [
    hunk(
      'src/main/java/com/acme/orders/OrderController.java',
      35,
      `
     @GetMapping("/orders/{id}")
     public OrderDto get(@PathVariable long id) {
!        return jdbcTemplate.queryForObject(
!                "SELECT id, status, total FROM orders WHERE id = ?", ORDER_ROW_MAPPER, id);
?        return orderService.get(id);
     }`,
    ),
  ]),
  sqlInHandler('python', 'view-raw-sql', 'Stats view', [
    hunk(
      'dashboard/views.py',
      44,
      `
 def team_stats(request, team_id: int):
!    with connection.cursor() as cur:
!        cur.execute("SELECT count(*), sum(points) FROM scores WHERE team_id = %s", [team_id])
!        count, points = cur.fetchone()
?    count, points = stats_service.team_totals(team_id)
     return JsonResponse({"count": count, "points": points})`,
    ),
  ]),
  sqlInHandler('go', 'handler-sql', 'Health summary handler', [
    hunk(
      'internal/http/status.go',
      26,
      `
 func (s *Server) status(w http.ResponseWriter, r *http.Request) {
!\tvar pending int
!\terr := s.db.QueryRowContext(r.Context(), "SELECT count(*) FROM jobs WHERE state = 'pending'").Scan(&pending)
?\tpending, err := s.jobs.PendingCount(r.Context())
 \tif err != nil {
 \t\thttp.Error(w, "unavailable", http.StatusServiceUnavailable)
 \t\treturn
 \t}`,
    ),
  ]),
];
