import type { FakeVendor } from '../fakes';

/**
 * Provider settings that send each given vendor's calls to its fake. The fakes only ask that a
 * key is present; naming it after the test (`sk-test-<tag>`) keeps one test's config apart.
 */
export function fakeVendorEnv(
  tag: string,
  vendors: { anthropic?: FakeVendor; openai?: FakeVendor },
): Record<string, string> {
  return {
    ...(vendors.anthropic && {
      ANTHROPIC_API_KEY: `sk-ant-test-${tag}`,
      ANTHROPIC_BASE_URL: vendors.anthropic.baseUrl,
    }),
    ...(vendors.openai && {
      OPENAI_API_KEY: `sk-test-${tag}`,
      OPENAI_BASE_URL: vendors.openai.baseUrl,
    }),
  };
}

/** The harness stops first: its workers may still be calling the fakes. */
export async function stopHarnessAndFakes(
  harness: { stop(): Promise<void> } | undefined,
  ...vendors: (FakeVendor | undefined)[]
): Promise<void> {
  await harness?.stop();
  for (const vendor of vendors) await vendor?.close();
}
