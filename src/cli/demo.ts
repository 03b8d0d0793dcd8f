// `belvo-status demo`: the bot against simulated services on 127.0.0.1, a scripted minute of trouble.
import { parseArgs } from 'node:util';

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { fast: { type: 'boolean' } } });
  const { runDemo } = await import('./demo/run-demo.js');
  return runDemo({ fast: values.fast === true });
}
