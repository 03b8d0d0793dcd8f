// `node dist-bench/test/bench/webhooks-only.js`: figure 5 alone (under a minute), for working on ingestion.
import '../setup/loopback-guard.js';
import { printTable } from './table.js';
import { WEBHOOK_BENCH, webhookNotes, webhookRows } from './webhook-rows.js';
import { benchWebhooks } from './webhooks.js';

const result = await benchWebhooks(WEBHOOK_BENCH);
printTable(webhookRows(result));
process.stdout.write(`\nNotes:\n- ${webhookNotes(result).join('\n- ')}\n`);
process.exit(0);
