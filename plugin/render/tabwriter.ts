// Go's text/tabwriter (padchar ' ', no flags), which the original uses for every table. Cells
// end at '\t'; the text after a line's last tab is not a column and is never padded. A column
// spans a run of consecutive lines that all have a cell in it ("block"), and is as wide as its
// widest cell plus padding, so one short line splits the alignment above and below it.
// `ansi` is the juju/ansiterm variant: escape sequences do not count towards a cell's width.
import { stripAnsi } from './colors.ts';

export interface TabwriterOptions {
  minwidth?: number;
  padding?: number;
  /** Ignore ANSI escape sequences when measuring cells. */
  ansi?: boolean;
}

interface Cell {
  text: string;
  width: number;
}

export function tabwrite(text: string, opts: TabwriterOptions = {}): string {
  const minwidth = opts.minwidth ?? 0;
  const padding = opts.padding ?? 2;
  const measure = (s: string) => [...(opts.ansi ? stripAnsi(s) : s)].length;
  // The text after the final newline is a last, unterminated line, written out as is.
  const lines: Cell[][] = text
    .split('\n')
    .map((line) => line.split('\t').map((t) => ({ text: t, width: measure(t) })));

  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i] ?? [];
      line.forEach((cell, j) => {
        out.push(cell.text);
        const w = widths[j];
        if (w !== undefined) out.push(' '.repeat(Math.max(0, w - cell.width)));
      });
      if (i + 1 < lines.length) out.push('\n');
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let row = line0; row < line1; row++) {
      if (column >= (lines[row]?.length ?? 0) - 1) continue;
      // A cell exists in this column: print what precedes the block, then size the block.
      writeLines(line0, row);
      line0 = row;
      let width = minwidth;
      for (; row < line1; row++) {
        const line = lines[row] ?? [];
        if (column >= line.length - 1) break;
        width = Math.max(width, (line[column]?.width ?? 0) + padding);
      }
      widths.push(width);
      format(line0, row);
      widths.pop();
      line0 = row;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('');
}
