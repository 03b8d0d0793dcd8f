// Which host each Belvo environment talks to. Belvo's integration checklist asks that production call
// https://api.belvo.com with production keys; a production environment pointed elsewhere (a sandbox URL left over,
// a proxy) deserves a warning before it quietly watches the wrong account.

/** Belvo's two hosts (developers.belvo.com, "Hosts and auth"). */
export const BELVO_PRODUCTION_URL = 'https://api.belvo.com';
export const BELVO_SANDBOX_URL = 'https://sandbox.belvo.com';

export interface BelvoEnvironmentAddress {
  id: string;
  url?: string | undefined;
}

/** The configured `url` when there is one; otherwise the known host for `production` and `sandbox`. */
export function belvoBaseUrl(env: BelvoEnvironmentAddress): string {
  const url = env.url ?? knownUrl(env.id);
  if (url === undefined) {
    throw new Error(
      `Belvo environment "${env.id}" needs a url: only "production" (${BELVO_PRODUCTION_URL}) and "sandbox" (${BELVO_SANDBOX_URL}) know theirs`,
    );
  }
  return url.replace(/\/+$/, '');
}

function knownUrl(id: string): string | undefined {
  if (id === 'production') return BELVO_PRODUCTION_URL;
  if (id === 'sandbox') return BELVO_SANDBOX_URL;
  return undefined;
}

/** A warning line when the environment called `production` does not call Belvo's production host. */
export function productionUrlWarning(env: BelvoEnvironmentAddress): string | undefined {
  if (env.id !== 'production' || env.url === undefined) return undefined;
  const url = env.url.replace(/\/+$/, '');
  if (isProductionHost(url)) return undefined;
  return `Belvo environment "production" calls ${url}, not ${BELVO_PRODUCTION_URL}: Belvo's checklist asks production to use ${BELVO_PRODUCTION_URL} with production keys`;
}

function isProductionHost(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.origin === BELVO_PRODUCTION_URL && (parsed.pathname === '/' || parsed.pathname === '');
  } catch {
    return false;
  }
}
