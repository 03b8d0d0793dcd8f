// A parsed `/belvo-status` command -> a neutral reply. Reads and writes through the Store port only; every change
// to an alert goes through `commitEvents`, so chat messages are edited by the normal delivery path.
import type { Alert, AlertEvent } from '../domain/alert.js';
import type { Store } from '../ports/store.js';
import { auditReply } from './audit-handlers.js';
import type { BelvoAccountView } from './belvo-view.js';
import type { ParsedCommand } from './grammar.js';
import type { Reply, ReplyVisibility } from './reply.js';
import { ackTargetReply, silenceReply, unsilenceReply } from './silence-handlers.js';
import { historyReply, institutionReply, statusReply } from './status-handlers.js';
import { subscribeReply, subscriptionsReply, unsubscribeReply } from './subscription-handlers.js';
import { COMMAND, USAGE } from './usage.js';

export interface CommandChannel {
  platform: 'slack' | 'discord';
  /** The platform's channel id (`C123`, a Discord snowflake). */
  id: string;
  /** Destination id subscriptions are stored under, e.g. `slack:C123`; the notifier for it must understand it. */
  destination: string;
  /** Why the bot cannot post in this channel at all (set up to answer commands only), when it cannot. */
  cannotPost?: string;
}

export interface CommandUser {
  id: string;
  /** Display or user name when the platform sends one; alerts and silences say "by <name>", else "by <id>". */
  name?: string;
}

/** Runs one /belvo-status command for a person in a channel: chat adapters call it, the composition root binds it. */
export type CommandRunner = (cmd: ParsedCommand, channel: CommandChannel, user: CommandUser) => Promise<Reply>;

export interface CommandContext {
  store: Store;
  now: number;
  channel: CommandChannel;
  user: CommandUser;
  /**
   * Routes the events (subscriptions, silences) and commits alerts + intents atomically; supplied by the
   * composition root. Must throw StoreConflictError when an alert's rev is stale (the handler re-reads and retries).
   */
  commitEvents: (events: AlertEvent[], alerts: Alert[]) => Promise<void>;
  /** The team's Belvo account, when configured (status details, `audit`). */
  belvo?: BelvoAccountView;
}

/**
 * Answers one command. Never throws for anything a user typed (bad input is a reply); rejects only when the store
 * or `commitEvents` fails, which the adapter logs and answers with a generic error.
 */
export async function handleCommand(cmd: ParsedCommand, ctx: CommandContext): Promise<Reply> {
  const visibility: ReplyVisibility = cmd.public ? 'in_channel' : 'ephemeral';
  switch (cmd.kind) {
    case 'status':
      return statusReply(ctx, visibility);
    case 'institution':
      return institutionReply(ctx, cmd.query, visibility);
    case 'subscribe':
      return subscribeReply(ctx, cmd.filter, visibility);
    case 'unsubscribe':
      return unsubscribeReply(ctx, cmd.id, visibility);
    case 'subscriptions':
      return subscriptionsReply(ctx, visibility);
    case 'silence':
      return silenceReply(ctx, cmd, visibility);
    case 'unsilence':
      return unsilenceReply(ctx, cmd.id, visibility);
    case 'ack':
      return ackTargetReply(ctx, cmd.target, visibility);
    case 'history':
      return historyReply(ctx, cmd.limit, visibility);
    case 'audit':
      return auditReply(ctx, visibility);
    case 'help':
      return helpReply(visibility);
    case 'invalid':
      // Mistakes are shown to the person who made them only.
      return { visibility: 'ephemeral', title: cmd.message, sections: [{ heading: 'Usage', lines: [cmd.usage] }] };
  }
}

function helpReply(visibility: ReplyVisibility): Reply {
  return {
    visibility,
    title: `${COMMAND}: what is broken right now, and who hears about it`,
    sections: Object.values(USAGE).map((u) => ({
      heading: `${COMMAND} ${u.syntax}`,
      lines: [u.what, `e.g. ${COMMAND} ${u.example}`],
    })),
    footer: 'Add "public" as the first or last word to answer in the channel instead of only to you.',
  };
}
