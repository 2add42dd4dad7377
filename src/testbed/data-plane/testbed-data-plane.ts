/**
 * The testbed supervisor's side of the data plane: at `up`, remove what a killed testbed of the
 * same directory left, and what any testbed whose supervisor is gone left (owners.ts), then (as
 * root, unless turned off) make the fabric namespace and the spec agent groups get, owned by this
 * process; at `down`, remove it all again. Without root it only says why it is off.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KOS_COMMAND_DIR } from '../../api/kos-command-dir.js';
import { opsDir } from '../../util/ops-dir.js';
import type { DataPlaneSpec } from '../comp/comp-group-spec.js';
import { LinuxFabric } from './linux-fabric.js';
import { dataPlanePrefix, fabricNetns } from './names.js';
import { claimDataPlane, orphanedDataPlanes, releaseDataPlane } from './owners.js';
import { dataPlaneSupport } from './support.js';
import { sweepDataPlane } from './sweep.js';

/** What `testbed status` shows: the fabric namespace, or why there is none. */
export type DataPlaneStatus = { netns: string; allowedDirs: string[] } | { off: string };

export interface TestbedDataPlaneOptions {
  /** The testbed's state directory (its prefix and the journals' place). */
  dir: string;
  /** false: always hollow, even as root. */
  enabled: boolean;
  execTimeoutMs: number;
  log: (message: string) => void;
}

export class TestbedDataPlane {
  private readonly support = dataPlaneSupport();
  /** What agent groups get; undefined while off. */
  spec: DataPlaneSpec | undefined;

  constructor(private readonly o: TestbedDataPlaneOptions) {}

  get status(): DataPlaneStatus {
    if (this.spec !== undefined) return { netns: this.spec.netns, allowedDirs: this.spec.allowedDirs };
    return { off: this.support.ok ? 'turned off' : this.support.reason };
  }

  async start(): Promise<void> {
    if (!this.support.ok) {
      this.o.log(
        `data plane: off (${this.support.reason}); tested attachments stay hollow: drive with --test-fraction 0`,
      );
      return;
    }
    await this.sweep();
    await this.sweepOrphans();
    if (!this.o.enabled) {
      this.o.log('data plane: off (turned off); tested attachments stay hollow');
      return;
    }
    const prefix = dataPlanePrefix(this.o.dir);
    const netns = fabricNetns(prefix);
    // Owned before it exists: a kill between the two leaves a record and nothing to sweep.
    await claimDataPlane(prefix, this.o.dir);
    await LinuxFabric.ensureNetns(netns);
    const journalDir = journalDirOf(this.o.dir);
    await mkdir(journalDir, { recursive: true });
    this.spec = {
      netns,
      prefix,
      journalDir,
      allowedDirs: [join(opsDir(), 'test-scripts'), KOS_COMMAND_DIR],
      // The testbed's comp nodes come with the shipped scripts where KOS's convention puts them.
      installedDirs: { [KOS_COMMAND_DIR]: join(opsDir(), 'test-scripts') },
      execTimeoutMs: this.o.execTimeoutMs,
    };
    this.o.log(
      `data plane: a bridge per VNI in netns ${netns}; commands from ${this.spec.allowedDirs.join(', ')}`,
    );
  }

  /** At down, after the agents stopped: everything removed, and no longer owned. */
  async stop(): Promise<void> {
    if (!this.support.ok) return;
    await this.sweep();
    await releaseDataPlane(dataPlanePrefix(this.o.dir));
  }

  /** Deletes every namespace with the testbed's prefix and runs the post-delete commands owed. */
  private async sweep(): Promise<void> {
    await this.sweepOne(dataPlanePrefix(this.o.dir), this.o.dir, '');
  }

  /** What testbeds whose supervisor died (kill -9) left in directories that may never see an up. */
  private async sweepOrphans(): Promise<void> {
    // A killed testbed of this directory is among them: sweep() has just emptied it.
    for (const o of await orphanedDataPlanes()) {
      await this.sweepOne(
        o.prefix,
        o.dir,
        ` left by a testbed in ${o.dir ?? 'an unknown directory'} whose supervisor is gone`,
      );
      await releaseDataPlane(o.prefix);
    }
  }

  private async sweepOne(prefix: string, dir: string | undefined, whose: string): Promise<void> {
    const swept = await sweepDataPlane({
      prefix,
      journalDir: dir === undefined ? undefined : journalDirOf(dir),
      timeoutMs: this.o.execTimeoutMs,
    });
    if (swept.namespaces.length + swept.commands > 0)
      this.o.log(
        `data plane: removed ${swept.namespaces.length} namespace(s) named ${prefix}-*${whose} and ran ${swept.commands} owed post-delete command(s)`,
      );
    for (const f of swept.failed) this.o.log(`data plane: cleanup failed: ${f}`);
  }
}

function journalDirOf(testbedDir: string): string {
  return join(testbedDir, 'data-plane');
}
