// The console adapter's part of the configuration: a destination that prints to standard output.
import { z } from 'zod';
import { type AdapterConfigRules, id, timeZone } from '../../src/config/fields.js';

export const consoleDestination = z.strictObject({
  id,
  type: z.literal('console'),
  color: z.enum(['auto', 'always', 'never']).default('auto'),
  /** Time zone of the printed timestamps; the machine's when absent. */
  timeZone: timeZone.optional(),
});
export type ConsoleDestination = z.output<typeof consoleDestination>;

export const consoleConfigRules: AdapterConfigRules = {
  types: ['console'],
  destinationKey: (d) => (d.type === 'console' ? d.id : undefined),
};
