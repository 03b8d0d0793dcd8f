// The Belvo account as the store knows it (environments, links by status, duplicates, webhook freshness), for the
// chat commands of a running bot and for `belvo-status status` beside it. The reported calls live in the running
// bot's memory only, so the CLI shows what the store holds.
import { belvoBaseUrl } from '../adapters/belvo/api/base-url.js';
import type { BelvoAccountView } from './commands/belvo-view.js';
import type { Config } from './config/schema.js';
import type { Store } from './ports/store.js';

export function storedBelvoView(config: Config, store: Store): BelvoAccountView | undefined {
  const environments = config.belvo?.environments ?? [];
  if (environments.length === 0) return undefined;
  return {
    environments: environments.map((env) => ({
      id: env.id,
      url: belvoBaseUrl(env),
      webhooksConfigured: env.webhook !== undefined,
    })),
    linkCounts: (env) => store.linkStatusCounts(env),
    duplicateLinks: (env) => store.duplicateLinks(env),
    lastWebhookAt: (env) => store.lastBelvoWebhookAt(env),
  };
}
