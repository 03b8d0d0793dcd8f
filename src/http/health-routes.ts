import type { Registry } from 'prom-client';
import type { Role } from '../ports/replicas.js';
import type { Store } from '../ports/store.js';
import type { Router } from './router.js';

export interface Readiness {
  store: Store;
  /** Number of sources with a poll scheduled. */
  scheduledSources: () => number;
  expectedSources: number;
  /** Several replicas: this one's part. A follower polls nothing (the leader does); unreachable is not ready. */
  role?: () => Role;
}

export function mountHealthRoutes(router: Router, ready: Readiness, registry: Registry): void {
  router.add('GET', '/healthz', () => ({ status: 200, body: { status: 'ok' } }));
  router.add('GET', '/readyz', () => {
    const role = ready.role?.();
    const checks = {
      store: ready.store.isOpen() && role !== 'unreachable',
      sources: role === 'follower' || ready.scheduledSources() === ready.expectedSources,
    };
    const ok = Object.values(checks).every(Boolean);
    return {
      status: ok ? 200 : 503,
      body: { status: ok ? 'ready' : 'not_ready', checks, ...(role && { role }) },
    };
  });
  router.add('GET', '/metrics', async () => ({
    status: 200,
    headers: { 'content-type': registry.contentType },
    body: await registry.metrics(),
  }));
}
