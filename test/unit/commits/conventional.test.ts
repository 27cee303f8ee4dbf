import { classifyMessage } from '../../../domain/commits/classify';
import { parseCommitMessage } from '../../../domain/commits/conventional';

const parse = (message: string, files: { path: string; status: 'added' | 'modified' }[] = []) =>
  parseCommitMessage(message, (header) => classifyMessage(header, files));

describe('conventional commit parsing', () => {
  it('reads type, scope, subject, body and footers', () => {
    const m = parse(
      'feat(parser): accept trailing commas\n\nArrays and objects may now end with a comma.\n\nRefs: #123\nReviewed-by: Ada',
    );
    expect(m).toMatchObject({
      conventional: true,
      type: 'feat',
      scope: 'parser',
      subject: 'accept trailing commas',
      body: 'Arrays and objects may now end with a comma.',
      footers: [
        { token: 'Refs', value: '#123' },
        { token: 'Reviewed-by', value: 'Ada' },
      ],
      breaking: false,
    });
  });

  it('marks a `!` header as breaking with the subject as its note', () => {
    const m = parse('refactor(api)!: drop the v1 client');
    expect(m.breaking).toBe(true);
    expect(m.breakingNotes).toEqual(['drop the v1 client']);
  });

  it('reads a multi-line BREAKING CHANGE footer, in either spelling', () => {
    const m = parse(
      'fix: stricter config\n\nBREAKING CHANGE: `timeout` is now in seconds\nand must be an integer.\nCloses #9',
    );
    expect(m.breakingNotes).toEqual(['`timeout` is now in seconds\nand must be an integer.']);
    expect(parse('fix: x\n\nBREAKING-CHANGE: y').breaking).toBe(true);
  });

  it('accepts common aliases and rejects unknown types', () => {
    expect(parse('feature: dark mode').type).toBe('feat');
    const wip = parse('wip: half done');
    expect(wip.conventional).toBe(false);
  });

  it('classifies non-conventional messages by their words, then by the diff', () => {
    expect(parse('Fix crash when the config file is empty').type).toBe('fix');
    expect(parse('Add dark mode toggle').type).toBe('feat');
    expect(parse('Merge pull request #12 from acme/x').type).toBe('chore');
    expect(parse('Revert "feat: dark mode"').type).toBe('revert');
    expect(parse('Update README with install steps').type).toBe('docs');
    const byDiff = parse('Parser pieces', [{ path: 'src/parser.ts', status: 'added' }]);
    expect(byDiff).toMatchObject({ type: 'feat', classification: { method: 'diff' } });
    expect(parse('stuff').classification.method).toBe('default');
  });

  it('treats an explicit breaking phrase in a non-conventional header as breaking', () => {
    expect(parse('Drop support for Node 18').breaking).toBe(true);
    expect(parse('Support Node 22').breaking).toBe(false);
  });
});
