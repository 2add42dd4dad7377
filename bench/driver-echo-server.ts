/**
 * The trivial target of the driver benchmarks: `node driver-echo-server.js <ready-file>`. A plain
 * node:http server on loopback that answers just enough of the KOS API for `runDrive` (nodes,
 * namespace, subnets already validated, clock probes, attachment list and watch) and fulfils
 * every attachment the moment it is created: one watch event with status.ipv4, status.ifcName
 * and the status.impl write stamp. It stores nothing, so what the benchmark sees of CPU and
 * rate is the client's, not a server's. Runs in its own process; exits with its parent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatMicroTime, nowMicros } from '../src/api/micro-time.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';

export interface EchoReady {
  pid: number;
  port: number;
}

const NODES = 8;
const JSON_TYPE = { 'content-type': 'application/json' };
let rv = 1;

/** Open attachment watches; events are written once per turn of the loop, like a real server. */
const watches = new Set<{ res: ServerResponse; pending: string[] }>();
let flushing = false;

function flush(): void {
  flushing = false;
  for (const w of watches) {
    if (w.pending.length === 0) continue;
    w.res.write(w.pending.join(''));
    w.pending = [];
  }
}

function publish(line: string): void {
  for (const w of watches) w.pending.push(line);
  if (!flushing) {
    flushing = true;
    setImmediate(flush);
  }
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, JSON_TYPE);
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function list(kind: string, items: unknown[]): unknown {
  return { kind, apiVersion: 'v1', metadata: { resourceVersion: String(rv) }, items };
}

const subnets = new Map<string, unknown[]>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      done(Buffer.concat(parts).toString());
    });
  });
}

type Obj = {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
};

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const parts = url.pathname.split('/').filter((p) => p !== '');
  const method = req.method ?? 'GET';
  // .../namespaces/<ns>/<resource>[/<name>]
  const at = parts.indexOf('namespaces');
  const namespace = at < 0 ? '' : (parts[at + 1] ?? '');
  const resource = at < 0 ? '' : (parts[at + 2] ?? '');
  if (method === 'GET' && url.pathname === '/version') {
    send(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-echo' });
    return;
  }
  if (method === 'GET' && url.pathname === '/api/v1/nodes') {
    const items = Array.from({ length: NODES }, (_, i) => ({ metadata: { name: `echo-node-${i}` } }));
    send(res, 200, list('NodeList', items));
    return;
  }
  if (method === 'GET' && url.pathname === '/api/v1/namespaces') {
    send(res, 200, list('NamespaceList', []));
    return;
  }
  if (method === 'POST' && url.pathname === '/api/v1/namespaces') {
    send(res, 201, await readBody(req));
    return;
  }
  if (resource === 'subnets') {
    if (method === 'POST') {
      const s = JSON.parse(await readBody(req)) as Obj;
      const validated = { ...s, status: { validated: true } };
      subnets.set(namespace, [...(subnets.get(namespace) ?? []), validated]);
      send(res, 201, validated);
      return;
    }
    send(res, 200, list('SubnetList', subnets.get(namespace) ?? []));
    return;
  }
  if (resource === 'iplocks') {
    if (method === 'DELETE') {
      send(res, 200, '{}');
      return;
    }
    const o = JSON.parse(await readBody(req)) as Obj;
    send(res, 201, {
      ...o,
      extendedMetadata: { writes: [{ section: 'spec', serverTime: formatMicroTime(nowMicros()) }] },
    });
    return;
  }
  if (resource === 'networkattachments') {
    if (method === 'GET' && url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { ...JSON_TYPE, 'transfer-encoding': 'chunked' });
      const w = { res, pending: [] as string[] };
      watches.add(w);
      res.on('close', () => watches.delete(w));
      return;
    }
    if (method === 'GET') {
      send(res, 200, list('NetworkAttachmentList', []));
      return;
    }
    if (method === 'DELETE') {
      await readBody(req);
      send(res, 200, '{"kind":"Status","status":"Success"}');
      return;
    }
    const a = JSON.parse(await readBody(req)) as Obj;
    const stamp = formatMicroTime(nowMicros());
    const created = { ...a, metadata: { ...a.metadata, resourceVersion: String(++rv) } };
    send(res, 201, created);
    const fulfilled = {
      ...created,
      metadata: { ...created.metadata, resourceVersion: String(++rv) },
      status: { ipv4: '10.0.0.1', macAddress: '02:00:00:00:00:01', hostIP: '127.0.0.1', ifcName: 'echo0' },
      extendedMetadata: { writes: [{ section: 'status.impl', serverTime: stamp }] },
    };
    if (watches.size > 0) publish(`{"type":"MODIFIED","object":${JSON.stringify(fulfilled)}}\n`);
    return;
  }
  send(res, 404, { kind: 'Status', code: 404, reason: 'NotFound', message: `${method} ${url.pathname}` });
}

const server = createServer((req, res) => {
  handle(req, res).catch((e: unknown) => {
    send(res, 500, { kind: 'Status', code: 500, message: String(e) });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const ready: EchoReady = { pid: process.pid, port: (server.address() as AddressInfo).port };
  void writeFileAtomic(process.argv[2] ?? 'echo-ready.json', JSON.stringify(ready));
});
// Exit with the parent (a SIGKILLed benchmark cannot stop us itself).
setInterval(() => {
  if (process.ppid === 1) process.exit(0);
}, 1000).unref();
