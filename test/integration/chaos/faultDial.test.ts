import net from 'node:net';
import { failsAt, startVendors, type Vendors } from '../../../chaos/vendors';
import { violations } from '../../../chaos/summary';
import type { Outcome } from '../../../chaos/tracker';

/** The chaos runner's own instruments: if they lie, every figure the suite prints is wrong. */

function chat(baseUrl: string, file: string): Promise<Response> {
  return fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-test',
      messages: [{ role: 'user', content: `review ${file}` }],
    }),
  });
}

function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(undefined);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
  });
}

const outcome = (over: Partial<Outcome>): Outcome => ({
  scenario: 's',
  submitted: 10,
  notAccepted: 0,
  completed: 10,
  failedWithReason: 0,
  failedWithoutReason: 0,
  duplicates: 0,
  lost: 0,
  stuck: 0,
  p50s: 1,
  p99s: 2,
  over60s: 0,
  notes: [],
  failedChecks: [],
  ...over,
});

describe('chaos fault dial', () => {
  let vendors: Vendors;
  beforeAll(async () => {
    vendors = await startVendors();
  });
  afterAll(async () => {
    await vendors.close();
  });

  it.each([0.1, 0.5, 1])('faults exactly %p of a cell, starting with its first request', (rate) => {
    const hits = Array.from({ length: 100 }, (_, n) => failsAt(n, rate));
    expect(hits[0]).toBe(true);
    expect(hits.filter(Boolean)).toHaveLength(Math.round(100 * rate));
  });

  it('faults only the dialled cell and answers other cells with a valid review', async () => {
    vendors.dial('m-http503-r50', { fault: 'http503', rate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await chat(vendors.openaiBaseUrl, 'src/chaos/m-http503-r50/a.ts')).status);
    }
    const healthy = await chat(vendors.openaiBaseUrl, 'src/chaos/kill/b.ts');
    const body = (await healthy.json()) as { choices: { message: { content: string } }[] };
    const output = JSON.parse(body.choices[0]?.message.content ?? '{}') as {
      findings: { file: string; startLine: number }[];
    };
    expect(statuses).toEqual([503, 200, 503, 200]);
    expect(vendors.counts('m-http503-r50')).toEqual({ requests: 4, faults: 2 });
    expect(output.findings).toEqual([
      expect.objectContaining({ file: 'src/chaos/kill/b.ts', startLine: 2 }),
    ]);
  });

  it('refuses connections while a vendor is down and serves again when it is back', async () => {
    const port = vendors.primaryProxy.port;
    await vendors.primaryProxy.setUp(false);
    const whileDown = await connectError(port);
    await vendors.primaryProxy.setUp(true);
    const whenBack = await chat(vendors.openaiBaseUrl, 'src/chaos/back/c.ts');
    expect(whileDown).toBe('ECONNREFUSED');
    expect(whenBack.status).toBe(200);
  });
});

describe('chaos verdict', () => {
  it('fails the run on a lost, stuck, duplicated or reasonless review and on a failed check', () => {
    expect(violations([outcome({})])).toEqual([]);
    expect(
      violations([
        outcome({ scenario: 'a', lost: 1 }),
        outcome({ scenario: 'b', stuck: 2 }),
        outcome({ scenario: 'c', duplicates: 1 }),
        outcome({ scenario: 'd', failedWithoutReason: 1 }),
        outcome({ scenario: 'e', failedChecks: ['/readyz did not answer 503 while down'] }),
      ]),
    ).toEqual([
      'a: 1 lost',
      'b: 2 stuck',
      'c: 1 duplicated',
      'd: 1 failed without a reason',
      'e: /readyz did not answer 503 while down',
    ]);
  });
});
