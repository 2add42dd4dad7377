/** The verdict section every sweep report opens with: can these numbers be used, and if not, why. */
import { sweepVerdictLine } from '../../experiment/verdict/verdict.js';
import type { VerdictModel } from '../model/verdict-model.js';
import { esc, section } from './html.js';

const HEADLINE: Record<VerdictModel['sweep']['outcome'], string> = {
  pass: 'PASS: every run is valid and every SLO is met.',
  'slo-failed': 'SLO FAILED: every run is valid, but an SLO is not met.',
  invalid: 'INVALID RUNS: do not use their numbers as measurements of KOS.',
  failed: 'FAILED RUNS: some runs measured nothing.',
};

export function verdictHtml(v: VerdictModel, note = ''): string {
  const cls = v.sweep.outcome === 'pass' ? 'ok' : 'bad';
  const items = v.flagged.map((r) => {
    const reasons = r.validity.reasons.map(
      (x) =>
        `<li data-code="${esc(x.code)}"><span class="warn">${esc(x.code)}</span>: ${esc(x.message)}</li>`,
    );
    const slos = r.slos
      .filter((s) => s.status !== 'pass')
      .map(
        (s) =>
          `<li data-slo="${esc(s.slo)}"><span class="warn">SLO ${esc(s.slo)}</span> ${esc(s.status)}: ${esc(s.message)}</li>`,
      );
    return `<li data-run="${esc(r.runId)}" data-validity="${r.validity.status}"><b>${esc(r.runId)}</b> (${esc(r.label ?? '')}): <span class="${r.validity.status === 'valid' ? 'ok' : 'bad'}">${r.validity.status}</span><ul>${[...reasons, ...slos].join('')}</ul></li>`;
  });
  return section(
    'verdict',
    'Verdict',
    `<p class="${cls}" id="verdict-outcome" data-outcome="${v.sweep.outcome}"><b>${esc(HEADLINE[v.sweep.outcome])}</b> ${esc(sweepVerdictLine(v.sweep))}</p>${
      note === '' ? '' : `<p>${esc(note)}</p>`
    }${items.length === 0 ? '' : `<ul class="warnings">${items.join('')}</ul>`}`,
  );
}
