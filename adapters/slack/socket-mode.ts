// Socket Mode: for teams without a public URL, Slack delivers slash commands and button clicks over a WebSocket the
// bot opens (apps.connections.open with an app-level token). Events go through the same Bolt listeners as HTTP.
import { LogLevel, SocketModeClient } from '@slack/socket-mode';
import type { Logger } from '../../src/ports/logger.js';
import type { MountedReceiver } from './events-route.js';
import { SLACK_API_URL } from './limits.js';

export interface SocketModeOptions {
  /** App-level token (xapp-...) with the connections:write scope. */
  appToken: string;
  apiUrl?: string;
  receiver: MountedReceiver;
  logger: Logger;
}

export interface SocketModeConnection {
  stop(): Promise<void>;
}

export async function startSocketMode(opts: SocketModeOptions): Promise<SocketModeConnection> {
  const client = new SocketModeClient({
    appToken: opts.appToken,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: opts.apiUrl ?? SLACK_API_URL },
  });
  const forward = async ({ body, ack }: { body: Record<string, unknown>; ack: (r?: unknown) => Promise<void> }) => {
    try {
      const answer = await opts.receiver.dispatch(body, {});
      // The socket's ack carries what an HTTP answer's body would.
      await ack(answer.body === '' || answer.body === undefined ? undefined : answer.body);
    } catch (err) {
      opts.logger.error({ err }, 'a Socket Mode event could not be handled');
    }
  };
  client.on('slash_commands', forward);
  client.on('interactive', forward);
  // Reconnects by itself when Slack recycles the connection; a failure to connect at start is logged, not fatal:
  // alerts are still delivered through the Web API.
  client.start().then(
    () => opts.logger.info({}, 'Slack Socket Mode connected'),
    (err: unknown) => opts.logger.error({ err }, 'Slack Socket Mode could not connect'),
  );
  return {
    async stop() {
      await client.disconnect().catch(() => undefined);
    },
  };
}
