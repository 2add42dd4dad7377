/**
 * The supervisor's control endpoint on loopback: `testbed status`, `testbed scale` and
 * `testbed down` in another shell talk to the process that owns the testbed's children.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toError } from '../../util/errors.js';
import type { TestbedStatus } from './testbed.js';
import type { TestbedScale } from './testbed-config.js';

export interface ControlHandlers {
  status(): TestbedStatus;
  scale(change: TestbedScale): Promise<void>;
  /** Called after the answer is sent. */
  down(): void;
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

export async function startControlServer(handlers: ControlHandlers): Promise<ControlServer> {
  const server = createServer((req, res) => {
    void handle(req, res, handlers);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, h: ControlHandlers): Promise<void> {
  const send = (code: number, body: unknown): void => {
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  try {
    if (req.method === 'GET' && req.url === '/status') {
      send(200, h.status());
      return;
    }
    if (req.method === 'POST' && req.url === '/scale') {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      await h.scale(JSON.parse(text) as TestbedScale);
      send(200, h.status());
      return;
    }
    if (req.method === 'POST' && req.url === '/down') {
      res.once('finish', () => {
        h.down();
      });
      send(202, { stopping: true });
      return;
    }
    send(404, { error: `no such control request: ${req.method ?? ''} ${req.url ?? ''}` });
  } catch (e: unknown) {
    send(400, { error: toError(e).message });
  }
}
