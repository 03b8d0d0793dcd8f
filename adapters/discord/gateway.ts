// Gateway mode: for teams without a public URL, the bot opens Discord's gateway (a WebSocket, with its bot token)
// and receives /belvo-status and button clicks as INTERACTION_CREATE events instead of POSTs to the Interactions
// Endpoint. Each one goes through the same handler as the endpoint's, and the answer the endpoint would have sent
// as its HTTP response is sent to the interaction callback (POST /interactions/{id}/{token}/callback) instead.
// discord.js keeps the connection: heartbeats, RESUME after a drop (a new IDENTIFY when the session is gone).
// It is loaded only here, when the config asks for the gateway: it is a large library a webhook-only bot never needs.
// https://discord.com/developers/docs/events/gateway
import { Routes } from 'discord-api-types/v10';
import type { Logger } from '../../src/ports/logger.js';
import type { SeenRequests } from '../../src/ports/seen-requests.js';
import type { DiscordClient } from './client.js';
import { DISCORD_CODES, DiscordCallError, scrubSecrets } from './errors.js';
import type { InteractionResult } from './interactions.js';

export interface DiscordGatewayOptions {
  token: string;
  /** REST base without the version (`https://discord.com/api`): where GET /gateway/bot says which URL to open. */
  apiUrl: string;
  timeoutMs: number;
  /** The interactions endpoint's handler: an interaction in, the response Discord should get out. */
  handle: (interaction: unknown) => Promise<InteractionResult>;
  /** Sends the callbacks; they authenticate with the interaction's token, not the bot token. */
  callbacks: DiscordClient;
  logger: Logger;
  /**
   * Interactions already taken (the store): with several replicas every one holds a gateway session and Discord
   * sends each interaction to all of them; the first to record it answers, the others let it be.
   */
  seen?: SeenRequests;
  now?: () => number;
  /** First wait before connecting again after a failed login (doubled each time, up to five minutes). */
  retryAfterMs?: number;
}

export interface DiscordGateway {
  /** `connecting`, `connected`, `reconnecting`, or `closed` (stopped, or refused for good: see the logs). */
  state(): GatewayState;
  stop(): Promise<void>;
}

export type GatewayState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Close codes after which Discord will not take this bot's connection until the config changes. */
const FATAL_CLOSE: Record<number, string> = {
  4004: 'Discord refused the bot token (discord.botToken)',
  4010: 'invalid shard',
  4011: 'sharding required: the bot is in too many servers for one connection',
  4012: 'invalid API version',
  4013: 'invalid intents',
  4014: 'a disallowed intent (only Guilds is asked for; check the Bot page of the application)',
};

const MAX_RETRY_MS = 5 * 60_000;
/** An interaction's token works this long; past it, nobody could answer it anyway. */
const INTERACTION_LIFETIME_MS = 15 * 60_000;

