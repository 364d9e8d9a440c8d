/**
 * @module tabwriter
 * Go's text/tabwriter, which lays out every docker table. Cells end at tabs; the text after
 * a line's last tab is not part of any column; a column is as wide as its widest cell plus
 * padding, never under minwidth, and spans only consecutive lines that have it. A line
 * without tabs closes the block, as Go's writer flushes there.
 */

export interface TabwriterOptions {
  minwidth: number;
  padding: number;
  padchar: string;
}

/** docker's formatter: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export const DOCKER_TABWRITER: TabwriterOptions = { minwidth: 10, padding: 3, padchar: ' ' };

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function formatBlock(lines: string[][], opts: TabwriterOptions): string[] {
  const out: string[] = new Array<string>(lines.length).fill('');
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      let s = '';
      lines[i]!.forEach((cell, j) => {
        s += cell;
        if (j < widths.length) s += opts.padchar.repeat(Math.max(widths[j]! - runeCount(cell), 0));
      });
      out[i] = s;
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      // This line has a cell in this column: lay out the lines before it, then the block.
      writeLines(line0, t);
      line0 = t;
      let width = opts.minwidth;
      for (; t < line1; t++) {
        const line = lines[t]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, runeCount(line[column]!) + opts.padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out;
}

/** Aligns tab-separated text as Go's tabwriter does with the given settings. */
export function tabwrite(text: string, opts: TabwriterOptions = DOCKER_TABWRITER): string {
  const raw = text.split('\n');
  const result: string[] = [];
  let block: string[][] = [];
  raw.forEach((line, i) => {
    const cells = line.split('\t');
    block.push(cells);
    if (cells.length === 1 && i < raw.length - 1) {
      result.push(...formatBlock(block, opts));
      block = [];
    }
  });
  result.push(...formatBlock(block, opts));
  return result.join('\n');
}
