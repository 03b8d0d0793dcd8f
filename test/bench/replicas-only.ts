// `npm run bench:replicas`: the PostgreSQL figures alone (about 3 minutes): webhook ingestion on one and two replicas
// beside SQLite and bare node:http (figure 5, all its servers), and failover time over 10 kills of the leader.
// REPLICAS_FAST=1: short phases and 3 kills (a quick look while working on it, not the figure).
import '../setup/loopback-guard.js';
import { dropLeftSchemas } from './bench-schemas.js';
import { benchFailover } from './failover.js';
import { FAILOVER_BENCH, failoverNotes, failoverRows } from './failover-rows.js';
import { printTable } from './table.js';
import { WEBHOOK_BENCH, webhookNotes, webhookRows } from './webhook-rows.js';
import { benchWebhooks } from './webhooks.js';

// Ctrl-C: the schemas dropped, then exit through process.exit so the exit hooks stop the child bots and remove the
// temp dirs.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void dropLeftSchemas().finally(() => process.exit(130)));
const fast = process.env.REPLICAS_FAST === '1';
const log = (text: string) => process.stderr.write(`bench: ${text}\n`);

log('webhook ingestion: bare node:http, SQLite, PostgreSQL with 1 and 2 replicas, same load...');
const hooks = await benchWebhooks(fast ? { ...WEBHOOK_BENCH, rounds: 1, phaseMs: 1000, warmupMs: 500 } : WEBHOOK_BENCH);
const failover = fast ? { ...FAILOVER_BENCH, kills: 3 } : FAILOVER_BENCH;
log(`failover: ${failover.kills} kills of the leader, lease ${failover.leaseMs} ms...`);
const takeovers = await benchFailover(failover);
printTable([...webhookRows(hooks), ...failoverRows(takeovers)]);
process.stdout.write(`\nNotes:\n- ${[...webhookNotes(hooks), ...failoverNotes(takeovers)].join('\n- ')}\n`);
process.exit(0);
