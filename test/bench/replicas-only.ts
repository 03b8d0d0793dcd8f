// `npm run bench:replicas`: the PostgreSQL figures alone (about 3 minutes): webhook ingestion on one and two replicas
// beside SQLite and bare node:http (figure 5, all its servers), and failover time over 10 kills of the leader.
// REPLICAS_FAST=1: short phases and 3 kills (a quick look while working on it, not the figure).
import '../setup/loopback-guard.js';
import { printTable } from './table.js';
import { WEBHOOK_BENCH, webhookNotes, webhookRows } from './webhook-rows.js';
import { benchWebhooks } from './webhooks.js';

const fast = process.env.REPLICAS_FAST === '1';
const hooks = await benchWebhooks(fast ? { ...WEBHOOK_BENCH, rounds: 1, phaseMs: 1000, warmupMs: 500 } : WEBHOOK_BENCH);
printTable(webhookRows(hooks));
process.stdout.write(`\nNotes:\n- ${webhookNotes(hooks).join('\n- ')}\n`);
process.exit(0);
