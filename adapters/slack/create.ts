// The Slack adapter: channel notifiers (config destinations and channels subscribed from chat), /belvo-status and its
// buttons over POST /slack/events or Socket Mode.
import type { CommandRunner } from '../../src/commands/handlers.js';
import type { Adapter, AdapterDeps } from '../../src/ports/adapter.js';
import type { Notifier } from '../../src/ports/notifier.js';
import { type SlackApp, type SlackDestination, slackChannelDestination, slackConfigRules } from './config.js';
import { MountedReceiver, mountSlackEvents } from './events-route.js';
import { createSlackApp } from './slack-app.js';
import { createSlackNotifier } from './slack-notifier.js';
import { type SocketModeConnection, startSocketMode } from './socket-mode.js';

export interface SlackSlice {
  /** The `slack:` section; without it there is no token, so nothing can be posted. */
  app: SlackApp | undefined;
  destinations: SlackDestination[];
}

export interface SlackDeps extends AdapterDeps {
  commands: CommandRunner;
}

export function createSlackAdapter(slice: SlackSlice, deps: SlackDeps): Adapter {
  const app = slice.app;
  const logger = deps.logger.child({ component: 'slack' });
  const token = app ? deps.secret(app.botToken.secretEnv) : '';
  const channel = (destination: string, channelId: string): Notifier | undefined =>
    app &&
    createSlackNotifier({
      destination,
      channel: channelId,
      token,
      apiUrl: app.apiUrl,
      timeoutMs: app.timeout,
      ...(deps.incidentUrl && { incidentUrl: deps.incidentUrl }),
    });
  // Commands and buttons arrive over HTTP (signing secret) or Socket Mode; without either the bot only posts.
  const receiver = app && (app.signingSecret || app.socketMode) ? new MountedReceiver(logger) : undefined;
  if (app && receiver) {
    createSlackApp({
      token,
      apiUrl: app.apiUrl,
      receiver,
      logger,
      run: (cmd, caller) =>
        deps.commands(
          cmd,
          { platform: 'slack', id: caller.channelId, destination: slackChannelDestination(caller.channelId) },
          { id: caller.userId, ...(caller.userName && { name: caller.userName }) },
        ),
    });
  }
  let socketMode: SocketModeConnection | undefined;
  return {
    notifiers: slice.destinations.flatMap((d) => channel(slackChannelDestination(d.channel), d.channel) ?? []),
    destinationKey: slackConfigRules.destinationKey,
    resolve(destination) {
      const channelId = /^slack:(.+)$/.exec(destination)?.[1];
      return channelId ? channel(destination, channelId) : undefined;
    },
    mount(router) {
      if (!app?.signingSecret || !receiver) return;
      mountSlackEvents(router, {
        signingSecret: deps.secret(app.signingSecret.secretEnv),
        receiver,
        logger,
        now: () => deps.clock.now(),
        ...(deps.seen && { seen: deps.seen }),
      });
    },
    async start() {
      if (!app?.socketMode || !receiver) return;
      socketMode = await startSocketMode({
        appToken: deps.secret(app.socketMode.appToken.secretEnv),
        apiUrl: app.apiUrl,
        receiver,
        logger,
      });
    },
    async stop() {
      await socketMode?.stop();
    },
  };
}
