import { parseConfig } from '../../../domain/config';
import { freePort } from '../../../cli/stack/devServer';
import {
  CHECK_DEADLINE_MS,
  connectClient,
  temporalConnectionOptions,
} from '../../../workers/connection';

function temporalAddress(): string {
  const address = process.env.QUORUM_TEST_TEMPORAL_ADDRESS;
  if (!address)
    throw new Error('QUORUM_TEST_TEMPORAL_ADDRESS is not set: run through jest globalSetup');
  return address;
}

jest.setTimeout(60_000);

describe('Temporal client connection', () => {
  it('reports the dev server as up', async () => {
    const handle = await connectClient(parseConfig({ TEMPORAL_ADDRESS: temporalAddress() }));
    try {
      await expect(handle.check()).resolves.toEqual({ up: true });
    } finally {
      await handle.close();
    }
  });

  it('reports a server on a closed port as down at once, without waiting out the deadline', async () => {
    const closedPort = await freePort();
    const handle = await connectClient(
      parseConfig({ TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` }),
    );
    try {
      const started = Date.now();
      const result = await handle.check();
      const elapsed = Date.now() - started;
      expect(result.up).toBe(false);
      expect(result.error).toEqual(expect.any(String));
      expect(elapsed).toBeLessThan(CHECK_DEADLINE_MS / 2);
      // A second probe must not be stuck behind the first one's broken channel.
      const again = Date.now();
      expect((await handle.check()).up).toBe(false);
      expect(Date.now() - again).toBeLessThan(CHECK_DEADLINE_MS / 2);
    } finally {
      await handle.close();
    }
  });

  it('turns TLS on whenever an API key is configured, so the key never travels in clear text', () => {
    const options = temporalConnectionOptions(
      parseConfig({ TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k'.repeat(32) }),
    );
    expect(options).toEqual({ address: 'ns.tmprl.cloud:7233', tls: true, apiKey: 'k'.repeat(32) });
  });

  it('names the file when a TLS certificate cannot be read', () => {
    const config = parseConfig({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_TLS_CERT_PATH: '/nonexistent/client.pem',
      TEMPORAL_TLS_KEY_PATH: '/nonexistent/client.key',
    });
    expect(() => temporalConnectionOptions(config)).toThrow(/\/nonexistent\/client\.pem/);
  });
});
