export interface ReportRow {
  figure: string;
  value: string;
  goal: string;
}

export interface PartResult {
  part: string;
  rows: ReportRow[];
  notes: string[];
  json: Record<string, unknown>;
}

/** A plain-text table: part, figure, value, goal. */
export function renderTable(results: readonly PartResult[]): string {
  const lines: string[][] = [['part', 'figure', 'value', 'goal']];
  for (const r of results) for (const row of r.rows) lines.push([r.part, row.figure, row.value, row.goal]);
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  const fmtLine = (l: string[]) => l.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const out = [fmtLine(lines[0]), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (const l of lines.slice(1)) {
    out.push(fmtLine([l[0] === last ? '' : l[0], l[1], l[2], l[3]]));
    last = l[0]!;
  }
  const notes = results.flatMap((r) => r.notes.map((n) => `  [${r.part}] ${n}`));
  return [...out, ...(notes.length ? ['', 'Notes:', ...notes] : [])].join('\n');
}
