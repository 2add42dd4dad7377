/**
 * A watch-holding worker of watch-fanout: `node watch-worker.js <dir>`. Reads `<dir>/spec.json`,
 * opens every watch in it against the napi, records each event's delivery latency (receive time
 * minus the server's write stamp, both wall-clock microseconds on this machine), and answers its
 * parent on a control port named in `<dir>/ready.json`. Exits when its parent does.
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { nowMicros } from '../src/api/micro-time.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { toError } from '../src/util/errors.js';
import { encodeHistogram, latencyHistogram } from './bench-kit.js';
import { watchPath } from './napi-api.js';
import { rssBytes } from './proc-stats.js';
import { LineSplitter, parseWatchLine } from './watch-stream.js';
import {
  workerSpecSchema,
  type WorkerReady,
  type WorkerReport,
  type WorkerStats,
} from './watch-worker-protocol.js';

type Kind = 'node' | 'vni';

const PARENT_CHECK_MS = 1000;
const OPEN_TIMEOUT_MS = 30_000;

class Recorder {
  stats = Recorder.emptyStats(0);
  latency = { node: latencyHistogram(), vni: latencyHistogram() };

  static emptyStats(ended: number): WorkerStats {
    const zero = (): WorkerStats['delivered']['node'] => ({ ADDED: 0, MODIFIED: 0, DELETED: 0 });
    return {
      delivered: { node: zero(), vni: zero() },
      bookmarks: 0,
      errors: 0,
      ended,
      unstamped: 0,
      negative: 0,
    };
  }

  reset(): void {
    this.stats = Recorder.emptyStats(this.stats.ended);
    this.latency = { node: latencyHistogram(), vni: latencyHistogram() };
  }

  onLine(kind: Kind, line: string, receivedMicros: number): void {
    const s = this.stats;
    let event;
    try {
      event = parseWatchLine(line);
    } catch (e: unknown) {
      s.errors++;
      s.firstError ??= `unparseable event: ${toError(e).message}`;
      return;
    }
    if (event.type === 'BOOKMARK') {
      s.bookmarks++;
      return;
    }
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') {
      s.errors++;
      s.firstError ??= `${event.type} event: ${event.message ?? line.slice(0, 200)}`;
      return;
    }
    s.delivered[kind][event.type]++;
    if (event.stampMicros === undefined) {
      s.unstamped++;
      return;
    }
    let micros = receivedMicros - event.stampMicros;
    if (micros < 0) {
      s.negative++;
      micros = 0;
    }
    this.latency[kind].recordValue(micros);
  }

  report(): WorkerReport {
    const cpu = process.cpuUsage();
    return {
      ...this.stats,
      latency: { node: encodeHistogram(this.latency.node), vni: encodeHistogram(this.latency.vni) },
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssBytes: rssBytes(process.pid),
    };
  }
}

function openWatch(api: URL, path: string, kind: Kind, recorder: Recorder): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: api.hostname,
      port: api.port,
      path,
      method: 'GET',
      agent: false,
      headers: { accept: 'application/json' },
      timeout: OPEN_TIMEOUT_MS,
    });
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${OPEN_TIMEOUT_MS} ms`));
    });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          reject(new Error(`watch ${path} answered ${res.statusCode ?? '?'}: ${body.slice(0, 200)}`));
        });
        return;
      }
      req.setTimeout(0);
      res.socket.setNoDelay(true);
      const lines = new LineSplitter();
      res.on('data', (chunk: string) => {
        const received = nowMicros();
        lines.push(chunk, (line) => {
          recorder.onLine(kind, line, received);
        });
      });
      res.on('close', () => {
        recorder.stats.ended++;
      });
      resolve();
    });
    req.end();
  });
}

async function openAll(
  spec: ReturnType<typeof workerSpecSchema.parse>,
  recorder: Recorder,
): Promise<{ opened: number; failed: number; firstError?: string }> {
  const api = new URL(spec.api);
  let next = 0;
  let opened = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < spec.watches.length) {
      const w = spec.watches[next++];
      if (w === undefined) break;
      try {
        await openWatch(
          api,
          watchPath(spec.namespace, w.fieldSelector, spec.resourceVersion),
          w.kind,
          recorder,
        );
        opened++;
      } catch (e: unknown) {
        failed++;
        firstError ??= toError(e).message;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.openConcurrency }, lane));
  return firstError === undefined ? { opened, failed } : { opened, failed, firstError };
}

function control(recorder: Recorder) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const send = (code: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    req.resume();
    if (req.method === 'POST' && req.url === '/reset') {
      recorder.reset();
      send(200, {});
    } else if (req.method === 'GET' && req.url === '/stats') send(200, recorder.stats);
    else if (req.method === 'GET' && req.url === '/report') send(200, recorder.report());
    else send(404, { error: 'no such endpoint' });
  };
}

async function main(dir: string): Promise<void> {
  const spec = workerSpecSchema.parse(JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')));
  const recorder = new Recorder();
  const server = createServer({ keepAlive: true }, control(recorder));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, PARENT_CHECK_MS).unref();
  const result = await openAll(spec, recorder);
  const ready: WorkerReady = {
    pid: process.pid,
    port: (server.address() as AddressInfo).port,
    ...result,
  };
  await writeFileAtomic(join(dir, 'ready.json'), `${JSON.stringify(ready)}\n`);
  process.stderr.write(`${new Date().toISOString()} watch worker: ${JSON.stringify(ready)}\n`);
}

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: watch-worker.js <dir>\n');
  process.exit(2);
}
process.on('SIGTERM', () => process.exit(0));
main(dir).catch((e: unknown) => {
  process.stderr.write(`watch worker failed: ${toError(e).stack ?? toError(e).message}\n`);
  process.exit(1);
});
