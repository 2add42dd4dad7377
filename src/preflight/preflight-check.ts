/**
 * Preflight (pure): what a command needs of this machine, against what was measured, as one short
 * line per problem. Every problem is found before anything starts, so a user fixes them all at
 * once instead of watching each run of a sweep fail the same way.
 */

export interface PreflightNeeds {
  /** Programs the command starts, each with how to get it. */
  binaries: readonly { name: string; fix: string }[];
  /** Addresses (port 0: any port) and ports the command listens on. */
  listen: readonly { host: string; port: number; what: string }[];
  minMemoryBytes: number;
  /** A directory the command writes, and the free space it needs there. */
  disk: { dir: string; minBytes: number };
  minOpenFiles: number;
  /** A testbed directory that must not hold a running or half-stopped testbed. */
  testbedDir?: string;
  /**
   * The command resumes in testbedDir after a crash: the etcd and Prometheus a killed testbed
   * left there are stopped when the new one starts (Testbed.leftoversFile), so they are no problem.
   */
  resumesAfterCrash?: boolean;
}

export interface PreflightFacts {
  /** Names of needed binaries that were not found. */
  missingBinaries: readonly string[];
  /** Listen addresses that could not be bound, with the errno code (EADDRINUSE, EADDRNOTAVAIL...). */
  unbindable: readonly { host: string; port: number; what: string; code: string }[];
  availableMemoryBytes: number;
  /** Free bytes for an unprivileged user in the disk's directory (or its nearest existing parent). */
  freeDiskBytes: number;
  openFiles: number;
  /** A testbed found in testbedDir: its supervisor, or the etcd and Prometheus it left running. */
  leftover?: { supervisorPid?: number; orphanPids: readonly number[] };
}

export function preflightProblems(needs: PreflightNeeds, facts: PreflightFacts): string[] {
  const out: string[] = [];
  for (const name of facts.missingBinaries) {
    const fix = needs.binaries.find((b) => b.name === name)?.fix ?? 'install it';
    out.push(`${name} is missing: ${fix}`);
  }
  for (const u of facts.unbindable) {
    const where = u.port === 0 ? `address ${u.host}` : `${u.host}:${u.port}`;
    const why = u.code === 'EADDRINUSE' ? 'is in use' : `cannot be bound (${u.code})`;
    const fix =
      u.code === 'EADDRINUSE'
        ? 'stop what holds it or choose another port'
        : u.code === 'EACCES'
          ? 'choose a port above 1023'
          : u.host.startsWith('127.')
            ? 'the testbed needs all of 127.0.0.0/8 on lo, as Linux has'
            : 'use an address of this machine';
    out.push(`${where} (${u.what}) ${why}: ${fix}`);
  }
  if (facts.availableMemoryBytes < needs.minMemoryBytes)
    out.push(
      `${mib(facts.availableMemoryBytes)} MiB of memory available, at least ${mib(needs.minMemoryBytes)} MiB needed: free some memory`,
    );
  if (facts.freeDiskBytes < needs.disk.minBytes)
    out.push(
      `${mib(facts.freeDiskBytes)} MiB free on the disk of ${needs.disk.dir}, at least ${mib(needs.disk.minBytes)} MiB needed: free some space or write elsewhere`,
    );
  if (facts.openFiles < needs.minOpenFiles)
    out.push(
      `ulimit -n is ${facts.openFiles}, at least ${needs.minOpenFiles} needed: raise it (ulimit -n ${needs.minOpenFiles * 4})`,
    );
  const left = facts.leftover;
  if (left !== undefined && needs.testbedDir !== undefined) {
    if (left.supervisorPid !== undefined)
      out.push(
        `a testbed is up in ${needs.testbedDir} (supervisor pid ${left.supervisorPid}): kos-test testbed down --dir ${needs.testbedDir}`,
      );
    else if (left.orphanPids.length > 0 && needs.resumesAfterCrash !== true)
      out.push(
        `a testbed in ${needs.testbedDir} left etcd/Prometheus running (pids ${left.orphanPids.join(', ')}): kos-test testbed down --dir ${needs.testbedDir}`,
      );
  }
  return out;
}

function mib(bytes: number): number {
  return Math.floor(bytes / (1024 * 1024));
}
