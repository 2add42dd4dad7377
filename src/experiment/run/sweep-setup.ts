/** The I/O edge of a sweep: read the spec file, build its target, plan and check it (nothing started). */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isNetworkFault } from '../../testbed/supervisor/fault-actions.js';
import { KosTestError, toError } from '../../util/errors.js';
import { ClusterTarget } from '../target/cluster-target.js';
import { checkFeasibility, type Refusal, type TargetFacts } from '../plan/feasibility.js';
import { planExperiment, type ExperimentPlan } from '../plan/plan.js';
import { parseSpecText, type ResolvedSpec } from '../spec/spec-load.js';
import type { TestbedTargetSpec } from '../spec/spec-schema.js';
import type { ExperimentTarget } from '../target/target.js';
import { TestbedTarget } from '../target/testbed-target.js';

export async function loadSpecFile(path: string): Promise<{ text: string; resolved: ResolvedSpec }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot read the experiment spec',
      value: `${path}: ${toError(e).message}`,
      fix: 'give the path of a YAML spec (see examples/)',
      cause: e,
    });
  }
  return { text, resolved: parseSpecText(path, text) };
}

/** The directory of a testbed target's testbed: the spec's, else <sweep>/testbed. */
export function testbedDirOf(t: TestbedTargetSpec, outDir: string): string {
  return resolve(t.dir ?? join(outDir, 'testbed'));
}

export function makeTarget(
  r: ResolvedSpec,
  outDir: string,
  log: (m: string) => void,
  costModelPath?: string,
): ExperimentTarget {
  const t = r.spec.target;
  if (t.kind === 'testbed') {
    // Relays in front of the listening targets only when a fault level needs them (ADR 0034).
    const netFaults = r.faultLevels.some((f) => f !== null && isNetworkFault(f.action));
    return new TestbedTarget(t, testbedDirOf(t, outDir), log, costModelPath, netFaults);
  }
  return new ClusterTarget(t, log);
}

export interface CheckedPlan {
  plan: ExperimentPlan;
  facts: TargetFacts;
  /** Predicted CPU shortfalls that --force let through (empty without --force). */
  forced: Refusal[];
}

/**
 * Plans the sweep and refuses it, with every reason, when the target cannot hold a run; with
 * `force`, runs predicted not to fit this machine's CPU are let through (hard limits never are).
 */
export async function checkedPlan(
  r: ResolvedSpec,
  target: ExperimentTarget,
  seed: number | undefined,
  opts: { force?: boolean } = {},
): Promise<CheckedPlan> {
  const plan = planExperiment(r, seed === undefined ? {} : { seed });
  const facts = await target.facts();
  const forced = refuseInfeasible(target.kind, checkFeasibility(plan, facts), opts.force === true);
  return { plan, facts, forced };
}

/** Throws every refusal but the CPU predictions `force` lets through; returns those. */
export function refuseInfeasible(kind: string, refusals: readonly Refusal[], force: boolean): Refusal[] {
  const forced = force ? refusals.filter((x) => x.overridable) : [];
  const refused = refusals.filter((x) => !forced.includes(x));
  if (refused.length > 0) {
    throw new KosTestError({
      what: `the ${kind} cannot hold this plan`,
      value: refused.map(refusalText).join('; '),
      fix: refused.every((x) => x.overridable)
        ? 'change the spec as each reason says, or give --force to run it anyway'
        : 'change the spec as each reason says',
    });
  }
  return forced;
}

export function refusalText(x: Refusal): string {
  return `${x.reason} [run${x.runs.length > 1 ? 's' : ''} ${compactRuns(x.runs)}]`;
}

function compactRuns(runs: readonly number[]): string {
  return runs.length > 6 ? `${runs.slice(0, 5).join(', ')}, ... (${runs.length})` : runs.join(', ');
}
