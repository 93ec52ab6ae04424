// The floor to compare the emulator with: a bare node:http server that reads each request
// body and echoes it back (201 for POST, 200 otherwise), with the same keep-alive settings
// and the same process layout as server-process.ts. No routing, storage or validation.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const send = (m: object) => process.send!(m);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(req.method === 'POST' ? 201 : 200, {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'stats') {
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      cpuMs: (cpu.user + cpu.system) / 1000,
      heapUsed: process.memoryUsage().heapUsed,
    });
  } else if (m.type === 'stop') {
    server.closeAllConnections();
    server.close(() => {
      send({ type: 'stopped' });
      process.disconnect();
    });
  }
});
process.on('disconnect', () => process.exit(0));
