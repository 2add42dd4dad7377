/**
 * Entry point of one testbed node process: `node node-main.js <node-dir>`. Reads
 * `<node-dir>/spec.json`, runs it, writes `<node-dir>/ready.json` once serving, and stops
 * cleanly on SIGTERM or SIGINT (exit 0), or when its parent dies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { toError } from '../../util/errors.js';
import { NODE_STATS_ENDPOINT, startNodeStatsServer } from '../exporter/node-stats-server.js';
import { installSocketAccounting } from '../exporter/socket-accounting.js';
import { exitWithParent } from '../../process/exit-with-parent.js';
import { installBurnHook } from './burn-hook.js';
import type { NodeReady } from '../node-ready.js';
import { nodeSpecSchema, type NodeSpec } from './node-spec.js';
import { runNode } from './run-node.js';

function readSpec(dir: string): NodeSpec {
  return nodeSpecSchema.parse(JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')));
}

async function main(dir: string): Promise<void> {
  // Before any socket exists: the node's network cost is counted from its first byte.
  const accounting = installSocketAccounting();
  const spec = readSpec(dir);
  const log = (m: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${spec.name}: ${m}\n`);
  };
  const node = await runNode(spec, log);
  const stats = await startNodeStatsServer({
    host: spec.component === 'comp' ? spec.metricsHost : spec.host,
    accounting,
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.all([node.stop(), stats.stop()]).then(
      () => process.exit(0),
      (e: unknown) => {
        log(`stop failed: ${toError(e).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  installBurnHook(dir, log);
  // The supervisor rewrites spec.json and sends SIGHUP to reconfigure (e.g. a new napi list).
  process.on('SIGHUP', () => {
    try {
      const next = readSpec(dir);
      log(node.reconfigure?.(next) === true ? 'reconfigured' : 'cannot reconfigure in place; restart needed');
    } catch (e: unknown) {
      log(`bad spec on SIGHUP: ${toError(e).message}`);
    }
  });
  // A node must not outlive the supervisor that started it, even when that one was SIGKILLed.
  exitWithParent(stop);
  const ready: NodeReady = {
    name: spec.name,
    purpose: spec.component,
    pid: process.pid,
    nodes: node.nodes ?? [spec.name],
    endpoints: { ...node.endpoints, [NODE_STATS_ENDPOINT]: stats.url },
  };
  await writeFileAtomic(join(dir, 'ready.json'), `${JSON.stringify(ready)}\n`);
  log(`ready: ${JSON.stringify(node.endpoints)}`);
}

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: node-main.js <node-dir>\n');
  process.exit(2);
}
main(dir).catch((e: unknown) => {
  process.stderr.write(`node failed to start: ${toError(e).message}\n`);
  process.exit(1);
});
