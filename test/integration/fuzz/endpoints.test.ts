import fc from 'fast-check';
import { migrateUp } from '../../../store/migrate';
import {
  call,
  databaseUrl,
  startApi,
  STACK_FRAME,
  type Answer,
  type RunningApi,
} from '../api/harness';

/**
 * Property-based fuzzing of every route in the OpenAPI document: path parameters, query
 * parameters and bodies drawn from hostile inputs (deep nesting, huge strings, lone surrogates,
 * bidi and zero-width characters, prototype-pollution keys, numbers JavaScript cannot hold).
 * Whatever arrives, the API answers below 500 with the one error envelope and stays up.
 * QUORUM_FUZZ_RUNS raises the runs per route (CI keeps the default).
 */

const RUNS = Number(process.env.QUORUM_FUZZ_RUNS ?? 60);
jest.setTimeout(600_000);

interface Operation {
  method: string;
  path: string;
  query: string[];
  bodyFields: string[];
  hasBody: boolean;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}
interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> };
}
interface OpenApiSchema {
  $ref?: string;
  properties?: Record<string, unknown>;
}

function operations(doc: OpenApiDoc): Operation[] {
  const resolve = (s: OpenApiSchema | undefined): OpenApiSchema | undefined =>
    s?.$ref ? doc.components?.schemas?.[s.$ref.split('/').pop() ?? ''] : s;
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const schema = resolve(op.requestBody?.content?.['application/json']?.schema);
      return {
        method: method.toUpperCase(),
        path,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: Object.keys(schema?.properties ?? {}),
        hasBody: op.requestBody !== undefined,
      };
    }),
  );
}

// ---- hostile inputs ----

const EDGE_STRINGS = [
  '',
  '\u0000',
  '\uD800',
  '\uDFFF',
  'a\uD83Db',
  '\u202Eevil.exe\u202C',
  'שלום עולם',
  'مرحبا',
  '\u200B\u200C\u200D\uFEFF',
  'e\u0301\u0301\u0301',
  '🏳️‍🌈👩‍👩‍👧‍👦',
  '%E0%A4%A',
  '%00',
  '../../../etc/passwd',
  "' OR 1=1 --",
  '${jndi:ldap://127.0.0.1/x}',
  '<script>alert(1)</script>',
  'review-0123456789abcdef',
  'mc-0123456789ab',
  'NaN',
  'Infinity',
  '-0',
  '1e400',
  'true',
  'null',
];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** `huge` up to 120k characters in bodies; URLs stay under Node's 16 KiB header limit. */
const hostileStringUpTo = (huge: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: huge }).map((n) => 'x'.repeat(n)) },
  );
const hostileString = hostileStringUpTo(120_000);
const hostileUrlPart = hostileStringUpTo(3_000);

