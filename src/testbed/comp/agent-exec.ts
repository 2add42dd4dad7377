/**
 * The real half of a hollow agent, for attachments that carry `spec.postCreateExec` on a testbed
 * with a data plane: a real interface named status.ifcName on its VNI's bridge (linux-fabric.ts),
 * the post-create command run once after the interface's status is written (arguments expanded,
 * a timeout, the report kept for the status), and on delete the interface removed and the
 * post-delete command run, as KOS's agent does: only when the post-create command was started.
 * Attachments without a post-create command never come here (they stay hollow).
 */
import type { ExecReport } from '../../api/kos-types.js';
import { EXEC_REFUSED, prepareExec, type ExecVars } from '../data-plane/exec-command.js';
import type { CleanupJournal } from '../data-plane/cleanup-journal.js';
import type { LinuxFabric } from '../data-plane/linux-fabric.js';
import { metaTime, startCommand, type RunningCommand } from '../data-plane/run-command.js';
import type { Attachment } from './attachment.js';
import type { LocalAgentIfc } from './interface-table.js';

export interface DataPlaneContext {
  fabric: LinuxFabric;
  journal: CleanupJournal;
  /** Directories whose programs may run. */
  allowedDirs: readonly string[];
  /** Where programs named in an allowed directory really are (exec-command.ts). @default none */
  installedDirs?: Readonly<Record<string, string>>;
  execTimeoutMs: number;
}

interface Entry {
  uid: string;
  ifc: LocalAgentIfc;
  postCreateExec: string[];
  postDeleteExec: string[];
  launched: boolean;
  running?: RunningCommand;
  report?: ExecReport;
}

export function carriesPostCreateExec(att: Attachment | undefined): boolean {
  return (att?.spec.postCreateExec?.length ?? 0) > 0;
}

export class AgentExec {
  private readonly entries = new Map<string, Entry>();
  /** Interface name -> the key whose pair it is (a reused address reuses the name). */
  private readonly owners = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly ctx: DataPlaneContext,
    private readonly node: string,
    /** Called when a command finished: the key is processed again, so its report is written. */
    private readonly requeue: (key: string) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Makes the real interface match: removes a stale one (then runs its post-delete command),
   * creates a missing one. Returns the report the status should carry, if any yet.
   */
  async sync(
    key: string,
    att: Attachment | undefined,
    ifc: LocalAgentIfc | undefined,
  ): Promise<ExecReport | undefined> {
    const old = this.entries.get(key);
    const wanted = att !== undefined && ifc !== undefined && carriesPostCreateExec(att);
    if (old !== undefined && (!wanted || old.uid !== att.metadata.uid || old.ifc.name !== ifc.name)) {
      await this.remove(key, old);
    }
    if (!wanted) return undefined;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      // An attachment deleted meanwhile that had this address (and so this name) goes first.
      const previous = this.owners.get(ifc.name);
      const prevEntry = previous === undefined ? undefined : this.entries.get(previous);
      if (previous !== undefined && prevEntry !== undefined) await this.remove(previous, prevEntry);
      await this.ctx.fabric.addIfc(this.node, ifc.name, ifc.vni);
      this.owners.set(ifc.name, key);
      const reported = att.status?.postCreateExecReport ?? undefined;
      entry = {
        uid: att.metadata.uid ?? '',
        ifc,
        postCreateExec: att.spec.postCreateExec ?? [],
        postDeleteExec: att.spec.postDeleteExec ?? [],
        // A report already there (an agent restarted): the command ran; it does not run twice.
        launched: reported !== undefined,
        ...(reported === undefined ? {} : { report: reported }),
      };
      this.entries.set(key, entry);
    }
    return entry.report;
  }

  /** Starts the post-create command once, after the interface's status was written. */
  launch(key: string): void {
    const entry = this.entries.get(key);
    if (this.stopped || entry === undefined || entry.launched) return;
    entry.launched = true;
    const vars = this.vars(entry.ifc);
    const post = prepareExec(entry.postDeleteExec, vars, this.ctx.allowedDirs, this.ctx.installedDirs ?? {});
    if ('argv' in post) this.ctx.journal.owe(entry.uid, post.argv);
    const pre = prepareExec(entry.postCreateExec, vars, this.ctx.allowedDirs, this.ctx.installedDirs ?? {});
    if ('problem' in pre) {
      const now = metaTime(Date.now());
      entry.report = {
        command: entry.postCreateExec,
        exitStatus: EXEC_REFUSED,
        startTime: now,
        stopTime: now,
        stdOut: '',
        stdErr: `${pre.problem}\n`,
      };
      this.requeue(key);
      return;
    }
    const running = startCommand(entry.postCreateExec, pre.argv, {
      timeoutMs: this.ctx.execTimeoutMs,
      netns: this.ctx.fabric.nodeNetns(this.node),
    });
    entry.running = running;
    void running.done.then((report) => {
      if (entry.running !== running) return;
      delete entry.running;
      entry.report = report;
      this.requeue(key);
    });
  }

  /** Kills running commands; interfaces stay for the testbed's sweep (an agent restart finds them). */
  async stop(): Promise<void> {
    this.stopped = true;
    const running = [...this.entries.values()].flatMap((e) => (e.running === undefined ? [] : [e.running]));
    for (const r of running) r.kill();
    await Promise.all(running.map((r) => r.done));
  }

  private async remove(key: string, entry: Entry): Promise<void> {
    this.entries.delete(key);
    const running = entry.running;
    delete entry.running;
    if (running !== undefined) {
      running.kill();
      await running.done;
    }
    if (this.owners.get(entry.ifc.name) === key) {
      this.owners.delete(entry.ifc.name);
      await this.ctx.fabric.deleteIfc(this.node, entry.ifc.name);
    }
    if (!entry.launched) return;
    const post = prepareExec(
      entry.postDeleteExec,
      this.vars(entry.ifc),
      this.ctx.allowedDirs,
      this.ctx.installedDirs,
    );
    if ('argv' in post) {
      await startCommand(entry.postDeleteExec, post.argv, {
        timeoutMs: this.ctx.execTimeoutMs,
        netns: this.ctx.fabric.nodeNetns(this.node),
      }).done;
    }
    this.ctx.journal.paid(entry.uid);
  }

  private vars(ifc: LocalAgentIfc): ExecVars {
    return { ifname: ifc.name, ipv4: ifc.guestIP, mac: ifc.guestMAC };
  }
}
