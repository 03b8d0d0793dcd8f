// Scripted failures for the simulated page: the ways a real status page (or what sits in front of it) lets a poller
// down. A fault applies to one path or to all, once, N times or until cleared; the newest matching fault wins.

export type FaultKind = 'status' | 'hang' | 'html' | 'truncate' | 'huge' | 'slow' | 'reset';

export interface FaultScope {
  /** Exact pathname (`/api/v2/summary.json`), a bare name matched as a suffix (`summary.json`), or a RegExp. */
  path?: string | RegExp;
  /** Same as `times: 1`. */
  once?: boolean;
  /** Apply to this many requests, then disappear. Default: until cleared. */
  times?: number;
}

export type FaultSpec =
  | { kind: 'status'; code: number; body?: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'html'; body?: string }
  | { kind: 'truncate'; abort: boolean }
  | { kind: 'huge'; bytes: number; contentLength: boolean }
  | { kind: 'slow'; ms: number }
  | { kind: 'reset' };

export interface StatusFaultOptions extends FaultScope {
  body?: string;
  headers?: Record<string, string>;
  /** Shorthand for a `Retry-After` header (seconds or an HTTP date). */
  retryAfter?: number | string;
}

/** A handle on one installed fault. */
export interface Fault {
  readonly spec: FaultSpec;
  readonly scope: FaultScope;
  /** Requests it has answered so far. */
  readonly hits: number;
  /** True until cleared or its `times` are used up. */
  readonly active: boolean;
  remove(): void;
}

class InstalledFault implements Fault {
  hits = 0;
  active = true;

  constructor(
    readonly spec: FaultSpec,
    readonly scope: FaultScope,
    private readonly onRemove: (f: InstalledFault) => void,
  ) {}

  matches(pathname: string): boolean {
    const p = this.scope.path;
    if (p === undefined) return true;
    if (p instanceof RegExp) return p.test(pathname);
    return p.startsWith('/') ? pathname === p : pathname === `/${p}` || pathname.endsWith(`/${p}`);
  }

  get limit(): number {
    return this.scope.times ?? (this.scope.once ? 1 : Number.POSITIVE_INFINITY);
  }

  remove(): void {
    if (!this.active) return;
    this.active = false;
    this.onRemove(this);
  }
}

export class FaultControl {
  private installed: InstalledFault[] = [];

  /** Answer with `code` (500, 429 with Retry-After, 503 with an HTML page...). Accepts `(code, body, headers)` too. */
  status(
    code: number,
    bodyOrOptions?: string | StatusFaultOptions,
    headers?: Record<string, string>,
    scope: FaultScope = {},
  ): Fault {
    const options: StatusFaultOptions =
      typeof bodyOrOptions === 'object' ? bodyOrOptions : { ...scope, body: bodyOrOptions, headers };
    const allHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.headers ?? {})) allHeaders[k.toLowerCase()] = v;
    if (options.retryAfter !== undefined) allHeaders['retry-after'] = String(options.retryAfter);
    const spec: FaultSpec = { kind: 'status', code, headers: allHeaders };
    if (options.body !== undefined) spec.body = options.body;
    return this.add(spec, options);
  }

  /** Accept the request and never answer; the server's `close()` still finishes. */
  hang(scope: FaultScope = {}): Fault {
    return this.add({ kind: 'hang' }, scope);
  }

  /** 200 with `text/html`: a login wall or error page where JSON or XML was expected. */
  html(options: FaultScope & { body?: string } = {}): Fault {
    const spec: FaultSpec = { kind: 'html' };
    if (options.body !== undefined) spec.body = options.body;
    return this.add(spec, options);
  }

  /**
   * The real document cut in half. By default the Content-Length matches the half sent (a malformed body); with
   * `abort` it announces the full length and drops the connection half way (a premature close).
   */
  truncate(options: FaultScope & { abort?: boolean } = {}): Fault {
    return this.add({ kind: 'truncate', abort: options.abort ?? false }, options);
  }

  /** Stream a JSON body of exactly `bytes` bytes, chunk by chunk; chunked unless `contentLength` is set. */
  huge(bytes: number, options: FaultScope & { contentLength?: boolean } = {}): Fault {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`huge(bytes) needs a byte count, got ${bytes}`);
    return this.add({ kind: 'huge', bytes, contentLength: options.contentLength ?? false }, options);
  }

  /** Answer normally after `ms`. */
  slow(ms: number, scope: FaultScope = {}): Fault {
    return this.add({ kind: 'slow', ms }, scope);
  }

  /** Destroy the connection without answering (a network error for the client). */
  reset(scope: FaultScope = {}): Fault {
    return this.add({ kind: 'reset' }, scope);
  }

  /** Remove every fault, or the ones installed for exactly this `path`. */
  clear(path?: string | RegExp): void {
    for (const f of [...this.installed]) {
      if (path === undefined || String(f.scope.path) === String(path)) f.remove();
    }
  }

  get active(): readonly Fault[] {
    return [...this.installed];
  }

  /** The fault that answers this request, if any; counts the use. */
  take(pathname: string): FaultSpec | undefined {
    for (let i = this.installed.length - 1; i >= 0; i--) {
      const f = this.installed[i]!;
      if (!f.matches(pathname)) continue;
      f.hits++;
      if (f.hits >= f.limit) f.remove();
      return f.spec;
    }
    return undefined;
  }

  private add(spec: FaultSpec, scope: FaultScope): Fault {
    const cleanScope: FaultScope = {};
    if (scope.path !== undefined) cleanScope.path = scope.path;
    if (scope.once !== undefined) cleanScope.once = scope.once;
    if (scope.times !== undefined) cleanScope.times = scope.times;
    const fault = new InstalledFault(spec, cleanScope, (f) => {
      this.installed = this.installed.filter((x) => x !== f);
    });
    this.installed.push(fault);
    return fault;
  }
}
