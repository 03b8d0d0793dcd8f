export const SEVERITIES = ['info', 'minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { info: 0, minor: 1, major: 2, critical: 3 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

export function atLeast(s: Severity, min: Severity): boolean {
  return RANK[s] >= RANK[min];
}

export function worstSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}
