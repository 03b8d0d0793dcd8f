// POST /webhooks/belvo/:environment: Belvo's webhooks, answered 2xx only once durably stored (Belvo retries anything
// else, and stops on a 2xx). Checks in order, each refusing before anything is read or stored:
//   1. a known environment with a webhook configured (404),
//   2. the sender's address, when the allow-list is on (403),
//   3. the fixed Authorization value, compared in constant time (401),
//   4. the body: within the server's limit (413, answered by the server), a JSON object with webhook_id, type, code (400).
// Then the webhook joins the next group commit; a retry of a stored webhook_id is answered 200 as well. A committed
// batch that moved links into token_required or invalid wakes the spike check of their environment.
import { BELVO_WEBHOOK_ADDRESSES, type Config } from '../config/schema.js';
import { type BelvoWebhookOutcome, type BelvoWebhookRecord, LINK_STATUS_BY_CODE } from '../ports/belvo-links.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import { FixedAuthorization } from '../webhooks/authorization.js';
import { parseBelvoWebhook } from '../webhooks/belvo-payload.js';
import { AddressSet, clientAddress } from '../webhooks/client-address.js';
import { GroupCommitter } from '../webhooks/group-commit.js';
import type { BelvoWebhookMetrics } from './belvo-webhook-metrics.js';
import type { RouteResponse, Router } from './router.js';
import { BodyTooLargeError } from './server.js';

export interface BelvoWebhookEnvironment {
  /** The `:environment` of the URL (the Belvo environment id: production, sandbox...). */
  id: string;
  /** The Authorization header value configured on Belvo's side (a secret: never logged). */
  authorization: string;
  /** Refuse senders outside `allowedAddresses`. */
  allowOnlyBelvoAddresses?: boolean;
  /** Belvo's three published senders when absent. Addresses or CIDR ranges. */
  allowedAddresses?: readonly string[];
  /** Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed. */
  trustedProxies?: readonly string[];
}

export interface BelvoWebhookDeps {
  store: Pick<Store, 'recordBelvoWebhooks'>;
  environments: readonly BelvoWebhookEnvironment[];
  logger: Logger;
  clock?: Clock;
  metrics?: BelvoWebhookMetrics;
  /**
   * Defaults: at most 256 webhooks, and no added wait (maxDelayMs 0): a commit takes what arrived in the current turn
   * of the event loop, and what arrives while it is written goes into the next one, so batches grow with the load by
   * themselves. A fixed wait only idles the server: with N senders each waiting for its answer, it caps throughput
   * near N per (wait + commit).
   */
  groupCommit?: { maxBatch?: number; maxDelayMs?: number };
  /**
   * Told, once per committed batch that changed a link's status to token_required or invalid, which environments
   * that batch's link events came from: their spike checks run now instead of at the next scheduled check.
   */
  onLinkTransitions?: (environments: string[]) => void;
}

/** Environments with a new LINK event of a status-changing code in this batch (a batch is nearly always one). */
function transitionEnvironments(batch: BelvoWebhookRecord[], outcomes: BelvoWebhookOutcome[]): string[] {
  const envs = new Set<string>();
  batch.forEach((w, i) => {
    if (outcomes[i] === 'inserted' && w.type === 'LINK' && w.linkId && Object.hasOwn(LINK_STATUS_BY_CODE, w.code)) {
      envs.add(w.environment);
    }
  });
  return [...envs];
}

export interface BelvoWebhookReceiver {
  /** Commits whatever is waiting; call after the HTTP server stopped accepting and before the store closes. */
  drain(): Promise<void>;
}

interface Guard {
  id: string;
  authorization: FixedAuthorization;
  allowed?: AddressSet;
  trustedProxies: AddressSet;
}

function guardFor(env: BelvoWebhookEnvironment): Guard {
  const what = `Belvo webhook for environment "${env.id}"`;
  return {
    id: env.id,
    authorization: new FixedAuthorization(env.authorization, what),
    ...(env.allowOnlyBelvoAddresses && {
      allowed: new AddressSet(env.allowedAddresses ?? BELVO_WEBHOOK_ADDRESSES, `${what}: allowed addresses`),
    }),
    trustedProxies: new AddressSet(env.trustedProxies ?? [], `${what}: trusted proxies`),
  };
}

