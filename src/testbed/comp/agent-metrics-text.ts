/**
 * The agent group's /metrics text, rendered for its fixed metric set with each series' label
 * text built once, in place of prom-client's generic `Registry.metrics()` (which rebuilds every
 * line's label objects and strings on every scrape: about three quarters of an idle group's CPU
 * when scraped every second, ADR 0037). The output is byte for byte what the registry renders; the
 * unit test holds it to that.
 */
import type { Histogram } from 'prom-client';
import { seriesOf, type HistogramSeries } from './histogram-series.js';

/** As prom-client escapes HELP text and label values. */
function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelPair(name: string, value: string | number): string {
  return `${name}="${typeof value === 'string' ? escapeText(value).replace(/"/g, '\\"') : value}"`;
}

/** As prom-client prints a sample value. */
export function sampleValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

export function metricHeader(name: string, help: string, type: 'histogram' | 'gauge'): string {
  return `# HELP ${name} ${escapeText(help)}\n# TYPE ${name} ${type}`;
}

/** One histogram's lines, each series' line prefixes built on its first render. */
export class HistogramText {
  private readonly header: string;
  private readonly prefixes = new Map<HistogramSeries, readonly string[]>();

  constructor(
    private readonly histogram: Histogram,
    private readonly name: string,
    help: string,
    private readonly bounds: readonly number[],
    private readonly groupLabel: string,
  ) {
    this.header = metricHeader(name, help, 'histogram');
  }

  render(): string {
    let text = this.header;
    for (const s of Object.values(seriesOf(this.histogram))) {
      const p = this.prefixes.get(s) ?? this.buildPrefixes(s);
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.bucketValues[String(this.bounds[i])] ?? 0;
        text += `\n${p[i]}${cumulative}`;
      }
      const n = this.bounds.length;
      text += `\n${p[n]}${s.count}\n${p[n + 1]}${sampleValue(s.sum)}\n${p[n + 2]}${s.count}`;
    }
    return text;
  }

  /** prom-client's order: the line's own labels (le), the default label, then the series' labels. */
  private buildPrefixes(s: HistogramSeries): readonly string[] {
    const own = Object.entries(s.labels)
      .map(([k, v]) => `,${labelPair(k, v)}`)
      .join('');
    const bucket = (le: string): string => `${this.name}_bucket{le="${le}",${this.groupLabel}${own}} `;
    const p = [
      ...this.bounds.map((b) => bucket(String(b))),
      bucket('+Inf'),
      `${this.name}_sum{${this.groupLabel}${own}} `,
      `${this.name}_count{${this.groupLabel}${own}} `,
    ];
    this.prefixes.set(s, p);
    return p;
  }
}

/** The `group="…"` label text every series carries. */
export function groupLabelText(group: string): string {
  return labelPair('group', group);
}

/** The labels of a per-node gauge's series, `node="…",group="…"`, built once per agent. */
export function nodeLabelsText(node: string, groupLabel: string): string {
  return `${labelPair('node', node)},${groupLabel}`;
}
