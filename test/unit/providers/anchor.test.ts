import { ANCHOR_TOLERANCE, anchorFindings } from '../../../domain/anchor';
import { chunk, finding } from './fixtures';

const place = (overrides: Parameters<typeof finding>[0]) =>
  anchorFindings([finding(overrides)], chunk).map((f) => [f.file, f.startLine, f.endLine]);

describe('anchorFindings', () => {
  it('keeps a finding on the diff unchanged', () => {
    const f = finding({ startLine: 11, endLine: 12 });
    expect(anchorFindings([f], chunk)).toEqual([f]);
  });

  it('drops a finding on a file the chunk does not contain', () => {
    expect(place({ file: 'src/elsewhere.ts' })).toEqual([]);
  });

  it('drops a finding on a deleted file, which has no new-side lines', () => {
    expect(place({ file: 'old.ts', startLine: 1, endLine: 1 })).toEqual([]);
  });

  it('matches paths echoed with git prefixes to the chunk path', () => {
    expect(place({ file: 'b/src/db.ts', startLine: 12, endLine: 12 })).toEqual([
      ['src/db.ts', 12, 12],
    ]);
    expect(place({ file: './src/config.ts', startLine: 2, endLine: 2 })).toEqual([
      ['src/config.ts', 2, 2],
    ]);
  });

  it('clips a span that overlaps a hunk to the lines the hunk shows', () => {
    expect(place({ startLine: 8, endLine: 11 })).toEqual([['src/db.ts', 10, 11]]);
    expect(place({ startLine: 44, endLine: 60 })).toEqual([['src/db.ts', 44, 45]]);
  });

  it('enforces endLine >= startLine', () => {
    expect(place({ startLine: 12, endLine: 3 })).toEqual([['src/db.ts', 12, 12]]);
  });

  it(`re-anchors a finding within ${ANCHOR_TOLERANCE} lines to the nearest added line`, () => {
    expect(place({ startLine: 15, endLine: 15 })).toEqual([['src/db.ts', 12, 12]]);
    expect(place({ startLine: 47, endLine: 47 })).toEqual([['src/db.ts', 44, 44]]);
    expect(place({ startLine: 40, endLine: 41 })).toEqual([['src/db.ts', 44, 44]]);
  });

  it('drops a finding farther than the tolerance from any added line', () => {
    expect(place({ startLine: 16, endLine: 16 })).toEqual([]);
    expect(place({ startLine: 30, endLine: 31 })).toEqual([]);
    expect(place({ file: 'src/config.ts', startLine: 9, endLine: 9 })).toEqual([]);
  });

  it('breaks a tie between two added lines towards the earlier one', () => {
    const tie = {
      index: 0,
      tokenEstimate: 1,
      files: [
        {
          path: 'a.py',
          status: 'modified' as const,
          language: 'python' as const,
          binary: false,
          hunks: [
            {
              header: '@@',
              oldStart: 1,
              oldLines: 0,
              newStart: 1,
              newLines: 1,
              lines: [{ kind: 'add' as const, newLine: 1, text: 'x' }],
            },
            {
              header: '@@',
              oldStart: 5,
              oldLines: 0,
              newStart: 7,
              newLines: 1,
              lines: [{ kind: 'add' as const, newLine: 7, text: 'y' }],
            },
          ],
        },
      ],
    };
    const [placed] = anchorFindings([finding({ file: 'a.py', startLine: 4, endLine: 4 })], tie);
    expect([placed?.startLine, placed?.endLine]).toEqual([1, 1]);
  });

  it('keeps order and every other field of the surviving findings', () => {
    const a = finding({ title: 'first', startLine: 44, endLine: 44 });
    const b = finding({ title: 'gone', file: 'nope.ts' });
    const c = finding({
      title: 'third',
      startLine: 1,
      endLine: 1,
      file: 'src/config.ts',
      suggestedFix: 'x',
    });
    expect(anchorFindings([a, b, c], chunk)).toEqual([a, c]);
  });
});