export async function startDiscordGateway(opts: DiscordGatewayOptions): Promise<DiscordGateway> {
  const { ActivityType, Client, Events, GatewayDispatchEvents, GatewayIntentBits, Options } = await import(
    'discord.js'
  );
  const logger = opts.logger;
  let state: GatewayState = 'connecting';
  let stopped = false;
  /** Discord closed the connection for a reason that trying again will not fix (a bad token, a refused intent). */
  let refused = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = opts.retryAfterMs ?? 5000;

  /** A new client per login attempt: discord.js destroys one whose login failed. */
  const connect = () => {
    const client = new Client({
      // Interactions arrive whatever the intents; Guilds alone is the least Discord allows and needs no approval.
      intents: [GatewayIntentBits.Guilds],
      // Nothing is read from discord.js's caches (the store holds what the bot knows): keep none of what it may limit.
      makeCache: Options.cacheWithLimits({
        ApplicationCommandManager: 0,
        ApplicationEmojiManager: 0,
        AutoModerationRuleManager: 0,
        BaseGuildEmojiManager: 0,
        DMMessageManager: 0,
        EntitlementManager: 0,
        GuildBanManager: 0,
        GuildEmojiManager: 0,
        GuildForumThreadManager: 0,
        GuildInviteManager: 0,
        GuildMemberManager: 0,
        GuildMessageManager: 0,
        GuildScheduledEventManager: 0,
        GuildStickerManager: 0,
        GuildTextThreadManager: 0,
        MessageManager: 0,
        PresenceManager: 0,
        ReactionManager: 0,
        ReactionUserManager: 0,
        StageInstanceManager: 0,
        ThreadManager: 0,
        ThreadMemberManager: 0,
        UserManager: 0,
        VoiceStateManager: 0,
      }),
      presence: { status: 'online', activities: [{ name: 'Belvo status', type: ActivityType.Watching }] },
      rest: { api: opts.apiUrl.replace(/\/+$/, ''), timeout: opts.timeoutMs },
    });

    // After IDENTIFY: at start, and again when Discord had forgotten the session a RESUME asked for.
    let sessions = 0;
    client.on(Events.ShardReady, () => {
      state = 'connected';
      retryMs = opts.retryAfterMs ?? 5000;
      sessions++;
      logger.info(
        {
          bot: client.user?.username,
          botId: client.user?.id,
          servers: client.guilds.cache.size,
          ...(sessions > 1 && { newSession: true }),
        },
        'Discord gateway connected',
      );
    });
    client.on(Events.ShardReconnecting, () => {
      if (stopped) return;
      state = 'reconnecting';
      logger.warn({}, 'Discord gateway connection lost; resuming');
    });
    client.on(Events.ShardResume, (_shard, replayed) => {
      state = 'connected';
      logger.info({ replayedEvents: replayed }, 'Discord gateway resumed');
    });
    client.on(Events.ShardDisconnect, (event) => {
      if (stopped) return;
      state = 'closed';
      refused = true;
      logger.error(
        { code: event.code, reason: FATAL_CLOSE[event.code] ?? 'closed by Discord' },
        'Discord gateway closed and will not reconnect: /belvo-status is not received until the bot restarts',
      );
    });
    client.on(Events.ShardError, (err) => {
      logger.warn({ error: scrubSecrets(err.message) }, 'Discord gateway connection error');
    });
    // An 'error' event nobody listens to would throw: whatever discord.js reports this way is logged instead.
    client.on(Events.Error, (err) => {
      logger.error({ error: scrubSecrets(err.message) }, 'Discord gateway client error');
    });
    // The interaction as Discord sent it: exactly what the Interactions Endpoint would have received in a POST.
    client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: { id?: unknown; token?: unknown }) => {
      void answer(data);
    });
    // discord.js would also build its own Interaction object from the payload, which nothing here reads, and a
    // payload it does not expect (a field missing) would throw from inside its socket handler and end the process.
    const actions = (client as unknown as { actions?: { InteractionCreate?: { handle?: unknown } } }).actions;
    if (typeof actions?.InteractionCreate?.handle === 'function') actions.InteractionCreate.handle = () => undefined;
    return client;
  };
  let client: ReturnType<typeof connect> | undefined;

  async function answer(data: { id?: unknown; token?: unknown }): Promise<void> {
    const receivedAt = Date.now();
    try {
      if (opts.seen && typeof data.id === 'string') {
        const at = (opts.now ?? Date.now)();
        if (!(await opts.seen.firstSeen(`discord-gateway:${data.id}`, at + INTERACTION_LIFETIME_MS, at))) {
          logger.debug({ interaction: data.id }, 'a Discord interaction already taken (by another replica)');
          return;
        }
      }
      const result = await opts.handle(data);
      if (!result.ok) {
        // Over HTTP this is a 400; here there is no one to answer but Discord, which tells the user it failed.
        logger.warn({ reason: result.reason }, 'a Discord interaction from the gateway was not understood');
        return;
      }
      if (typeof data.id !== 'string' || typeof data.token !== 'string') return;
      await opts.callbacks.post(Routes.interactionCallback(data.id, data.token), {
        auth: false,
        body: result.response,
      });
    } catch (err) {
      const afterMs = Date.now() - receivedAt;
      if (err instanceof DiscordCallError && err.code === DISCORD_CODES.unknownInteraction) {
        // Past 3 s Discord forgets the interaction: one replayed after a long drop, or a machine too busy to answer.
        logger.warn({ afterMs }, 'a Discord interaction came too late to be answered (Discord allows 3 s)');
        return;
      }
      logger.error(
        { error: scrubSecrets(err instanceof Error ? err.message : String(err)), afterMs },
        'the answer to a Discord interaction could not be sent',
      );
    }
  }

  function login(): void {
    client = connect();
    client.login(opts.token).then(
      () => undefined,
      (err: unknown) => {
        if (stopped || refused) return;
        const code = (err as { code?: unknown }).code;
        if (code === 'TokenInvalid') {
          state = 'closed';
          logger.error(
            {},
            'Discord refused the bot token (discord.botToken): the gateway is not connected, /belvo-status is not ' +
              'received',
          );
          return;
        }
        state = 'reconnecting';
        logger.warn(
          { error: scrubSecrets(err instanceof Error ? err.message : String(err)), retryInMs: retryMs },
          'Discord gateway could not connect; trying again',
        );
        retryTimer = setTimeout(login, retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      },
    );
  }
  // Not awaited: alerts go out over REST whether or not the gateway is up, and the bot must not wait on it to serve.
  login();

  return {
    state: () => state,
    async stop() {
      stopped = true;
      state = 'closed';
      clearTimeout(retryTimer);
      await client?.destroy().catch(() => undefined);
    },
  };
}
