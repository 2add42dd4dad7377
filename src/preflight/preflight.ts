/**
 * Preflight (I/O): measures what preflight-check.ts compares, and stops the command with every
 * problem, one line each, before it starts anything.
 */
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { localMachine } from '../experiment/target/local-machine.js';
import { listenProblem } from '../net/free-port.js';
import { isOurProcess, ownedLeftovers } from '../process/owned-pids.js';
import { Testbed } from '../testbed/supervisor/testbed.js';
import { readTestbedState } from '../testbed/supervisor/testbed-state.js';
import { KosTestError } from '../util/errors.js';
import { preflightProblems, type PreflightFacts, type PreflightNeeds } from './preflight-check.js';

export interface PreflightProbe {
  /** Whether the named binary can be found (PATH or its override variable). */
  hasBinary: (name: string) => boolean;
}

async function freeDiskBytes(dir: string): Promise<number> {
  // The directory may not exist yet: its nearest existing parent is on the same disk.
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      const s = await statfs(d);
      return s.bavail * s.bsize;
    } catch {
      if (dirname(d) === d) return 0;
    }
  }
}

async function leftoverTestbed(dir: string): Promise<PreflightFacts['leftover']> {
  const state = await readTestbedState(dir).catch(() => undefined);
  if (state !== undefined && (await isOurProcess(state.pid, 'testbed')))
    return { supervisorPid: state.pid, orphanPids: [] };
  // A supervisor killed outright (testbed up, or the runner's) leaves etcd and Prometheus.
  const orphans = (await ownedLeftovers(Testbed.leftoversFile(dir))).map((o) => o.pid);
  if (state === undefined && orphans.length === 0) return undefined;
  return { orphanPids: orphans };
}

export async function gatherPreflightFacts(
  needs: PreflightNeeds,
  probe: PreflightProbe,
): Promise<PreflightFacts> {
  const machine = await localMachine();
  const unbindable: PreflightFacts['unbindable'][number][] = [];
  for (const l of needs.listen) {
    const code = await listenProblem(l.host, l.port);
    if (code !== undefined) unbindable.push({ ...l, code });
  }
  const leftover = needs.testbedDir === undefined ? undefined : await leftoverTestbed(needs.testbedDir);
  return {
    missingBinaries: needs.binaries.map((b) => b.name).filter((n) => !probe.hasBinary(n)),
    unbindable,
    availableMemoryBytes: machine.availableMemoryBytes,
    freeDiskBytes: await freeDiskBytes(needs.disk.dir),
    openFiles: machine.fdLimit,
    ...(leftover === undefined ? {} : { leftover }),
  };
}

/** Throws one KosTestError listing every problem (one line each); returns when there is none. */
export async function preflight(needs: PreflightNeeds, probe: PreflightProbe): Promise<void> {
  const problems = preflightProblems(needs, await gatherPreflightFacts(needs, probe));
  if (problems.length === 0) return;
  throw new KosTestError({
    what: `preflight: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing started\n${problems.map((p) => `  ${p}`).join('\n')}`,
  });
}
