/**
 * Prometheus text exposition format (version 0.0.4), both ways and pure: rendering the
 * families the exporter and the node stats server serve, and parsing the samples they read
 * back from node stats servers and etcd. Only what we use: counters and gauges, no timestamps.
 */

export const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: readonly { labels: Labels; value: number }[];
}

/** Renders families in the order given; a family without samples still gets HELP and TYPE. */
export function renderFamilies(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${renderLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function renderLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeLabelValue(v: string): string {
  if (!/[\\"\n]/.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * The samples of a text exposition whose metric name `want` accepts (all by default); comment
 * lines and unparsable lines are skipped, so one odd line never hides the rest.
 */
export function parseSamples(text: string, want: (name: string) => boolean = () => true): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{\s]/);
    const name = nameEnd < 0 ? line : line.slice(0, nameEnd);
    if (nameEnd < 0 || !want(name)) continue;
    const sample = parseSampleLine(line, name, nameEnd);
    if (sample !== undefined) samples.push(sample);
  }
  return samples;
}

/** Sum of the samples of one metric (over all label sets); undefined when there is none. */
export function sumOf(samples: readonly Sample[], name: string): number | undefined {
  let total: number | undefined;
  for (const s of samples) if (s.name === name) total = (total ?? 0) + s.value;
  return total;
}

function parseSampleLine(line: string, name: string, nameEnd: number): Sample | undefined {
  let i = nameEnd;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    const parsed = parseLabelSet(line, i + 1, labels);
    if (parsed === undefined) return undefined;
    i = parsed;
  }
  const fields = line.slice(i).trim().split(/\s+/);
  const value = parseValue(fields[0] ?? '');
  return value === undefined ? undefined : { name, labels, value };
}

/** Parses `a="x",b="y"}` from `start`; returns the index after `}`, or undefined if malformed. */
function parseLabelSet(line: string, start: number, into: Record<string, string>): number | undefined {
  let i = start;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return i + 1;
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') return undefined;
    const key = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      const c = line.charAt(j);
      if (c === '\\') {
        const next = line[++j];
        value += next === 'n' ? '\n' : (next ?? '');
      } else {
        value += c;
      }
    }
    if (j >= line.length) return undefined;
    into[key] = value;
    i = j + 1;
  }
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}
