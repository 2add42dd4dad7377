/**
 * The supervisor's control endpoint on loopback: `testbed status`, `testbed scale`,
 * `testbed down` and `drive --fault` in another shell talk to the process that owns the
 * testbed's children.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KosTestError, toError } from '../../util/errors.js';
import { parseChecked } from '../../util/zod-error.js';
import { faultRequestSchema, type FaultInjected, type FaultRequest } from './fault-actions.js';
import type { TestbedStatus } from './testbed.js';
import { testbedScaleSchema, type TestbedScale } from './testbed-config.js';

export interface ControlHandlers {
  status(): TestbedStatus;
  scale(change: TestbedScale): Promise<void>;
  /** Called after the answer is sent. */
  down(): void;
  /** Injects a fault into one of its processes (fault-actions.ts); absent: 404. */
  fault?(req: FaultRequest): Omit<FaultInjected, 'ended'>;
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
      await h.scale(parseScale(text));
      send(200, h.status());
      return;
    }
    if (req.method === 'POST' && req.url === '/fault' && h.fault !== undefined) {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      send(200, h.fault(parseFault(text)));
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
    // A request it cannot apply is the caller's to fix (422), anything else is ours (500).
    send(e instanceof KosTestError ? 422 : 500, { error: toError(e).message });
  }
}

/** A fault request's body (fault-actions.ts), refused in one line when malformed. */
function parseFault(text: string): FaultRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return parseChecked(
    faultRequestSchema,
    json,
    (f) =>
      new KosTestError({ what: 'bad fault request', value: `${f.dotted}: ${f.message}`.replace(/^: /, '') }),
  );
}

/** A scale request's body; what a running testbed cannot apply (etcd members, say) is refused. */
function parseScale(text: string): TestbedScale {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new KosTestError({ what: 'scale: the body is not JSON', value: toError(e).message });
  }
  return parseChecked(
    testbedScaleSchema,
    json,
    (f) =>
      new KosTestError({
        what: `scale: cannot apply ${f.dotted || 'the body'}`,
        value: f.message,
        fix: 'a running testbed changes only nca, nna, nka and fabricDelay; netcd and ketcd are fixed at testbed up',
      }),
  );
}
