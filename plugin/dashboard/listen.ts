// Binding the dashboard's port as the original does (cli-dashboard-ops §3.1): a busy port is
// tried again, 5 attempts in all about 0.5 s apart, so restarting the dashboard right after a
// previous one exits does not fail on a port still being released.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  attempts?: number;
  retryDelayMs?: number;
  /** Told about each failed attempt (the original logs a warning). */
  onRetry?: (e: Error, attempt: number) => void;
}

function listenOnce(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Listens on host:port; resolves with the bound port (useful with port 0). */
export async function listenWithRetries(
  server: Server,
  port: number,
  host: string,
  o: ListenOptions = {},
): Promise<number> {
  const attempts = o.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await listenOnce(server, port, host);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EADDRINUSE' || attempt >= attempts) throw e;
      o.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, o.retryDelayMs ?? 500));
    }
  }
}
