/** A real node:http server on loopback that records every request and answers as the test says. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

export async function server(
  answer: (s: Seen, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; sockets: Set<Socket>; srv: Server }> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const srv = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts).toString(),
        socket: req.socket,
      };
      seen.push(s);
      answer(s, res);
    });
  });
  srv.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen, sockets, srv };
}

export function close(srv: Server): Promise<void> {
  srv.closeAllConnections();
  return new Promise((r) =>
    srv.close(() => {
      r();
    }),
  );
}
