/**
 * Verdicts as JUnit XML, which CI systems read: one testsuite per sweep (or drive run), one
 * testcase per run's validity and one per run and SLO (pure).
 */
import type { RunVerdict } from './verdict.js';

/** Text and attribute escaping, dropping characters XML 1.0 cannot carry at all. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Case {
  classname: string;
  name: string;
  /** failure: a check or SLO did not hold; error: the run measured nothing. */
  outcome: { kind: 'failure' | 'error'; type: string; message: string; text: string } | null;
}

function casesOf(r: RunVerdict): Case[] {
  const classname = r.label === null ? r.runId : `${r.runId} (${r.label})`;
  const v = r.validity;
  const text = v.reasons.map((x) => `${x.code}: ${x.message}`).join('\n');
  const validity: Case = {
    classname,
    name: 'validity',
    outcome:
      v.status === 'valid'
        ? null
        : {
            kind: v.status === 'failed' ? 'error' : 'failure',
            type: v.status,
            message: `${v.status}: ${v.reasons.map((x) => x.code).join(', ')}`,
            text,
          },
  };
  const slos = r.slos.map((s): Case => ({
    classname,
    name: `slo ${s.slo}`,
    outcome:
      s.status === 'pass'
        ? null
        : { kind: 'failure', type: `slo-${s.status}`, message: s.message, text: s.message },
  }));
  return [validity, ...slos];
}

function caseXml(c: Case): string {
  const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}"`;
  if (c.outcome === null) return `${open}/>`;
  const o = c.outcome;
  return `${open}>\n      <${o.kind} type="${xmlEscape(o.type)}" message="${xmlEscape(o.message)}">${xmlEscape(o.text)}</${o.kind}>\n    </testcase>`;
}

export function junitXml(suite: string, runs: readonly RunVerdict[]): string {
  const cases = runs.flatMap(casesOf);
  const failures = cases.filter((c) => c.outcome?.kind === 'failure').length;
  const errors = cases.filter((c) => c.outcome?.kind === 'error').length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kos-test" ${counts}>`,
    `  <testsuite name="${xmlEscape(suite)}" ${counts} skipped="0">`,
    ...cases.map(caseXml),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
