// The Belvo account as the store knows it (environments, links by status, duplicates, webhook freshness), for the
// chat commands of a running bot and for `belvo-status status` and `audit` beside it. The reported calls live in the
// running bot's memory only, so the CLI shows what the store holds. Which host an environment calls is the Belvo
// adapter's knowledge: the composition root passes it in.
import type { Config } from '../config/schema.js';
import type { Store } from '../ports/store.js';
import type { BelvoAccountView } from './belvo-view.js';

export type BelvoEnvironmentConfig = NonNullable<Config['belvo']>['environments'][number];

export function storedBelvoView(
  config: Config,
  store: Store,
  baseUrl: (env: BelvoEnvironmentConfig) => string,
): BelvoAccountView | undefined {
  const environments = config.belvo?.environments ?? [];
  if (environments.length === 0) return undefined;
  return {
    environments: environments.map((env) => ({
      id: env.id,
      url: baseUrl(env),
      webhooksConfigured: env.webhook !== undefined,
    })),
    linkCounts: (env) => store.linkStatusCounts(env),
    duplicateLinks: (env) => store.duplicateLinks(env),
    lastWebhookAt: (env) => store.lastBelvoWebhookAt(env),
  };
}
