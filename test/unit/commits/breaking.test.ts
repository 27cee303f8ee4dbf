import { breakingChangesInDiff } from '../../../domain/commits/breaking';
import { parseDiff } from '../../../domain/diff';

function diffOf(path: string, lines: string[], added = false): string {
  const dels = lines.filter((l) => !l.startsWith('+')).length;
  const adds = lines.filter((l) => !l.startsWith('-')).length;
  return [
    `diff --git a/${path} b/${path}`,
    ...(added ? ['new file mode 100644'] : []),
    `--- ${added ? '/dev/null' : `a/${path}`}`,
    `+++ b/${path}`,
    `@@ -${added ? 0 : 1},${dels} +1,${adds} @@`,
    ...lines,
    '',
  ].join('\n');
}
const kinds = (diff: string) =>
  breakingChangesInDiff(parseDiff(diff).files).map((b) => `${b.kind}:${b.symbol}`);

describe('breaking changes in a diff', () => {
  it('finds a removed TypeScript export and a re-signatured one', () => {
    const d = diffOf('src/api.ts', [
      '-export function load(id: string): Item {',
      '+export function load(id: string, opts: Opts): Item {',
      '-export interface LegacyItem {',
    ]);
    expect(kinds(d)).toEqual(['changed_signature:load', 'removed_export:LegacyItem']);
  });

  it('accepts a new optional parameter and a function moved to another file', () => {
    const optional = diffOf('src/api.ts', [
      '-export function load(id: string): Item {',
      '+export function load(id: string, opts?: Opts): Item {',
    ]);
    expect(kinds(optional)).toEqual([]);
    const moved =
      diffOf('src/a.ts', ['-export const helper = (x: number): number => x;']) +
      diffOf('src/b.ts', ['+export const helper = (x: number): number => x;'], true);
    expect(kinds(moved)).toEqual([]);
  });

  it('ignores exports of test files and private Python and Go names', () => {
    expect(kinds(diffOf('test/helpers.ts', ['-export function fake(): void {}']))).toEqual([]);
    expect(kinds(diffOf('pkg/mod.py', ['-def _private(x):']))).toEqual([]);
    expect(kinds(diffOf('pkg/cache.go', ['-func (c *cache) Get(k string) Value {']))).toEqual([]);
  });

  it('reads Python keyword names, Go methods and public Java methods', () => {
    expect(
      kinds(
        diffOf('pkg/client.py', ['-def fetch(url, timeout=30):', '+def fetch(url, timeout_s=30):']),
      ),
    ).toEqual(['changed_signature:fetch']);
    expect(
      kinds(
        diffOf('pkg/cache.go', [
          '-func (c *Cache) Get(key string) Value {',
          '+func (c *Cache) Get(ctx context.Context, key string) Value {',
        ]),
      ),
    ).toEqual(['changed_signature:Cache.Get']);
    expect(kinds(diffOf('src/main/java/A.java', ['-    public Order find(String id) {']))).toEqual([
      'removed_export:find',
    ]);
  });

  it('finds removed routes, removed config keys and dropped columns', () => {
    expect(
      kinds(
        diffOf('server/app.js', ["-app.delete('/users/:id', del);", " app.get('/users', list);"]),
      ),
    ).toEqual(['removed_endpoint:DELETE /users/:id']);
    expect(kinds(diffOf('config/app.yml', [' server:', '-  legacy: true', '   port: 80']))).toEqual(
      ['removed_config_key:legacy'],
    );
    expect(
      kinds(diffOf('db/migrations/004.sql', ['+ALTER TABLE users DROP COLUMN nickname;'], true)),
    ).toEqual(['dropped_column:users.nickname']);
  });

  it('does not report the down half of a migration that creates what it drops', () => {
    const d = diffOf(
      'db/migrations/005.sql',
      ['+CREATE TABLE audit (id int);', '+DROP TABLE audit;'],
      true,
    );
    expect(kinds(d)).toEqual([]);
  });
});
