import type { DiffFile, DiffHunk, ReviewChunk } from './review';

/**
 * Splits a diff into token-bounded chunks, one model call each. Tokens are estimated, not
 * counted: a real tokenizer differs per vendor and model, and the budget only needs to keep
 * requests safely under context limits. The estimate is one token per 4 characters of the
 * text as a model receives it (diff prefix and newline included, plus a per-file header),
 * rounded up. Source code usually tokenizes at 3–4 characters per token, so leave headroom
 * in the configured budget rather than trusting the estimate to the token.
 *
 * Hunks are never split. Files stay whole and in order when they fit; a file larger than the
 * budget is split between hunks; a hunk larger than the budget is reported in `overLimit`
 * and left out, never truncated.
 */

export const CHARS_PER_TOKEN = 4;

export const estimateTokens = (chars: number): number => Math.ceil(chars / CHARS_PER_TOKEN);

/** The file header a prompt carries for every file slice (path, status, language). */
export const fileOverheadTokens = (file: DiffFile): number =>
  estimateTokens(file.path.length + (file.oldPath?.length ?? 0) + 40);

export function hunkTokens(hunk: DiffHunk): number {
  let chars = hunk.header.length + 1;
  for (const line of hunk.lines) chars += line.text.length + 2;
  return estimateTokens(chars);
}

export const fileTokens = (file: DiffFile): number =>
  file.hunks.reduce((sum, h) => sum + hunkTokens(h), fileOverheadTokens(file));

export interface OverLimit {
  file: string;
  detail: string;
  /** position of the file in the input and of the hunk in the file, for coverage records */
  fileIndex: number;
  hunkIndex: number;
}

export function chunkFiles(
  files: DiffFile[],
  tokenBudget: number,
): { chunks: ReviewChunk[]; overLimit: OverLimit[] } {
  if (!Number.isInteger(tokenBudget) || tokenBudget < 1) {
    throw new RangeError(`tokenBudget must be a positive integer, got ${tokenBudget}`);
  }
  const chunks: ReviewChunk[] = [];
  const overLimit: OverLimit[] = [];
  let current: ReviewChunk | undefined;
  const open = (): ReviewChunk => {
    current = { index: chunks.length, files: [], tokenEstimate: 0 };
    chunks.push(current);
    return current;
  };
  const room = (): number => (current ? tokenBudget - current.tokenEstimate : 0);

  files.forEach((file, fileIndex) => {
    const whole = fileTokens(file);
    if (whole <= tokenBudget) {
      const chunk = whole <= room() && current ? current : open();
      chunk.files.push(file);
      chunk.tokenEstimate += whole;
      return;
    }
    const overhead = fileOverheadTokens(file);
    let slice: { file: DiffFile; chunk: ReviewChunk } | undefined;
    file.hunks.forEach((hunk, hunkIndex) => {
      const cost = hunkTokens(hunk);
      if (overhead + cost > tokenBudget) {
        const range = /@@ (.*?) @@/.exec(hunk.header)?.[1] ?? `#${hunkIndex + 1}`;
        overLimit.push({
          file: file.path,
          fileIndex,
          hunkIndex,
          detail: `hunk ${range} is about ${cost} tokens, over the ${tokenBudget}-token chunk budget`,
        });
        return;
      }
      if (!slice || slice.chunk !== current || cost > room()) {
        const chunk = current && overhead + cost <= room() ? current : open();
        slice = { file: { ...file, hunks: [] }, chunk };
        chunk.files.push(slice.file);
        chunk.tokenEstimate += overhead;
      }
      slice.file.hunks.push(hunk);
      slice.chunk.tokenEstimate += cost;
    });
  });
  return { chunks, overLimit };
}
