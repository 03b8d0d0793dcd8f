// `node dist/test/bench/push-only.js [trials]`: figure 7 alone, push to chat (spike and status-page push).
import '../setup/loopback-guard.js';
import { benchPushLatency } from './push-latency.js';
import { pushNotes, pushRows } from './push-rows.js';
import { printTable } from './table.js';

const trials = Number(process.argv[2] ?? 50);
const result = await benchPushLatency({ trials, trialTimeoutMs: 150_000 });
printTable(pushRows(result));
process.stdout.write(`\nNotes:\n- ${pushNotes(result).join('\n- ')}\n`);
process.exit(0);
