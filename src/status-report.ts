// `belvo-status status`: what is open right now, read from the store a running bot writes.
import { existsSync } from 'node:fs';
import { createSqliteStore } from '../adapters/sqlite/sqlite-store.js';
import type { Config } from './config/schema.js';
import { type Alert, durationText } from './domain/alert.js';
import { severityRank } from './domain/severity.js';

export function formatStatus(alerts: Alert[], now: number, outboxDepth: number): string {
  const open = alerts
    .filter((a) => a.state === 'firing')
    .sort((x, y) => severityRank(y.severity) - severityRank(x.severity) || x.startedAt - y.startedAt);
  const lines: string[] = [];
  if (open.length === 0) lines.push('All clear: no open alerts.');
  else {
    lines.push(`${open.length} open alert(s):`);
    for (const a of open) {
      const flags = [
        a.flapping ? 'flapping' : '',
        a.maintenance ? 'maintenance' : '',
        a.acknowledged ? `acked by ${a.acknowledged.by}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const country = a.institution?.country ? ` (${a.institution.country})` : '';
      lines.push(
        `  [${a.id}] ${a.severity.toUpperCase().padEnd(8)} ${a.title}${country} · ${a.status.replace(/_/g, ' ')} · for ${durationText(now - a.startedAt)}${flags ? ` · ${flags}` : ''}`,
      );
    }
  }
  if (outboxDepth > 0) lines.push(`${outboxDepth} message(s) waiting to be delivered.`);
  return lines.join('\n');
}

export async function printStatus(config: Config): Promise<number> {
  if (config.storage.path !== ':memory:' && !existsSync(config.storage.path)) {
    process.stderr.write(`no store at ${config.storage.path}: has the bot run with this config?\n`);
    return 1;
  }
  const store = createSqliteStore({ path: config.storage.path });
  await store.init();
  try {
    const alerts = await store.listAlerts({ states: ['firing'] });
    process.stdout.write(`${formatStatus(alerts, Date.now(), await store.outboxDepth())}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
