/** Terminal output helpers for the technician's commands: colour only on a terminal. */
export function useColour(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  return Boolean((stream as { isTTY?: boolean }).isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(on: boolean): (c: Colour, s: string) => string {
  return (c, s) => (on ? `\u001b[${CODES[c]}m${s}\u001b[0m` : s);
}

/** Left-aligned columns; the last column is not padded. Colour codes do not count as width. */
export function table(rows: string[][], gap = 2): string {
  const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell) + gap))).join('').trimEnd())
    .join('\n');
}
