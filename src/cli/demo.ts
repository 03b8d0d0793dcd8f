// `belvo-status demo`: the real bot against simulated Belvo, status pages, Slack, Discord and PagerDuty on
// 127.0.0.1, through a scripted morning of trouble, in about a minute.
import { Command } from 'commander';
import { type Done, examples } from './define.js';

export function demoCommand(done: Done): Command {
  return new Command('demo')
    .summary('a simulated morning of trouble (offline)')
    .description(
      "the real bot against simulated Belvo status pages, Belvo's API, Slack, Discord and PagerDuty on 127.0.0.1: an API incident, a bank degrading in your own data before Belvo's page says so, a storm, a silence and an ack, recovery; about a minute, no network, no credentials",
    )
    .option('--fast', 'the same story without the pauses (a few seconds)')
    .option(
      '--slack-preview [dir]',
      'also write what Slack, Discord and PagerDuty received to a folder: Block Kit JSON with Block Kit Builder links',
    )
    .option('--verbose', "show the bot's own log lines too (on standard error)")
    .addHelpText(
      'after',
      examples('belvo-status demo', 'belvo-status demo --slack-preview demo-preview', 'npm run demo'),
    )
    .action(async (opts: { fast?: boolean; slackPreview?: string | boolean; verbose?: boolean }) => {
      const { runDemo } = await import('./demo/run-demo.js');
      const preview = opts.slackPreview === true ? 'demo-preview' : opts.slackPreview || undefined;
      done(
        await runDemo({
          fast: opts.fast === true,
          verbose: opts.verbose === true,
          ...(preview !== undefined && { slackPreview: preview }),
        }),
      );
    });
}
