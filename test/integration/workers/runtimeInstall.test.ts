import net from 'node:net';
import { parseConfig } from '../../../domain/config';
import { createLogger } from '../../../workers/logger';
import { installRuntime, metricsBindAddress } from '../../../workers/runtime';

describe('installing the Temporal runtime', () => {
  it('names the setting to change when the SDK metrics port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const config = parseConfig({ QUORUM_WORKER_METRICS_PORT: String(port), LOG_LEVEL: 'silent' });
      expect(() => installRuntime(config, createLogger(config))).toThrow(
        new RegExp(`127\\.0\\.0\\.1:${port}.*QUORUM_WORKER_METRICS_PORT`),
      );
    } finally {
      holder.close();
    }
  });

  it('gives the Rust exporter an IP socket address it can parse', () => {
    expect(metricsBindAddress('localhost', 9464)).toBe('127.0.0.1:9464');
    expect(metricsBindAddress('0.0.0.0', 9464)).toBe('0.0.0.0:9464');
    expect(metricsBindAddress('::', 9464)).toBe('[::]:9464');
  });
});
