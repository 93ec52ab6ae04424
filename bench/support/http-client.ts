// The benchmarks' HTTP client: JSON over keep-alive connections to 127.0.0.1, with the body's
// size (shared by bench/controller, bench/analysis and bench/dashboard).
import { Agent, request } from 'node:http';

export interface Response {
  status: number;
  body: string;
  bytes: number;
}

export class Client {
  readonly agent: Agent;
  constructor(
    readonly port: number,
    maxSockets = 64,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  call(method: string, path: string, body?: unknown, contentType = 'application/json') {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            ...(data !== undefined
              ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, body: buf.toString('utf8'), bytes: buf.length });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async expect(method: string, path: string, status: number, body?: unknown, type?: string) {
    const res = await this.call(method, path, body, type);
    if (res.status !== status) {
      throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    }
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}
