// The report: one row per figure, measured against its target, printed as a plain-text table.

export type Verdict = 'pass' | 'MISS' | 'info' | 'n/a';

export interface Row {
  figure: string;
  measured: string;
  target: string;
  verdict: Verdict;
}

export function verdict(ok: boolean): Verdict {
  return ok ? 'pass' : 'MISS';
}

export function printTable(rows: readonly Row[]): void {
  const head: Row = { figure: 'Figure', measured: 'Measured', target: 'Target', verdict: 'info' };
  const cells = (r: Row) => [r.figure, r.measured, r.target, r === head ? 'Result' : r.verdict];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[head, ...rows].map((r) => cells(r)[i]!.length)));
  const line = (r: Row) =>
    cells(r)
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  process.stdout.write(`${[line(head), rule, ...rows.map(line)].join('\n')}\n`);
}