/** What a client does with a lone surrogate before it can be sent: U+FFFD in its place. */
const wellFormed = (s: string) =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
/** raw JSON number text, including what a double cannot represent */
const hostileNumber = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '-0', '1e-400', '0.1e1'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
);
const hostileKey = fc.oneof(
  fc.constantFrom(...POLLUTION_KEYS),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

/** JSON text built by hand, so `__proto__` stays a key and 1e400 stays a literal. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString.map((s) => JSON.stringify(s)),
    hostileNumber,
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
    fc
      .array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 })
      .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean())
  .map(([n, arrays]) =>
    arrays ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n),
  );

/** An object with the route's own field names and hostile values: gets past "not an object". */
function shapedBody(fields: string[]): fc.Arbitrary<string> {
  if (fields.length === 0) return jsonText;
  return fc
    .array(
      fc.tuple(fc.oneof(fc.constantFrom(...fields), fc.constantFrom(...POLLUTION_KEYS)), jsonText),
      { minLength: 1, maxLength: fields.length + 2 },
    )
    .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

const bodyFor = (op: Operation): fc.Arbitrary<string | undefined> =>
  op.hasBody
    ? fc.oneof(
        { weight: 4, arbitrary: shapedBody(op.bodyFields) },
        { weight: 2, arbitrary: jsonText },
        { weight: 1, arbitrary: deepNesting },
        {
          weight: 1,
          arbitrary: fc.constantFrom('{"a":', '[1,2', 'nul', '', '{"__proto__":{"x":1}}'),
        },
      )
    : fc.constant(undefined);

const queryFor = (op: Operation) =>
  fc.dictionary(
    fc.oneof(fc.constantFrom(...op.query, ...POLLUTION_KEYS, 'limit'), fc.string({ maxLength: 8 })),
    fc.oneof(hostileUrlPart, hostileNumber),
    { maxKeys: 4 },
  );

const pathSegment = fc.oneof(
  hostileUrlPart.map((s) => encodeURIComponent(wellFormed(s))),
  fc.constantFrom('%E0%A4%A', '%', '%2F..%2F', '..', '%00'),
);

function fill(path: string, segments: string[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => segments[i++ % segments.length] ?? 'x');
}

function checkAnswer(op: Operation, sent: string, answer: Answer): void {
  const where = `${op.method} ${op.path} (${sent.slice(0, 200)})`;
  if (answer.status >= 500) throw new Error(`${answer.status} from ${where}: ${answer.text}`);
  if (STACK_FRAME.test(answer.text)) throw new Error(`stack trace from ${where}`);
  if (answer.status < 400) return;
  const envelope = answer.json as { error?: Record<string, unknown> } | undefined;
  const ok =
    envelope !== undefined &&
    Object.keys(envelope).join() === 'error' &&
    Object.keys(envelope.error ?? {})
      .sort()
      .join() === 'code,details,message' &&
    typeof envelope.error?.code === 'string' &&
    typeof envelope.error?.message === 'string';
  if (!ok) throw new Error(`malformed error envelope from ${where}: ${answer.text.slice(0, 300)}`);
}

let api: RunningApi;
let ops: Operation[];

beforeAll(async () => {
  await migrateUp(databaseUrl());
  api = await startApi({
    env: { QUORUM_BODY_LIMIT: '256kb', QUORUM_RATE_LIMIT_PER_MINUTE: '1000000' },
  });
  const doc = (await call(api, 'GET', '/openapi.json')).json as OpenApiDoc;
  ops = operations(doc);
});

afterAll(async () => {
  await api?.stop();
});

it('reads every route from the OpenAPI document', () => {
  expect(ops.length).toBeGreaterThanOrEqual(25);
  expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual(
    expect.arrayContaining(['POST /api/v2/cr-ai/review', 'GET /api/v2/vc-ai/slo/providers']),
  );
});

it('answers hostile path, query and body input on every route below 500 with the envelope', async () => {
  const statuses: Record<string, Record<number, number>> = {};
  const failures: string[] = [];
  for (const op of ops) {
    const tally: Record<number, number> = {};
    statuses[`${op.method} ${op.path}`] = tally;
    const hasInput = op.hasBody || op.query.length > 0 || op.path.includes('{');
    const result = await fc.check(
      fc.asyncProperty(
        fc.array(pathSegment, { minLength: 2, maxLength: 2 }),
        queryFor(op),
        bodyFor(op),
        fc.constantFrom<'admin' | 'none' | 'garbage'>('admin', 'admin', 'admin', 'none', 'garbage'),
        async (segments, query, body, auth) => {
          const qs = new URLSearchParams(
            Object.entries(query).map(([k, v]): [string, string] => [wellFormed(k), wellFormed(v)]),
          ).toString();
          const url = fill(op.path, segments) + (qs ? `?${qs}` : '');
          const key =
            auth === 'admin' ? api.adminKey : auth === 'garbage' ? 'qk_not-a-key' : undefined;
          const answer = await call(api, op.method, url, {
            ...(key ? { key } : {}),
            ...(body !== undefined ? { raw: body } : {}),
          });
          tally[answer.status] = (tally[answer.status] ?? 0) + 1;
          checkAnswer(op, `${url} ${body ?? ''}`, answer);
        },
      ),
      { numRuns: hasInput ? RUNS : 5, endOnFailure: true },
    );
    // fast-check's own report prints the whole counterexample, 120k-character strings included
    // Every route is fuzzed even after one fails, so a run reports all of them at once.
    if (result.failed) {
      const why = result.errorInstance instanceof Error ? result.errorInstance.message : '';
      failures.push(
        `${why.slice(0, 600)} (seed ${result.seed}, path ${result.counterexamplePath})`,
      );
    }
  }
  process.stderr.write(`fuzz: ${RUNS} runs per route, statuses ${JSON.stringify(statuses)}\n`);

  const alive = await call(api, 'GET', '/healthz');
  expect(alive.status).toBe(200);
  expect(failures).toEqual([]);
});