/** The environments of the config that have a webhook, with their Authorization values from the secrets. */
export function belvoWebhookEnvironments(config: Config, secrets: Map<string, string>): BelvoWebhookEnvironment[] {
  return (config.belvo?.environments ?? []).flatMap((env) =>
    env.webhook
      ? [
          {
            id: env.id,
            authorization: secrets.get(env.webhook.authorization.secretEnv) ?? '',
            allowOnlyBelvoAddresses: env.webhook.allowOnlyBelvoAddresses,
            trustedProxies: env.webhook.trustedProxies,
          },
        ]
      : [],
  );
}

export function mountBelvoWebhooks(router: Router, deps: BelvoWebhookDeps): BelvoWebhookReceiver {
  const clock = deps.clock ?? systemClock;
  const guards = new Map(deps.environments.map((e) => [e.id, guardFor(e)]));
  const committer = new GroupCommitter<BelvoWebhookRecord, BelvoWebhookOutcome>({
    maxBatch: deps.groupCommit?.maxBatch ?? 256,
    maxDelayMs: deps.groupCommit?.maxDelayMs ?? 0,
    write: async (batch) => {
      const started = performance.now();
      const result = await deps.store.recordBelvoWebhooks(batch);
      deps.metrics?.batchCommitted(batch.length, (performance.now() - started) / 1000, result.linkTransitions);
      if (result.linkTransitions > 0 && deps.onLinkTransitions) {
        try {
          deps.onLinkTransitions(transitionEnvironments(batch, result.outcomes));
        } catch (err) {
          // Stored is stored: the scheduled check still sees these webhooks, and Belvo must get its 200.
          deps.logger.error({ err }, 'could not wake the spike check after Belvo webhooks');
        }
      }
      return result.outcomes;
    },
    // Once per batch, not per request: a full disk would otherwise log hundreds of lines a second.
    onError: (err, size) => deps.logger.error({ err, webhooks: size }, 'could not store Belvo webhooks; answered 503'),
  });

  const refuse = (env: string, outcome: 'unauthorized' | 'forbidden' | 'malformed', out: RouteResponse) => {
    deps.metrics?.request(env, outcome);
    return out;
  };

  router.add('POST', '/webhooks/belvo/:environment', async ({ req, params, body }) => {
    const guard = guards.get(params.environment ?? '');
    if (!guard) return { status: 404, body: { error: 'not_found' } };

    const client = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], guard.trustedProxies);
    if (guard.allowed && !(client && guard.allowed.has(client))) {
      const refusal = `environment ${guard.id}: address ${client ?? 'unknown'} not allowed`;
      return refuse(guard.id, 'forbidden', { status: 403, body: { error: 'forbidden' }, refusal });
    }

    const verdict = guard.authorization.check(req.headers.authorization);
    if (verdict !== 'ok') {
      const refusal = `environment ${guard.id}: ${verdict} Authorization from ${client ?? 'unknown'}`;
      return refuse(guard.id, 'unauthorized', { status: 401, body: { error: 'unauthorized' }, refusal });
    }

    let raw: Buffer;
    try {
      raw = await body();
    } catch (err) {
      if (err instanceof BodyTooLargeError) deps.metrics?.request(guard.id, 'too_large');
      throw err; // the server answers 413
    }
    const parsed = parseBelvoWebhook(raw);
    if (!parsed.ok) {
      return refuse(guard.id, 'malformed', { status: 400, body: { error: parsed.error, message: parsed.message } });
    }

    let outcome: BelvoWebhookOutcome;
    try {
      outcome = await committer.submit({
        environment: guard.id,
        ...parsed.fields,
        receivedAt: clock.now(),
        body: parsed.text,
      });
    } catch {
      // Logged once for the batch by the committer. Belvo retries a non-2xx: nothing is lost.
      deps.metrics?.request(guard.id, 'unavailable');
      return { status: 503, headers: { 'retry-after': '5' }, body: { error: 'unavailable' } };
    }
    deps.metrics?.request(guard.id, outcome === 'inserted' ? 'stored' : 'duplicate');
    return { status: 200, body: { status: outcome === 'inserted' ? 'stored' : 'duplicate' } };
  });

  return { drain: () => committer.drain() };
}
