// Leadership as Prometheus sees it: whether this replica leads, and how often its lease was renewed or lost.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LeadershipMetrics } from '../ports/replicas.js';

export function createLeadershipMetrics(registry: Registry): LeadershipMetrics {
  const leader = new Gauge({
    name: 'belvo_status_leader',
    help: '1 while this replica holds the leader lease (it polls and ticks), else 0.',
    registers: [registry],
  });
  const reachable = new Gauge({
    name: 'belvo_status_leader_lease_reachable',
    help: '1 while the database holding the leader lease answers, else 0.',
    registers: [registry],
  });
  const renewals = new Counter({
    name: 'belvo_status_leader_lease_renewals_total',
    help: 'Leader lease taken or renewed by this replica.',
    registers: [registry],
  });
  const losses = new Counter({
    name: 'belvo_status_leader_lease_losses_total',
    help: 'Times this replica stopped leading (another took the lease, or it could not renew in time).',
    registers: [registry],
  });
  leader.set(0);
  reachable.set(1);
  return {
    role(role) {
      leader.set(role === 'leader' ? 1 : 0);
      reachable.set(role === 'unreachable' ? 0 : 1);
    },
    renewed: () => renewals.inc(),
    lost: () => losses.inc(),
  };
}
