import type { Template } from './dsl';
import { hunk, kind } from './kind';

const nPlusOne = kind('n-plus-one', 'performance', 'medium', 'one query per loop iteration');
const blocking = kind('blocking-io', 'performance', 'medium', 'blocking I/O on the request path');
const quadratic = kind('quadratic-lookup', 'performance', 'medium', 'linear search inside a loop');
const regexLoop = kind('regex-in-loop', 'performance', 'low', 'pattern recompiled per iteration');

export const PERFORMANCE: Template[] = [
  nPlusOne('typescript', 'order-lines', 'Load order lines for the dashboard', [
    hunk(
      'src/dashboard/orders.ts',
      30,
      `
   const orders = await db.query<OrderRow>('SELECT * FROM orders WHERE customer_id = $1', [id]);
-  const lines = await linesFor(db, orders.rows.map((o) => o.id));
!  for (const order of orders.rows) {
!    const res = await db.query('SELECT * FROM order_lines WHERE order_id = $1', [order.id]);
!    order.lines = res.rows;
!  }
?  const lines = await db.query('SELECT * FROM order_lines WHERE order_id = ANY($1)', [
?    orders.rows.map((o) => o.id),
?  ]);
?  attachLines(orders.rows, lines.rows);`,
    ),
  ]),
  nPlusOne('python', 'author-names', 'Show author names on the feed', [
    hunk(
      'feed/views.py',
      22,
      `
     posts = Post.objects.filter(published=True).order_by("-created")[:PAGE_SIZE]
!    items = []
!    for post in posts:
!        author = User.objects.get(id=post.author_id)
!        items.append({"title": post.title, "author": author.display_name})
?    posts = posts.select_related("author")
?    items = [{"title": p.title, "author": p.author.display_name} for p in posts]
     return render(request, "feed.html", {"items": items})`,
    ),
  ]),
  nPlusOne('go', 'team-members', 'List members of each team', [
    hunk(
      'internal/teams/service.go',
      61,
      `
 \tteams, err := s.repo.Teams(ctx, orgID)
 \tif err != nil {
 \t\treturn nil, err
 \t}
!\tfor i := range teams {
!\t\trows, err := s.db.QueryContext(ctx, "SELECT user_id FROM memberships WHERE team_id = $1", teams[i].ID)
!\t\tif err != nil {
!\t\t\treturn nil, err
!\t\t}
!\t\tteams[i].Members = scanIDs(rows)
!\t}
?\tmembers, err := s.repo.MembersByTeam(ctx, teamIDs(teams))
?\tif err != nil {
?\t\treturn nil, err
?\t}
?\tattachMembers(teams, members)
 \treturn teams, nil`,
    ),
  ]),
  nPlusOne('java', 'invoice-items', 'Price invoice items', [
    hunk(
      'src/main/java/com/acme/billing/InvoiceService.java',
      52,
      `
         List<Invoice> invoices = invoiceRepository.findByCustomer(customerId);
!        for (Invoice invoice : invoices) {
!            invoice.setItems(itemRepository.findByInvoiceId(invoice.getId()));
!        }
?        Map<Long, List<Item>> items = itemRepository.findByInvoiceIds(idsOf(invoices));
?        invoices.forEach(i -> i.setItems(items.getOrDefault(i.getId(), List.of())));
         return invoices;`,
    ),
  ]),

  blocking('typescript', 'template-read', 'Render the receipt e-mail', [
    hunk(
      'src/mail/routes.ts',
      12,
      `
 router.post('/receipts/:id/send', async (req, res) => {
!  const template = fs.readFileSync(path.join(TEMPLATE_DIR, 'receipt.html'), 'utf8');
?  const template = await fs.promises.readFile(path.join(TEMPLATE_DIR, 'receipt.html'), 'utf8');
   await mailer.send(req.params.id, render(template, req.body));
   res.status(202).end();
 });`,
    ),
  ]),
  blocking('python', 'async-sleep', 'Back off when the upstream is busy', [
    hunk(
      'gateway/proxy.py',
      40,
      `
 async def forward(request: Request) -> Response:
     for attempt in range(MAX_ATTEMPTS):
         resp = await client.send(build(request))
         if resp.status_code != 503:
             return resp
!        time.sleep(backoff_seconds(attempt))
?        await asyncio.sleep(backoff_seconds(attempt))
     return resp`,
    ),
  ]),
  blocking('go', 'config-per-request', 'Feature flags for a request', [
    hunk(
      'internal/flags/handler.go',
      15,
      `
 func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
!\traw, err := os.ReadFile(h.path)
!\tif err != nil {
!\t\thttp.Error(w, "flags unavailable", http.StatusInternalServerError)
!\t\treturn
!\t}
!\tflags, _ := parseFlags(raw)
?\tflags := h.current.Load()
 \tjson.NewEncoder(w).Encode(flags.For(r.Header.Get("X-Tenant")))
 }`,
    ),
  ]),
  blocking('java', 'reactive-block', 'Fetch the price in a WebFlux handler', [
    hunk(
      'src/main/java/com/acme/pricing/PriceHandler.java',
      24,
      `
     public Mono<ServerResponse> price(ServerRequest request) {
         String sku = request.pathVariable("sku");
!        Price price = catalogClient.fetchPrice(sku).block();
!        return ServerResponse.ok().bodyValue(price);
?        return catalogClient.fetchPrice(sku).flatMap(p -> ServerResponse.ok().bodyValue(p));
     }`,
    ),
  ]),

  quadratic('typescript', 'dedupe-emails', 'Deduplicate imported contacts', [
    hunk(
      'src/contacts/import.ts',
      20,
      `
   const unique: Contact[] = [];
   for (const c of incoming) {
!    if (!unique.some((u) => u.email === c.email)) unique.push(c);
?    if (!seen.has(c.email)) {
?      seen.add(c.email);
?      unique.push(c);
?    }
   }`,
    ),
  ]),
  quadratic('python', 'missing-skus', 'Find SKUs missing from the catalog', [
    hunk(
      'catalog/reconcile.py',
      9,
      `
 def missing_skus(feed: list[str], catalog: list[str]) -> list[str]:
     """SKUs present in the supplier feed but not in our catalog."""
!    return [sku for sku in feed if sku not in catalog]
?    known = set(catalog)
?    return [sku for sku in feed if sku not in known]`,
    ),
  ]),
  regexLoop('go', 'log-scan', 'Scan log lines for request ids', [
    hunk(
      'internal/logscan/scan.go',
      18,
      `
 func RequestIDs(lines []string) []string {
 \tvar ids []string
 \tfor _, l := range lines {
!\t\tre := regexp.MustCompile(\`req=([a-f0-9-]{36})\`)
!\t\tif m := re.FindStringSubmatch(l); m != nil {
?\t\tif m := requestIDPattern.FindStringSubmatch(l); m != nil {
 \t\t\tids = append(ids, m[1])
 \t\t}
 \t}
 \treturn ids
 }`,
    ),
  ]),
  regexLoop('java', 'sku-validate', 'Validate SKUs on import', [
    hunk(
      'src/main/java/com/acme/imports/SkuValidator.java',
      19,
      `
     List<String> invalid(List<String> skus) {
         List<String> bad = new ArrayList<>();
         for (String sku : skus) {
!            if (!Pattern.compile("[A-Z]{3}-[0-9]{6}").matcher(sku).matches()) {
?            if (!SKU_PATTERN.matcher(sku).matches()) {
                 bad.add(sku);
             }
         }
         return bad;
     }`,
    ),
  ]),
];
