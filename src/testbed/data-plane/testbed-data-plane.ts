/**
 * The testbed supervisor's side of the data plane: at `up`, remove what a killed testbed of the
 * same directory left, then (as root, unless turned off) make the fabric namespace and the spec
 * agent groups get; at `down`, remove it all again. Without root it only says why it is off.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KOS_COMMAND_DIR } from '../../api/kos-command-dir.js';
import { opsDir } from '../../util/ops-dir.js';
import type { DataPlaneSpec } from '../comp/comp-group-spec.js';
import { LinuxFabric } from './linux-fabric.js';
import { dataPlanePrefix, fabricNetns } from './names.js';
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
    if (!this.o.enabled) {
      this.o.log('data plane: off (turned off); tested attachments stay hollow');
      return;
    }
    const prefix = dataPlanePrefix(this.o.dir);
    const netns = fabricNetns(prefix);
    await LinuxFabric.ensureNetns(netns);
    const journalDir = this.journalDir();
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

  /** Deletes every namespace with the testbed's prefix and runs the post-delete commands owed. */
  async sweep(): Promise<void> {
    if (!this.support.ok) return;
    const swept = await sweepDataPlane({
      prefix: dataPlanePrefix(this.o.dir),
      journalDir: this.journalDir(),
      timeoutMs: this.o.execTimeoutMs,
    });
    if (swept.namespaces.length + swept.commands > 0)
      this.o.log(
        `data plane: removed ${swept.namespaces.length} namespace(s) named ${dataPlanePrefix(this.o.dir)}-* and ran ${swept.commands} owed post-delete command(s)`,
      );
    for (const f of swept.failed) this.o.log(`data plane: cleanup failed: ${f}`);
  }

  private journalDir(): string {
    return join(this.o.dir, 'data-plane');
  }
}
