/**
 * driver-local: the driver against a trivial node:http server on loopback (driver-echo-server.ts,
 * its own process), which fulfils every attachment at once, so the numbers are the driver's own.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnManaged } from '../src/process/child-registry.js';
import { renderKubeconfig } from '../src/testbed/kubeconfig.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { KosTestError } from '../src/util/errors.js';
import { waitFor } from './bench-kit.js';
import type { BenchContext } from './benchmark.js';
import type { EchoReady } from './driver-echo-server.js';
import { benchDriverOn } from './driver-target-bench.js';
import { attachmentJson, attachmentsPath } from './napi-api.js';
import type { BenchReport } from './report.js';

const SERVER_MAIN = fileURLToPath(new URL('./driver-echo-server.js', import.meta.url));

export async function runDriverLocal(ctx: BenchContext): Promise<BenchReport> {
  await mkdir(ctx.workDir, { recursive: true });
  const readyFile = join(ctx.workDir, 'echo-ready.json');
  await rm(readyFile, { force: true });
  const server = spawnManaged({
    name: 'echo-server',
    command: process.execPath,
    args: [SERVER_MAIN, readyFile],
    logFile: join(ctx.workDir, 'echo-server.log'),
  });
  try {
    let ready: EchoReady | undefined;
    const up = await waitFor(async () => {
      ready = await readFile(readyFile, 'utf8').then(
        (t) => JSON.parse(t) as EchoReady,
        () => undefined,
      );
      return ready !== undefined;
    }, 10_000);
    if (!up || ready === undefined)
      throw new KosTestError({
        what: 'the echo server did not start',
        fix: `see ${ctx.workDir}/echo-server.log`,
      });
    const url = `http://127.0.0.1:${ready.port}`;
    const kubeconfigPath = join(ctx.workDir, 'echo-kubeconfig');
    await writeFileAtomic(kubeconfigPath, renderKubeconfig([{ name: 'echo', server: url }]));
    return await benchDriverOn(
      {
        name: 'local',
        kubeconfigPath,
        pids: { server: server.pid },
        autocannon: {
          url: `${url}${attachmentsPath('bench-ac')}`,
          method: 'POST',
          body: attachmentJson('ac-1', 'echo-node-0'),
        },
        searchFrom: 2000,
        maxRate: 64_000,
        cpuRate: 5000,
        setupLeadMs: 5000,
      },
      ctx,
    );
  } finally {
    await server.stop();
  }
}
