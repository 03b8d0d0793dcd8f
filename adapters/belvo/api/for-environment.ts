// A Belvo API client for one configured environment: its URL, its keys from the secrets, its timeout.
import type { Logger } from '../../../src/ports/logger.js';
import { belvoBaseUrl } from './base-url.js';
import { createBelvoApi } from './client.js';
import type { RetryOptions } from './retry.js';

export interface BelvoEnvironmentSettings {
  id: string;
  url?: string | undefined;
  secretKeyId: { secretEnv: string };
  secretKeyPassword: { secretEnv: string };
  timeout: number;
  /** Requests per `per` milliseconds this client allows itself. */
  rateLimit?: { requests: number; per: number };
}

export function belvoApiFor(
  env: BelvoEnvironmentSettings,
  secrets: Map<string, string>,
  logger: Logger,
  retry?: Partial<RetryOptions>,
) {
  return createBelvoApi({
    environment: env.id,
    baseUrl: belvoBaseUrl(env),
    secretKeyId: secrets.get(env.secretKeyId.secretEnv) ?? '',
    secretKeyPassword: secrets.get(env.secretKeyPassword.secretEnv) ?? '',
    timeoutMs: env.timeout,
    logger,
    ...(env.rateLimit && { pace: { requests: env.rateLimit.requests, perMs: env.rateLimit.per } }),
    ...(retry && { retry }),
  });
}
