/** What each command needs of the machine (preflight-check.ts), and how binaries are looked for. */
import { TESTBED_BASE_BYTES } from '../experiment/plan/feasibility.js';
import type { ResolvedSpec } from '../experiment/spec/spec-load.js';
import { testbedDirOf } from '../experiment/run/sweep-setup.js';
import { findEtcdBinary } from '../testbed/etcd/find-etcd.js';
import { nodeAddress, PURPOSE_OCTET, type Purpose } from '../testbed/node-addresses.js';
import { findPrometheusBinary } from '../testbed/prometheus/find-prometheus.js';
import type { PreflightNeeds } from './preflight-check.js';
import type { PreflightProbe } from './preflight.js';

const MIB = 1024 * 1024;
/** etcd members preallocate 64 MiB WALs, Prometheus its head block: a testbed sweep's floor. */
export const TESTBED_MIN_DISK_BYTES = 1024 * MIB;
/** Below this, etcd and Prometheus themselves complain; bigger plans are checked per run (feasibility.ts). */
export const TESTBED_MIN_OPEN_FILES = 1024;
const INSTALL = 'sudo ops/install-deps.sh';

export function testbedNeeds(o: { testbedDir: string; prometheus: boolean; outDir: string }): PreflightNeeds {
  return {
    binaries: [
      { name: 'etcd', fix: `${INSTALL} (or apt-get install -y etcd-server etcd-client)` },
      ...(o.prometheus ? [{ name: 'prometheus', fix: `${INSTALL} (or apt-get install -y prometheus)` }] : []),
    ],
    // Each purpose's nodes listen on their own loopback addresses (node-addresses.ts).
    listen: (Object.keys(PURPOSE_OCTET) as Purpose[]).map((p) => ({
      host: nodeAddress(p, 0),
      port: 0,
      what: `${p} nodes`,
    })),
    minMemoryBytes: TESTBED_BASE_BYTES,
    disk: { dir: o.outDir, minBytes: TESTBED_MIN_DISK_BYTES },
    minOpenFiles: TESTBED_MIN_OPEN_FILES,
    testbedDir: o.testbedDir,
  };
}

/** A sweep's: its testbed's, or on a cluster only room for the driver's outputs. */
export function sweepNeeds(r: ResolvedSpec, outDir: string): PreflightNeeds {
  const t = r.spec.target;
  if (t.kind === 'testbed')
    return {
      ...testbedNeeds({ testbedDir: testbedDirOf(t, outDir), prometheus: true, outDir }),
      // --resume after a SIGKILL of the runner must work: its testbed stops what the last one left.
      resumesAfterCrash: true,
    };
  return {
    binaries: [],
    listen: [],
    minMemoryBytes: 0,
    disk: { dir: outDir, minBytes: 100 * MIB },
    minOpenFiles: 0,
  };
}

export function driveNeeds(o: {
  metricsHost: string;
  metricsPort: number;
  outDir: string;
  connections: number;
}): PreflightNeeds {
  return {
    binaries: [],
    listen: [{ host: o.metricsHost, port: o.metricsPort, what: "the driver's /metrics" }],
    minMemoryBytes: 200 * MIB,
    disk: { dir: o.outDir, minBytes: 100 * MIB },
    minOpenFiles: o.connections + 64,
  };
}

const FINDERS: Record<string, (env: NodeJS.ProcessEnv) => string> = {
  etcd: findEtcdBinary,
  prometheus: findPrometheusBinary,
};

export function binaryProbe(env: NodeJS.ProcessEnv = process.env): PreflightProbe {
  return {
    hasBinary: (name) => {
      try {
        FINDERS[name]?.(env);
        return FINDERS[name] !== undefined;
      } catch {
        return false;
      }
    },
  };
}
