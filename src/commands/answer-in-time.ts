// Chat platforms give a command 3 seconds for its first answer (Slack and Discord alike). A command answers at once
// when it is quick; otherwise the adapter acknowledges now and sends the answer when it is ready. A command that
// fails becomes a short apology (logged), never a stack trace or silence.
import type { Logger } from '../ports/logger.js';
import type { Reply } from './reply.js';

/** Both platforms allow 3 s; leave room for the network. */
export const FOLLOW_UP_AFTER_MS = 2000;

export const FAILED_REPLY: Reply = {
  visibility: 'ephemeral',
  title: 'Something went wrong answering that. It has been logged; please try again.',
  sections: [],
};

export type TimedAnswer = { quick: Reply } | { later: Promise<Reply> };

/** `work` is the running command; resolves with its reply when it comes within `withinMs`, else with the promise. */
export async function answerInTime(
  work: Promise<Reply>,
  logger: Logger,
  context: Record<string, unknown>,
  withinMs = FOLLOW_UP_AFTER_MS,
): Promise<TimedAnswer> {
  const safe = work.catch((err: unknown) => {
    logger.error({ err, ...context }, '/belvo-status failed');
    return FAILED_REPLY;
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), withinMs);
  });
  const quick = await Promise.race([safe, late]);
  clearTimeout(timer);
  return quick ? { quick } : { later: safe };
}
