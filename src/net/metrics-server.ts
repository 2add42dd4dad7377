/**
 * The metrics endpoint every testbed component serves on its own loopback address: `/metrics`
 * (a prom-client registry as Prometheus text), `/livez`, and `/healthz` = `/readyz` (503 until
 * `healthy()`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { KosTestError } from '../util/errors.js';

export interface MetricsServer {
  /** e.g. http://127.3.0.1:40123 */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: {
  name: string;
  host: string;
  /** @default 0 (any free port) */
  port?: number;
  /** A prom-client registry, or anything that renders the same text. */
  registry: Pick<Registry, 'metrics' | 'contentType'>;
  healthy: () => boolean;
}): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text);
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
        },
      );
      return;
    }
    if (path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const ok = opts.healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new KosTestError({
          what: `${opts.name} cannot serve metrics`,
          value: `${opts.host}:${opts.port ?? 0} (${e.code ?? e.message})`,
          fix: 'choose a free port, or stop what is using it',
        }),
      );
    });
    server.listen(opts.port ?? 0, opts.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
