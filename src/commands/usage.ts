// One line of syntax and one example per subcommand: the grammar quotes it in errors, `help` lists it all.

export interface SubcommandUsage {
  syntax: string;
  example: string;
  what: string;
}

export const USAGE = {
  status: {
    syntax: 'status',
    example: 'status',
    what: "what is broken right now: Belvo's API, institutions down or degraded, other open alerts",
  },
  institution: {
    syntax: 'institution <name or part of it>',
    example: 'institution erebor',
    what: 'one institution: its open alerts and recent incidents',
  },
  subscribe: {
    syntax:
      'subscribe [kinds...] [country:MX,CO] [institution:a,b] [source:x] [env:production] [min:major] ' +
      '[quiet:22:00-07:00] [tz:America/Mexico_City] [mention:@group,@user|here] [mention-from:critical|major|paged] ' +
      '[report:weekdays-09:00|daily-09:00|mon-09:00]',
    example: 'subscribe statuspage country:MX min:major',
    what: 'this channel receives the alerts that match (no filter: every alert)',
  },
  unsubscribe: {
    syntax: 'unsubscribe [subscription id]',
    example: 'unsubscribe sub-3',
    what: "removes this channel's subscriptions (all of them, or the one named)",
  },
  subscriptions: {
    syntax: 'subscriptions',
    example: 'subscriptions',
    what: "lists this channel's subscriptions",
  },
  silence: {
    syntax:
      'silence <alert id | fingerprint | dedup key | institution:name> <duration | every <days> HH:MM-HH:MM tz:Zone> ' +
      '[reason...]',
    example: 'silence A12 2h bank announced a migration',
    what: 'mutes messages and paging for an alert or an institution, for a while (30m, 2h, 1d) or in a weekly window',
  },
  silences: {
    syntax: 'silences',
    example: 'silences',
    what: 'lists the silences set in chat: what they mute, until when, and the next window of the weekly ones',
  },
  unsilence: {
    syntax: 'unsilence <silence id>',
    example: 'unsilence S4',
    what: 'ends a silence now',
  },
  ack: {
    syntax: 'ack <alert id | fingerprint | PagerDuty dedup key | institution>',
    example: 'ack A12',
    what: 'acknowledges an alert (an institution: its open incident): its messages say who is on it, paging stops escalating',
  },
  history: {
    syntax: 'history [n]',
    example: 'history 20',
    what: 'the last n incidents (default 10, at most 50) with their durations',
  },
  audit: {
    syntax: 'audit',
    example: 'audit',
    what: "Belvo's integration checklist checked against your account",
  },
  help: {
    syntax: 'help',
    example: 'help',
    what: 'this list',
  },
} as const satisfies Record<string, SubcommandUsage>;

export type Subcommand = keyof typeof USAGE;

export const COMMAND = '/belvo-status';

export function usageOf(sub: Subcommand): string {
  return `${COMMAND} ${USAGE[sub].syntax}  (e.g. ${COMMAND} ${USAGE[sub].example})`;
}

/** For an unknown subcommand: the names only, short enough for an error. */
export function overview(): string {
  return `${COMMAND} [${Object.keys(USAGE).join(' | ')}] [public]; ${COMMAND} help for details`;
}
