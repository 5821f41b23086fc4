/**
 * Where a hand edit may go in Python source: a light scan for strings, comments, brackets and
 * backslash continuations, enough to keep the fuzzer's own edits valid (CPython judges anyway).
 * Text uses `\n`; line endings and encodings are changed last.
 */
export interface LineInfo {
  /** Index of the line's first character and of its `\n` (or the end of the text). */
  start: number;
  end: number;
  /** The line starts inside a triple-quoted string. */
  startsInString: boolean;
  /** Bracket depth at the start of the line. */
  depth: number;
  /** The line ends inside a string, or with a backslash continuation. */
  continues: boolean;
  /** Index where a `#` comment starts on this line, or -1. */
  comment: number;
  /** Nothing but whitespace, or a comment. */
  blank: boolean;
}

export function scanLines(text: string): LineInfo[] {
  const lines: LineInfo[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  let startsInString = false;
  let startDepth = 0;
  let comment = -1;
  for (let i = 0; i <= text.length; i++) {
    const char = text[i];
    if (i === text.length || char === '\n') {
      const line = text.slice(start, i);
      const continues = quote !== null || (comment === -1 && line.endsWith('\\'));
      lines.push({
        start,
        end: i,
        startsInString,
        depth: startDepth,
        continues,
        comment,
        blank: !startsInString && /^[ \t]*(#.*)?$/.test(line),
      });
      if (quote !== null && quote.length === 1) quote = null; // an unterminated short string; CPython will say so
      start = i + 1;
      startsInString = quote !== null;
      startDepth = depth;
      comment = -1;
      continue;
    }
    if (quote !== null) {
      if (char === '\\') i++;
      else if (text.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = null;
      }
      continue;
    }
    if (comment !== -1) continue;
    if (char === '#') comment = i;
    else if (char === '"' || char === "'") quote = text.startsWith(char.repeat(3), i) ? char.repeat(3) : char;
    if (quote !== null && quote.length === 3) i += 2;
    else if ('([{'.includes(char)) depth++;
    else if (')]}'.includes(char)) depth = Math.max(0, depth - 1);
  }
  return lines;
}

/** Line starts where a comment-only or blank line may be inserted (not inside a string or continuation). */
export function freeLineStarts(text: string): number[] {
  const lines = scanLines(text);
  const starts = [0];
  lines.forEach((line, i) => {
    if (!line.continues && i + 1 < lines.length) starts.push(lines[i + 1].start);
  });
  if (!text.endsWith('\n')) return starts.filter((start) => start !== 0 || !lines[0].startsInString);
  return starts;
}

/** Line ends where a trailing `  # comment` may be appended. */
export function commentableLineEnds(text: string): number[] {
  return scanLines(text)
    .filter((line) => !line.continues && !line.startsInString && line.end > line.start && !line.blank)
    .map((line) => line.end);
}

/** 1-based line of the first match of `pattern` (multiline), or null. */
export function lineOf(text: string, pattern: RegExp): number | null {
  const match = new RegExp(pattern.source, pattern.flags.includes('m') ? pattern.flags : `${pattern.flags}m`).exec(text);
  return match ? text.slice(0, match.index).split('\n').length : null;
}
