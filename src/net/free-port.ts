/**
 * Free TCP ports on a given local address. A port found free can be taken by someone else
 * before it is used, so callers that start servers on it should be ready to retry.
 */
import { createServer } from 'node:net';
import { KosTestError, toError } from '../util/errors.js';

/** Binds port 0 on `host`, reads the port the kernel picked, and releases it. */
export async function findFreePort(host: string): Promise<number> {
  const result = await tryListen(host, 0);
  if (typeof result === 'number') return result;
  throw unusableHost(host, result);
}

/** Whether a TCP server could listen on host:port right now. */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  const result = await tryListen(host, port);
  if (typeof result === 'number') return true;
  const code = (result as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') return false;
  throw unusableHost(host, result);
}

/** Undefined when a server could listen on host:port right now (0: any port), else the error's code. */
export async function listenProblem(host: string, port: number): Promise<string | undefined> {
  const result = await tryListen(host, port);
  if (typeof result === 'number') return undefined;
  return (result as NodeJS.ErrnoException).code ?? result.message;
}

/** The bound port, or the error listen failed with. */
function tryListen(host: string, port: number): Promise<number | Error> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e) => {
      resolve(e);
    });
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => {
        resolve(bound);
      });
    });
  });
}

function unusableHost(host: string, e: Error): KosTestError {
  return new KosTestError({
    what: 'cannot listen on this address',
    value: `${host} (${toError(e).message})`,
    fix: 'use a local address, e.g. one in 127.0.0.0/8 on Linux',
    cause: e,
  });
}
