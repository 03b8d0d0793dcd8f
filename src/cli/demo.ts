// `belvo-status demo`: the bot against simulated services on 127.0.0.1, a scripted minute of trouble.
import { Command } from 'commander';
import { type Done, examples } from './define.js';

export function demoCommand(done: Done): Command {
  return new Command('demo')
    .summary('a simulated minute of trouble (offline)')
    .description(
      'the bot against simulated status pages on 127.0.0.1, through a scripted minute of trouble (no network, no credentials)',
    )
    .option('--fast', 'the same story with shorter pauses (about 10 seconds)')
    .addHelpText('after', examples('belvo-status demo', 'npm run demo'))
    .action(async (opts: { fast?: boolean }) => {
      const { runDemo } = await import('./demo/run-demo.js');
      done(await runDemo({ fast: opts.fast === true }));
    });
}
