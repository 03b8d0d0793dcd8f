export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  maxAttempts: number;
}

/** Exponential backoff with "full jitter" (AWS architecture blog), capped; `attempt` counts from 1. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
