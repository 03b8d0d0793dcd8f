import type { Registry } from 'prom-client';
import type { ReadinessReport } from './readiness.js';
import type { Router } from './router.js';

export function mountHealthRoutes(router: Router, readiness: () => Promise<ReadinessReport>, registry: Registry): void {
  router.add('GET', '/healthz', () => ({ status: 200, body: { status: 'ok' } }));
  router.add('GET', '/readyz', async () => {
    const { ready, checks, problems, role, connections } = await readiness();
    return {
      status: ready ? 200 : 503,
      body: {
        status: ready ? 'ready' : 'not_ready',
        checks,
        ...(role && { role }),
        ...(connections && { connections }),
        ...(problems.length > 0 && { problems }),
      },
    };
  });
  router.add('GET', '/metrics', async () => ({
    status: 200,
    headers: { 'content-type': registry.contentType },
    body: await registry.metrics(),
  }));
}
