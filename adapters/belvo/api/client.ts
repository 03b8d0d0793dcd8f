// The Belvo API for one environment (sandbox, production): the BelvoApi port over HTTP Basic auth, with Belvo's
// pagination followed to the end, calls paced under its rate limit and retried as Belvo advises.
// Built against the wire facts gathered from developers.belvo.com (Belvo's developer docs).
import type { Dispatcher } from 'undici';
import {
  type BelvoApi,
  BelvoApiError,
  type BelvoInstitution,
  type BelvoLink,
  type LinkFilter,
} from '../../../src/ports/belvo.js';
import type { Logger } from '../../../src/ports/logger.js';
import { DEFAULT_PACE, type PaceOptions, TokenBucket } from './pace.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import { createTransport, describePath } from './transport.js';
import { pageSchema, toInstitution, toLink, type WirePage } from './wire.js';

/** Belvo clamps larger page sizes to this; asking for more would only mislead our own page arithmetic. */
export const BELVO_MAX_PAGE_SIZE = 1000;
/** A page of 1,000 links is well under 2 MB; this only stops a runaway answer. */
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface CreateBelvoApiOptions {
  /** The environment's id (`production`, `sandbox`): named in every log line and error. */
  environment: string;
  /** `https://api.belvo.com`, `https://sandbox.belvo.com`, or a test server; see belvoBaseUrl(). */
  baseUrl: string;
  secretKeyId: string;
  secretKeyPassword: string;
  /** Per try: connect, headers and body together. */
  timeoutMs: number;
  logger: Logger;
  /** Request budget of this client; default 40 per 30 s (half of Belvo's 80). */
  pace?: Partial<PaceOptions>;
  /** Backoff and retry limits; defaults follow Belvo's advice (3 s base, 5 tries). */
  retry?: Partial<RetryOptions>;
  /** `page_size` for listings; default and maximum 1000. */
  pageSize?: number;
  maxBodyBytes?: number;
  dispatcher?: Dispatcher;
  /** Clock of the pacing bucket. */
  now?: () => number;
}

type Query = Record<string, string | number | undefined>;

interface MappedPage<T> {
  items: T[];
  /** Where Belvo's `next` leads (checked to be followable), if anywhere. */
  next: URL | undefined;
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`Belvo base URL is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('Belvo base URL must be http(s)');
  // Keys in a URL end up in logs and error messages; they belong in the header only.
  if (url.username || url.password) throw new Error('Belvo base URL must not contain credentials');
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

export function clampPageSize(size: number | undefined): number {
  if (size === undefined || !Number.isFinite(size)) return BELVO_MAX_PAGE_SIZE;
  return Math.min(BELVO_MAX_PAGE_SIZE, Math.max(1, Math.floor(size)));
}

export function createBelvoApi(options: CreateBelvoApiOptions): BelvoApi {
  const { environment, logger } = options;
  const base = parseBaseUrl(options.baseUrl);
  const pageSize = clampPageSize(options.pageSize);
  const credentials = Buffer.from(`${options.secretKeyId}:${options.secretKeyPassword}`, 'utf8').toString('base64');
  const transport = createTransport({
    environment,
    authorization: `Basic ${credentials}`,
    timeoutMs: options.timeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    logger,
    bucket: new TokenBucket({ ...DEFAULT_PACE, ...options.pace }, options.now),
    retry: { ...DEFAULT_RETRY, ...options.retry },
    ...(options.dispatcher && { dispatcher: options.dispatcher }),
  });

  function endpoint(path: string, query: Query = {}): URL {
    const url = new URL(path, base);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    return url;
  }

  function unexpected(url: URL, message: string, status?: number): BelvoApiError {
    return new BelvoApiError({
      kind: 'unexpected',
      ...(status !== undefined && { status }),
      message: `Belvo ${environment}: GET ${describePath(url)} -> ${message}`,
    });
  }

  async function getPage(url: URL, signal?: AbortSignal): Promise<WirePage> {
    const { status, body } = await transport.get(url, signal);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw unexpected(url, `HTTP ${status} with a body that is not JSON`, status);
    }
    const page = pageSchema.safeParse(json);
    if (!page.success) throw unexpected(url, `HTTP ${status} without Belvo's {count, next, results} page`, status);
    return page.data;
  }

  /**
   * Where `next` points, if it may be followed: the same origin as the configured base URL. Anything else would
   * send the keys (the Authorization header goes with every request) to a host they were never meant for.
   */
  function followable(next: string, current: URL): URL {
    let url: URL;
    try {
      url = new URL(next, current);
    } catch {
      throw unexpected(current, `a "next" link that is not a URL`);
    }
    if (url.origin !== base.origin || url.username || url.password) {
      throw unexpected(current, `refused to follow "next" to ${url.origin}: the keys are only sent to ${base.origin}`);
    }
    return url;
  }

  /**
   * One page of a listing, its items mapped (those too broken to use skipped, and said so), and where `next` leads.
   * Belvo's page as parsed is dropped on return: a page of 1,000 links is most of a megabyte, and held while the
   * caller works on its items it would outlive the young generation and wait for a full collection.
   */
  async function mappedPage<T>(
    url: URL,
    map: (item: unknown) => T | undefined,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<MappedPage<T>> {
    const page = await getPage(url, signal);
    const items: T[] = [];
    for (const item of page.results) {
      const mapped = map(item);
      if (mapped !== undefined) items.push(mapped);
    }
    const skipped = page.results.length - items.length;
    if (skipped > 0)
      logger.warn({ environment, what, skipped }, `Belvo API: skipped ${what} without the fields the bot needs`);
    return { items, next: page.next ? followable(page.next, url) : undefined };
  }

  /** The mapped items of every page of a listing, following `next` exactly as Belvo gives it until it is null. */
  async function* pages<T>(
    path: string,
    query: Query,
    map: (item: unknown) => T | undefined,
    what: string,
    signal?: AbortSignal,
  ): AsyncGenerator<T[]> {
    let url: URL | undefined = endpoint(path, { ...query, page_size: pageSize });
    const seen = new Set<string>();
    while (url) {
      seen.add(url.href);
      const { items, next }: MappedPage<T> = await mappedPage(url, map, what, signal);
      if (next && seen.has(next.href)) throw unexpected(url, `"next" points back to a page already read`);
      yield items;
      url = next;
    }
  }

  return {
    async ping(signal) {
      await transport.get(endpoint('api/'), signal);
    },

    async listInstitutions(filter = {}, signal) {
      const all: BelvoInstitution[] = [];
      const query = { status: filter.status };
      for await (const items of pages('api/institutions/', query, toInstitution, 'institutions', signal)) {
        all.push(...items);
      }
      return all;
    },

    async countLinks(filter: LinkFilter = {}, signal) {
      const url = endpoint('api/links/', { status: filter.status, institution: filter.institution, page_size: 1 });
      return (await getPage(url, signal)).count;
    },

    async *listLinks(filter: LinkFilter = {}, signal): AsyncGenerator<BelvoLink> {
      const query = { status: filter.status, institution: filter.institution };
      for await (const links of pages('api/links/', query, toLink, 'links', signal)) yield* links;
    },
  };
}
