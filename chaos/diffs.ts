import { randomBytes } from 'node:crypto';

/**
 * Review ids are content hashes, so every chaos review needs its own diff: a new file under
 * src/chaos/<cell>/ whose name and numbers carry a per-run nonce and a sequence number. The cell
 * in the path is what the fake vendors key their faults on.
 */
const RUN = randomBytes(4).toString('hex');
let seq = 0;

export function chaosDiff(cell: string): string {
  const n = seq++;
  const file = `src/chaos/${cell}/r${RUN}-${n}.ts`;
  const lines = [
    `export function scale${n}(x: number): number {`,
    `  const scaled = x * ${1000 + n};`,
    `  return scaled + ${n % 97};`,
    '}',
  ];
  return [
    `diff --git a/${file} b/${file}`,
    'new file mode 100644',
    'index 0000000..1111111',
    '--- /dev/null',
    `+++ b/${file}`,
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((l) => `+${l}`),
    '',
  ].join('\n');
}
