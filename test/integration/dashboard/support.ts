// Clients for the dashboard tests: JSON requests with fetch, and a raw http stream reader that
// parses the exact SSE / ndjson framing of §3.4 (and records anything that does not fit it).
import http from 'node:http';
import { eventually } from '../../support/target.ts';

export interface JsonReply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<JsonReply<T>> {
  const r = await fetch(url);
  return { status: r.status, headers: r.headers, body: (await r.json()) as T };
}

export async function putJson<T = Record<string, unknown>>(
  url: string,
  body: unknown = {},
): Promise<JsonReply<T>> {
  const r = await fetch(url, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, body: (await r.json()) as T };
}

/** A raw GET (fetch would normalise `..` away), answering status, headers and body. */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const u = new URL(url);
  const path = url.slice(url.indexOf('/', u.protocol.length + 2));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path, method: 'GET', headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Reads a `…/watch` response. With `sse`, it sends `Accept: text/event-stream` and expects each
 * message as `data: <json> ` + `\n\n\n` and keep-alives as `:\n`; otherwise one JSON per line.
 */
export class StreamReader {
  readonly messages: Record<string, unknown>[] = [];
  readonly framingErrors: string[] = [];
  keepAlives = 0;
  raw = '';
  private buffer = '';

  private constructor(
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    private readonly req: http.ClientRequest,
    private readonly sse: boolean,
  ) {}

  static open(url: string, o: { sse: boolean }): Promise<StreamReader> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        url,
        { headers: o.sse ? { Accept: 'text/event-stream' } : {} },
        (res) => {
          const reader = new StreamReader(res.statusCode ?? 0, res.headers, req, o.sse);
          res.setEncoding('utf8');
          res.on('data', (c: string) => reader.push(c));
          res.on('error', () => undefined);
          resolve(reader);
        },
      );
      req.on('error', (e) => reject(e));
    });
  }

  private push(chunk: string): void {
    this.raw += chunk;
    this.buffer += chunk;
    for (;;) {
      if (this.sse) {
        if (this.buffer.startsWith(':\n')) {
          this.keepAlives++;
          this.buffer = this.buffer.slice(2);
          continue;
        }
        const end = this.buffer.indexOf(' \n\n\n');
        if (end < 0) return;
        const frame = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 4);
        if (!frame.startsWith('data: ')) {
          this.framingErrors.push(frame);
          continue;
        }
        this.parse(frame.slice('data: '.length));
      } else {
        const end = this.buffer.indexOf('\n');
        if (end < 0) return;
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.parse(line);
      }
    }
  }

  private parse(text: string): void {
    try {
      this.messages.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      this.framingErrors.push(text);
    }
  }

  /** The `result` payloads received so far. */
  results<T = Record<string, unknown>>(): T[] {
    return this.messages.filter((m) => 'result' in m).map((m) => m.result as T);
  }

  /** Waits for a result matching `pred` (the first one received from `from` on). */
  waitFor<T = Record<string, unknown>>(
    pred: (r: T) => boolean,
    what: string,
    from = 0,
    timeoutMs = 20_000,
  ): Promise<T> {
    return eventually(() => this.results<T>().slice(from).find(pred), what, timeoutMs);
  }

  close(): void {
    this.req.destroy();
  }
}

// Kubernetes JSON passed through as is (ours: conditions, pauseConditions) keeps its own empties.
const VERBATIM = new Set([
  'steps',
  'specAndStatus',
  'labels',
  'annotations',
  'conditions',
  'pauseConditions',
]);

/** Paths holding a Go zero value (0, "", false, [], null) outside verbatim Kubernetes JSON. */
export function zeroValuePaths(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => zeroValuePaths(x, `${path}[${i}]`));
  if (typeof v !== 'object' || v === null) return [];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    if (x === 0 || x === '' || x === false || x === null || (Array.isArray(x) && x.length === 0)) {
      out.push(p);
    } else if (!VERBATIM.has(k)) {
      out.push(...zeroValuePaths(x, p));
    }
  }
  return out;
}
