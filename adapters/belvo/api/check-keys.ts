// What `belvo-status check-config` says about the Belvo environments: which host each calls, a warning when
// production does not call Belvo's production host, and with --online whether Belvo accepts each key pair. One
// line per environment, worded for the person who just edited the config; keys are never printed.
import { BelvoApiError } from '../../../src/ports/belvo.js';
import { type Logger, silentLogger } from '../../../src/ports/logger.js';
import { belvoBaseUrl, productionUrlWarning } from './base-url.js';
import { createBelvoApi } from './client.js';
import type { RetryOptions } from './retry.js';

/** An environment as the config describes it: secrets by environment-variable name. */
export interface BelvoEnvironmentToCheck {
  id: string;
  url?: string | undefined;
  secretKeyId: { secretEnv: string };
  secretKeyPassword: { secretEnv: string };
  /** Milliseconds. */
  timeout: number;
}

export interface BelvoConfigReport {
  lines: string[];
  /** The config cannot work as written: an environment without a URL. */
  invalid: boolean;
  /** Online: Belvo refused an environment's keys, or could not be asked. */
  failed: boolean;
}

export interface BelvoConfigReportOptions {
  /** Call `GET /api/` with each environment's keys. */
  online: boolean;
  logger?: Logger;
  /** A check is a one-off: a failing Belvo should be reported within seconds, not after Belvo's full backoff. */
  retry?: Partial<RetryOptions>;
}

const CHECK_RETRY: Partial<RetryOptions> = { maxTries: 2, baseDelayMs: 1000, rateLimitedRetries: 0 };

function reason(error: BelvoApiError): string {
  const what = [error.status, error.code].filter((part) => part !== undefined).join(' ');
  const id = error.requestId ? `request_id ${error.requestId}` : undefined;
  return [what || error.kind, id].filter(Boolean).join(', ');
}

/** `production: keys OK (https://api.belvo.com)` or why not. */
async function checkKeys(
  env: BelvoEnvironmentToCheck,
  url: string,
  secrets: ReadonlyMap<string, string>,
  options: BelvoConfigReportOptions,
): Promise<{ line: string; ok: boolean }> {
  const api = createBelvoApi({
    environment: env.id,
    baseUrl: url,
    secretKeyId: secrets.get(env.secretKeyId.secretEnv) ?? '',
    secretKeyPassword: secrets.get(env.secretKeyPassword.secretEnv) ?? '',
    timeoutMs: env.timeout,
    logger: options.logger ?? silentLogger,
    retry: { ...CHECK_RETRY, ...options.retry },
  });
  try {
    await api.ping();
    return { ok: true, line: `${env.id}: keys OK (${url})` };
  } catch (error) {
    if (!(error instanceof BelvoApiError)) throw error;
    if (error.kind === 'auth' || error.kind === 'access') {
      return { ok: false, line: `${env.id}: keys refused (${reason(error)})` };
    }
    return { ok: false, line: `${env.id}: keys not checked: ${error.kind} (${error.message})` };
  }
}

export async function belvoConfigReport(
  environments: readonly BelvoEnvironmentToCheck[],
  secrets: ReadonlyMap<string, string>,
  options: BelvoConfigReportOptions,
): Promise<BelvoConfigReport> {
  const lines: string[] = [];
  let invalid = false;
  let failed = false;
  const usable: Array<{ env: BelvoEnvironmentToCheck; url: string }> = [];
  const described: string[] = [];
  for (const env of environments) {
    try {
      const url = belvoBaseUrl(env);
      usable.push({ env, url });
      described.push(`${env.id} (${url})`);
    } catch (error) {
      invalid = true;
      lines.push(`error: ${(error as Error).message}`);
    }
    const warning = productionUrlWarning(env);
    if (warning) lines.push(`warning: ${warning}`);
  }
  lines.unshift(`belvo: ${described.join(', ') || 'no usable environment'}`);
  if (!options.online) return { lines, invalid, failed };
  // One after the other: a handful of environments, and their lines stay in config order.
  for (const { env, url } of usable) {
    const result = await checkKeys(env, url, secrets, options);
    lines.push(result.line);
    if (!result.ok) failed = true;
  }
  return { lines, invalid, failed };
}
