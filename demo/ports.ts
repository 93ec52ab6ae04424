// Checks, before anything starts, that each port the demo needs is free on 127.0.0.1, so a
// second demo (or anything else on 8001, 3100 …) gives one clear message naming the flag to
// change instead of a child crashing half-way through the start.
import net from 'node:net';

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export interface PortNeed {
  port: number;
  what: string;
  flag: string;
}

/** The needs whose port is taken. */
export async function busyPorts(needs: readonly PortNeed[]): Promise<PortNeed[]> {
  const busy: PortNeed[] = [];
  for (const n of needs) if (!(await portIsFree(n.port))) busy.push(n);
  return busy;
}
