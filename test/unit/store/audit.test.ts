import { auditHash, GENESIS_HASH, scrubDetails } from '../../../store/audit';

const base = {
  seq: 7,
  at: '2026-01-02T03:04:05.678Z',
  actor: 'key:1',
  action: 'review.create',
  resource: 'review-0123456789abcdef',
  requestId: 'req-1',
  outcome: 'success' as const,
  details: { b: 1, a: { y: [1, 2], x: 'z' } },
  prevHash: GENESIS_HASH,
};

describe('audit hashing', () => {
  it('does not depend on the key order of details', () => {
    const reordered = { ...base, details: { a: { x: 'z', y: [1, 2] }, b: 1 } };
    expect(auditHash(reordered)).toBe(auditHash(base));
    expect(auditHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when any covered field changes', () => {
    const h = auditHash(base);
    const variants = [
      { seq: 8 },
      { at: '2026-01-02T03:04:05.679Z' },
      { actor: 'key:2' },
      { action: 'review.delete' },
      { resource: 'review-x' },
      { requestId: null },
      { outcome: 'denied' as const },
      { details: { b: 2, a: { y: [1, 2], x: 'z' } } },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const v of variants) expect(auditHash({ ...base, ...v })).not.toBe(h);
  });
});

describe('scrubDetails', () => {
  it('redacts fields named like secrets at any depth and keeps ids that merely mention keys', () => {
    expect(
      scrubDetails({
        key: 'k',
        apiKey: 'a',
        api_key_id: 'id-1',
        keyPrefix: 'qk_abc',
        list: [{ accessToken: 't', Password: 'p', webhook_secret: 's', name: 'n' }],
        authorization: 'Bearer x',
      }),
    ).toEqual({
      key: '[redacted]',
      apiKey: '[redacted]',
      api_key_id: 'id-1',
      keyPrefix: 'qk_abc',
      list: [
        {
          accessToken: '[redacted]',
          Password: '[redacted]',
          webhook_secret: '[redacted]',
          name: 'n',
        },
      ],
      authorization: '[redacted]',
    });
  });

  it('turns details into the plain JSON that jsonb will hand back', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    expect(scrubDetails({ at, missing: undefined, text: 'a\u0000b' })).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      text: 'ab',
    });
  });
});
