import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiffError, classifyFile, detectLanguage, parseDiff, prepareDiff } from '../../domain/diff';
import { DiffFile as DiffFileSchema } from '../../domain/review';
import type { DiffFile, DiffLine } from '../../domain/review';

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../fixtures/diffs', name), 'utf8');

const byPath = (files: DiffFile[], path: string): DiffFile => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${files.map((x) => x.path).join(', ')}`);
  return f;
};

const lineWith = (file: DiffFile, kind: DiffLine['kind'], text: string): DiffLine => {
  const l = file.hunks
    .flatMap((h) => h.lines)
    .find((x) => x.kind === kind && x.text.includes(text));
  if (!l) throw new Error(`no ${kind} line with ${text} in ${file.path}`);
  return l;
};

const expectDiffError = (fn: () => unknown, code: string): DiffError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DiffError);
    expect((e as DiffError).code).toBe(code);
    return e as DiffError;
  }
  throw new Error(`expected a DiffError ${code}`);
};

describe('parseDiff on a real multi-language git diff', () => {
  const { files } = parseDiff(fixture('multi-language.diff'));

  it('produces files that satisfy the shared DiffFile schema, in diff order', () => {
    for (const f of files) expect(DiffFileSchema.safeParse(f).success).toBe(true);
    expect(files.map((f) => f.path)).toEqual([
      'api/proto/user.pb.go',
      'dist/bundle.js',
      'gen/mock_store.go',
      'legacy/helper.py',
      'logo.png',
      'notes.md',
      'package-lock.json',
      'run.sh',
      'services/billing/invoice.go',
      'src/api/users.ts',
      'src/reports/Report.java',
      'tools/ingest.py',
      'data.bin',
    ]);
  });

  it('detects the language of each file from its extension', () => {
    const lang = Object.fromEntries(files.map((f) => [f.path, f.language]));
    expect(lang['src/api/users.ts']).toBe('typescript');
    expect(lang['tools/ingest.py']).toBe('python');
    expect(lang['services/billing/invoice.go']).toBe('go');
    expect(lang['src/reports/Report.java']).toBe('java');
    expect(lang['run.sh']).toBe('shell');
    expect(lang['logo.png']).toBe('other');
  });

  it('numbers new-side and old-side lines as in the real files', () => {
    const go = byPath(files, 'services/billing/invoice.go');
    expect(go.hunks).toHaveLength(2);
    expect(lineWith(go, 'add', '"errors"').newLine).toBe(4);
    expect(lineWith(go, 'add', 'var ErrEmpty').newLine).toBe(30);
    expect(lineWith(go, 'del', '> 30*24').oldLine).toBe(31);
    expect(lineWith(go, 'add', '>= 30*24').newLine).toBe(35);
    const ctx = lineWith(go, 'context', 'out = append(out, inv)');
    expect([ctx.oldLine, ctx.newLine]).toEqual([32, 36]);

    const ts = byPath(files, 'src/api/users.ts');
    expect(lineWith(ts, 'add', 'email: string').newLine).toBe(6);
    expect(lineWith(ts, 'del', 'WHERE id = $1').oldLine).toBe(9);
    expect(lineWith(ts, 'add', "WHERE id = '${id}'").newLine).toBe(10);
    expect(lineWith(ts, 'add', 'LIMIT $1').newLine).toBe(15);
  });

  it('keeps hunk line counts consistent with the hunk headers', () => {
    for (const f of files) {
      for (const h of f.hunks) {
        const oldSide = h.lines.filter((l) => l.kind !== 'add').length;
        const newSide = h.lines.filter((l) => l.kind !== 'del').length;
        expect([f.path, oldSide, newSide]).toEqual([f.path, h.oldLines, h.newLines]);
      }
    }
  });

  it('strips the diff prefix character from line text', () => {
    const py = byPath(files, 'tools/ingest.py');
    expect(py.hunks[0]?.lines[0]).toEqual({ kind: 'add', newLine: 1, text: 'import csv' });
    expect(py.hunks[0]?.lines[3]).toEqual({ kind: 'add', newLine: 4, text: '' });
  });

  it('records a rename with both paths', () => {
    const java = byPath(files, 'src/reports/Report.java');
    expect(java.status).toBe('renamed');
    expect(java.oldPath).toBe('legacy/OldReport.java');
    expect(lineWith(java, 'add', 'public class Report').newLine).toBe(5);
    expect(lineWith(java, 'del', 'public class OldReport').oldLine).toBe(5);
  });

  it('records a deleted file under its old path with old-side lines only', () => {
    const py = byPath(files, 'legacy/helper.py');
    expect(py.status).toBe('deleted');
    expect(py.hunks[0]?.lines).toEqual([
      { kind: 'del', oldLine: 1, text: 'def helper():' },
      { kind: 'del', oldLine: 2, text: '    return 1' },
    ]);
  });

  it('marks GIT binary patches and "Binary files differ" as binary, with no hunks', () => {
    for (const path of ['logo.png', 'data.bin']) {
      expect(byPath(files, path)).toMatchObject({ binary: true, hunks: [], status: 'modified' });
    }
  });

  it('does not turn "\\ No newline at end of file" into a line', () => {
    const md = byPath(files, 'notes.md');
    expect(md.hunks[0]?.lines.map((l) => l.kind)).toEqual(['del', 'add']);
  });

  it('treats a mode change as a modified file without hunks', () => {
    expect(byPath(files, 'run.sh')).toMatchObject({ status: 'modified', hunks: [] });
  });

  it('marks a new file as added', () => {
    expect(byPath(files, 'tools/ingest.py').status).toBe('added');
  });
});

describe('parseDiff on unusual but valid input', () => {
  it('reads pure renames, quoted UTF-8 paths and paths with spaces', () => {
    const { files } = parseDiff(fixture('renames.diff'));
    expect(files.map((f) => [f.path, f.status, f.oldPath])).toEqual([
      ['docs/NOTES.md', 'renamed', 'notes.md'],
      ['docs/café.py', 'added', undefined],
      ['docs/user guide/getting started.md', 'added', undefined],
    ]);
    expect(files[0]?.hunks).toEqual([]);
  });

  it('reads a plain `diff -ruN` between two trees as repository-relative paths', () => {
    const { files } = parseDiff(fixture('plain-unified.diff'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ path: 'lib/calc.py', status: 'modified', language: 'python' });
    expect(lineWith(files[0] as DiffFile, 'add', 'def div').newLine).toBe(9);
  });

  it('parses a CRLF diff exactly like its LF original', () => {
    const lf = fixture('multi-language.diff');
    expect(parseDiff(lf.replace(/\n/g, '\r\n'))).toEqual(parseDiff(lf));
  });

  it('ignores a format-patch mail preamble before the first file', () => {
    const mail =
      'From 1234 Mon Sep 17 00:00:00 2001\nFrom: Dev <dev@example.com>\nSubject: [PATCH] x\n\n---\n';
    const { files } = parseDiff(mail + fixture('plain-unified.diff').replace(/^diff -ruN.*\n/, ''));
    expect(files.map((f) => f.path)).toEqual(['lib/calc.py']);
  });

  it('normalises ./ and duplicate slashes in paths', () => {
    const diff = '--- ./src//a.ts\n+++ ./src//a.ts\n@@ -1 +1 @@\n-a\n+b\n';
    expect(parseDiff(diff).files[0]?.path).toBe('src/a.ts');
  });

  it('survives replacement characters from non-UTF-8 bytes', () => {
    const latin1 = Buffer.concat([
      Buffer.from('diff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-caf'),
      Buffer.from([0xe9, 0x0a]),
      Buffer.from('+caf'),
      Buffer.from([0xe9, 0xff, 0xfe, 0x0a]),
    ]).toString('utf8');
    const { files } = parseDiff(latin1);
    expect(files[0]?.hunks[0]?.lines[1]).toEqual({
      kind: 'add',
      newLine: 1,
      text: 'caf\uFFFD\uFFFD\uFFFD',
    });
  });
});

describe('parseDiff refuses bad input with a coded DiffError', () => {
  it('refuses empty and whitespace-only input', () => {
    expectDiffError(() => parseDiff(''), 'empty_diff');
    expectDiffError(() => parseDiff(' \n\t\r\n '), 'empty_diff');
  });

  it('refuses text that has no file headers or hunks', () => {
    expectDiffError(() => parseDiff('Please review my code, it is great.\n'), 'not_a_diff');
    expectDiffError(() => parseDiff('# Title\n\n---\n\nsome markdown\n'), 'not_a_diff');
    expectDiffError(() => parseDiff('--- a/x\n+++ b/x\n'), 'not_a_diff');
  });

  it.each([
    ['a `..` traversal', 'a/../../etc/passwd', 'b/../../etc/passwd'],
    ['an absolute path', '/etc/passwd', '/etc/passwd'],
    ['a Windows drive path', 'C:\\Windows\\win.ini', 'C:\\Windows\\win.ini'],
    ['a backslash traversal', 'a/src\\..\\..\\x', 'b/src\\..\\..\\x'],
    ['a NUL byte', 'a/x\0.ts', 'b/x\0.ts'],
  ])('refuses %s', (_name, from, to) => {
    const err = expectDiffError(
      () => parseDiff(`--- ${from}\n+++ ${to}\n@@ -1 +1 @@\n-a\n+b\n`),
      'unsafe_path',
    );
    expect(err.details.path).toBeDefined();
    expect(err.message).not.toContain('\0');
  });

  it('refuses traversal in git rename headers', () => {
    const diff =
      'diff --git a/x b/../x\nsimilarity index 100%\nrename from x\nrename to ../outside\n';
    expectDiffError(() => parseDiff(diff), 'unsafe_path');
  });

  it('refuses an absurdly long file header instead of hanging on it', () => {
    const header = `diff --git ${'a/x'.repeat(30_000)}\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n`;
    const err = expectDiffError(() => parseDiff(header), 'unsafe_path');
    expect(err.details).toMatchObject({ limit: 8192 });
  });

  it('refuses a diff over the configured size', () => {
    const err = expectDiffError(
      () => parseDiff(fixture('plain-unified.diff'), { maxBytes: 100 }),
      'too_large',
    );
    expect(err.details).toMatchObject({ limit: 100 });
  });
});

describe('classifyFile', () => {
  const file = (path: string, over: Partial<DiffFile> = {}): DiffFile => ({
    path,
    status: 'modified',
    language: detectLanguage(path),
    binary: false,
    hunks: [
      {
        header: '@@ -1 +1 @@',
        oldStart: 1,
        oldLines: 1,
        newStart: 1,
        newLines: 1,
        lines: [
          { kind: 'del', oldLine: 1, text: 'a' },
          { kind: 'add', newLine: 1, text: 'b' },
        ],
      },
    ],
    ...over,
  });

  it.each([
    'package-lock.json',
    'web/yarn.lock',
    'pnpm-lock.yaml',
    'Cargo.lock',
    'go.sum',
    'poetry.lock',
    'Gemfile.lock',
    'composer.lock',
  ])('skips the lockfile %s', (path) => {
    expect(classifyFile(file(path))).toEqual({ skip: true, reason: 'lockfile' });
  });

  it.each([
    'dist/index.js',
    'packages/web/build/app.js',
    'vendor/github.com/x/y.go',
    'node_modules/left-pad/index.js',
    'public/app.min.js',
    'public/app.js.map',
    'api/user.pb.go',
    'api/user_pb.go',
    'src/schema.generated.ts',
  ])('skips the generated file %s', (path) => {
    expect(classifyFile(file(path))).toEqual({ skip: true, reason: 'generated' });
  });

  it('skips a file whose first lines say it is generated', () => {
    for (const banner of [
      '// Code generated by protoc-gen-go. DO NOT EDIT.',
      '# @generated by tool',
    ]) {
      const f = file('src/x.go');
      f.hunks[0]?.lines.push({ kind: 'add', newLine: 2, text: banner });
      expect(classifyFile(f)).toEqual({ skip: true, reason: 'generated' });
    }
  });

  it('skips binaries, deletions and files with nothing added', () => {
    expect(classifyFile(file('a.png', { binary: true, hunks: [] }))).toEqual({
      skip: true,
      reason: 'binary',
    });
    expect(classifyFile(file('a.ts', { status: 'deleted' }))).toEqual({
      skip: true,
      reason: 'deleted',
    });
    expect(classifyFile(file('a.ts', { status: 'renamed', hunks: [] }))).toEqual({
      skip: true,
      reason: 'empty',
    });
  });

  it('reviews ordinary source, including files that merely mention generation', () => {
    expect(classifyFile(file('src/builder.ts'))).toEqual({ skip: false });
    const f = file('src/gen.ts');
    f.hunks[0]?.lines.push({
      kind: 'add',
      newLine: 40,
      text: '// @generated marker is set by codegen',
    });
    expect(classifyFile(f)).toEqual({ skip: false });
  });
});

describe('prepareDiff', () => {
  const diff = fixture('multi-language.diff');

  it('lists every file of the diff exactly once in coverage, with the reason it was skipped', () => {
    const out = prepareDiff({ diff }, { tokenBudget: 6000 });
    expect(out.coverage).toEqual([
      { file: 'api/proto/user.pb.go', outcome: 'skipped', reason: 'generated' },
      { file: 'dist/bundle.js', outcome: 'skipped', reason: 'generated' },
      { file: 'gen/mock_store.go', outcome: 'skipped', reason: 'generated' },
      { file: 'legacy/helper.py', outcome: 'skipped', reason: 'deleted' },
      { file: 'logo.png', outcome: 'skipped', reason: 'binary' },
      { file: 'notes.md', outcome: 'reviewed' },
      { file: 'package-lock.json', outcome: 'skipped', reason: 'lockfile' },
      { file: 'run.sh', outcome: 'skipped', reason: 'empty' },
      { file: 'services/billing/invoice.go', outcome: 'reviewed' },
      { file: 'src/api/users.ts', outcome: 'reviewed' },
      { file: 'src/reports/Report.java', outcome: 'reviewed' },
      { file: 'tools/ingest.py', outcome: 'reviewed' },
      { file: 'data.bin', outcome: 'skipped', reason: 'binary' },
    ]);
    expect(out.chunks).toHaveLength(1);
    expect(out.chunks[0]?.files.map((f) => f.path)).toEqual([
      'notes.md',
      'services/billing/invoice.go',
      'src/api/users.ts',
      'src/reports/Report.java',
      'tools/ingest.py',
    ]);
    expect(out.stats).toEqual({ files: 13, additions: 38, deletions: 12 });
  });

  it('redacts before chunking and reports what it removed', () => {
    const secretDiff =
      'diff --git a/src/db.ts b/src/db.ts\n--- a/src/db.ts\n+++ b/src/db.ts\n@@ -1 +1,2 @@\n' +
      ' export const pool = 1;\n+const url = "postgres://app:' +
      'S3cr3tPw@db.internal:5432/app";\n';
    const out = prepareDiff({ diff: secretDiff }, { tokenBudget: 6000 });
    expect(out.redactions).toEqual([{ file: 'src/db.ts', line: 2, kind: 'connection_string' }]);
    expect(JSON.stringify(out)).not.toContain('S3cr3tPw');
  });

  it('notes files split across chunks and files with hunks over the budget', () => {
    const hunk = (start: number, lines: number): string =>
      `@@ -${start},0 +${start},${lines} @@\n` +
      Array.from({ length: lines }, (_, i) => `+const v${start}_${i} = ${'x'.repeat(60)};\n`).join(
        '',
      );
    const big =
      'diff --git a/src/big.ts b/src/big.ts\n--- a/src/big.ts\n+++ b/src/big.ts\n' +
      hunk(1, 30) +
      hunk(100, 30) +
      hunk(200, 200);
    const huge =
      'diff --git a/src/huge.ts b/src/huge.ts\n--- a/src/huge.ts\n+++ b/src/huge.ts\n' +
      hunk(1, 300);
    const out = prepareDiff({ diff: big + huge }, { tokenBudget: 800 });
    const [bigCov, hugeCov] = out.coverage;
    expect(bigCov).toMatchObject({ file: 'src/big.ts', outcome: 'reviewed' });
    expect(bigCov?.detail).toMatch(/partially reviewed: 1 of 3 hunks left out/);
    expect(bigCov?.detail).toMatch(/split at hunk boundaries across chunks 0, 1/);
    expect(hugeCov).toMatchObject({
      file: 'src/huge.ts',
      outcome: 'skipped',
      reason: 'over_limit',
    });
    expect(hugeCov?.detail).toMatch(/hunk -1,0 \+1,300 is about \d+ tokens, over the 800-token/);
  });

  it('gives deep-equal output for the same input', () => {
    const a = prepareDiff({ diff }, { tokenBudget: 500 });
    const b = prepareDiff({ diff: `${diff}` }, { tokenBudget: 500 });
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('parses, redacts and chunks a 10 MB diff', () => {
    const files: string[] = [];
    let size = 0;
    for (let n = 0; size < 10 * 1024 * 1024; n++) {
      const body = Array.from(
        { length: 200 },
        (_, i) => `+export const value${i} = compute(${i}, 'user${n}@example.com', ${n});`,
      ).join('\n');
      const text =
        `diff --git a/src/gen${n}/mod.ts b/src/gen${n}/mod.ts\nnew file mode 100644\n` +
        `--- /dev/null\n+++ b/src/gen${n}/mod.ts\n@@ -0,0 +1,200 @@\n${body}\n`;
      files.push(text);
      size += text.length;
    }
    const started = performance.now();
    const out = prepareDiff({ diff: files.join('') }, { tokenBudget: 6000 });
    const ms = Math.round(performance.now() - started);
    console.log(
      `prepareDiff of a ${(size / 1048576).toFixed(1)} MB diff (${files.length} files): ${ms} ms`,
    );
    expect(out.coverage).toHaveLength(files.length);
    expect(out.coverage.every((c) => c.outcome === 'reviewed')).toBe(true);
    expect(out.stats.additions).toBe(files.length * 200);
    expect(out.redactions).toHaveLength(files.length * 200);
  });
});
