// The body of a `…/watch` response (cli-dashboard-ops §3.4). With `Accept: text/event-stream`
// exactly (what EventSource sends) it is SSE: each message `data: {"result":…} ` + `\n\n` and
// the gateway's `\n` delimiter, plus a `:` comment line every 15 s so proxies and browsers keep
// the connection. Otherwise the same `{"result":…}` objects go out as newline-delimited JSON.
// Headers are written with the first message, so a failure before it can still be a 500.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorReply } from './api-errors.ts';
import { applyFields, type FieldsFilter } from './fields-filter.ts';

export const KEEP_ALIVE_MS = 15_000;

export function wantsEventStream(req: IncomingMessage): boolean {
  return req.headers.accept === 'text/event-stream';
}

/** One framed message (pure; the SSE and ndjson framings). */
export function frame(sse: boolean, message: unknown): string {
  const json = JSON.stringify(message);
  return sse ? `data: ${json} \n\n\n` : `${json}\n`;
}

export interface StreamOptions {
  fields?: FieldsFilter | undefined;
  keepAliveMs?: number;
  /** The API server URL, for connection-error messages. */
  server?: string | undefined;
}

export class ResponseStream {
  private readonly sse: boolean;
  private headersSent = false;
  private ended = false;
  private readonly keepAlive: NodeJS.Timeout | undefined;
  private readonly closeHandlers: (() => unknown)[] = [];
  private readonly cleanups: Promise<unknown>[] = [];
  private resolveFinished!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly o: StreamOptions = {},
  ) {
    this.sse = wantsEventStream(req);
    if (this.sse) {
      this.keepAlive = setInterval(() => {
        if (this.headersSent && !this.ended) res.write(':\n');
      }, o.keepAliveMs ?? KEEP_ALIVE_MS);
    }
    // The client went away (or the server is closing): stop the producer.
    res.on('close', () => this.finish());
  }

  get closed(): boolean {
    return this.ended;
  }

  /**
   * Runs `fn` once when the stream ends, whichever side ends it. A promise it returns (a
   * watch stopping) is what `stopped()` waits for.
   */
  onClose(fn: () => unknown): void {
    if (this.ended) this.track(fn());
    else this.closeHandlers.push(fn);
  }

  /** Resolves once the stream has ended and its close handlers' work is done. */
  async stopped(): Promise<void> {
    await this.finished;
    await Promise.allSettled(this.cleanups);
  }

  private track(v: unknown): void {
    if (v instanceof Promise) this.cleanups.push(v);
  }

  private head(status: number): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.res.writeHead(
      status,
      this.sse
        ? {
            'Content-Type': 'text/event-stream',
            'Transfer-Encoding': 'chunked',
            'X-Content-Type-Options': 'nosniff',
            'Cache-Control': 'no-cache',
          }
        : { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    );
  }

  /** Writes the 200 headers now (a stream that may stay quiet for a while, so clients see it open). */
  open(): void {
    if (this.ended) return;
    this.head(200);
  }

  send(payload: unknown): void {
    if (this.ended) return;
    this.head(200);
    const result = this.o.fields ? applyFields(payload, this.o.fields) : payload;
    this.res.write(frame(this.sse, { result }));
  }

  /** Sends the error as `{"error":{code,message}}` and ends (status 500 if nothing was sent yet). */
  fail(e: unknown): void {
    if (this.ended) return;
    const reply = errorReply(e, this.o.server);
    this.head(reply.httpStatus);
    this.res.end(frame(this.sse, { error: reply.body }));
    this.finish();
  }

  end(): void {
    if (!this.ended) this.res.end();
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    for (const fn of this.closeHandlers.splice(0)) this.track(fn());
    this.resolveFinished();
  }
}
