// `node dist-bench/test/bench/scale-only.js [spike|bot]`: the scale figures (100,000 links, 1,000 institutions) alone.
// SCALE_FAST=1 lists at ten times the bot's pace (a quick look while working on it, not the figure).
import '../setup/loopback-guard.js';
import { benchScaleBot, type ScaleBotResult } from './scale-bot.js';
import { SCALE_BOT, SPIKE_SCALE, scaleNotes, scaleRows } from './scale-rows.js';
import { benchSpikeScale, type SpikeScaleRun } from './spike-scale.js';
import { printTable } from './table.js';

const which = process.argv[2];
const spikes: SpikeScaleRun[] = !which || which === 'spike' ? await benchSpikeScale(SPIKE_SCALE) : [];
let bot: ScaleBotResult | undefined;
if (!which || which === 'bot') {
  const pace = process.env.SCALE_FAST === '1' ? { requests: 400, perMs: 30_000 } : SCALE_BOT.pace;
  bot = await benchScaleBot({ ...SCALE_BOT, pace });
}
printTable(scaleRows(bot, spikes));
process.stdout.write(`\nNotes:\n- ${scaleNotes(bot, spikes).join('\n- ')}\n`);
process.exit(0);
