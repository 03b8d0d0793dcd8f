// `node dist-bench/test/bench/scale-only.js`: the scale figures (issue: 100,000 links, 1,000 institutions) alone.
import '../setup/loopback-guard.js';
import { benchSpikeScale } from './spike-scale.js';
import { ms } from './stats.js';

const runs = await benchSpikeScale({ links: [1000, 10_000, 100_000], batches: 100, batchSize: 20, transitions: 4 });
for (const r of runs) {
  process.stdout.write(
    `${r.links} links: record ${ms(r.record.median)} / check ${ms(r.check.median)} / total ${ms(r.total.median)} ` +
      `(p95 ${ms(r.total.p95)}), seed ${ms(r.seedMs)}, open ${r.openAlerts}\n`,
  );
}
process.exit(0);
