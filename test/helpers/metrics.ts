/**
 * `GET /metrics` as Prometheus reads it: the text exposition parsed into samples, and sums over
 * label matches (what a PromQL `sum(metric{label="x"})` would say).
 */
import { request } from 'undici';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  status: number;
  contentType: string | undefined;
  text: string;
  samples: Sample[];
  /** Sum of the samples named `name` whose labels include `labels`; 0 when none. */
  sum(name: string, labels?: Record<string, string>): number;
  /** The samples named `name`. */
  series(name: string): Sample[];
}

export async function scrape(
  origin: string,
  headers: Record<string, string> = {},
): Promise<Scrape> {
  const response = await request(`${origin}/metrics`, { headers });
  const text = await response.body.text();
  const samples = response.statusCode === 200 ? parseExposition(text) : [];
  const series = (name: string): Sample[] => samples.filter((s) => s.name === name);
  return {
    status: response.statusCode,
    contentType: response.headers['content-type'] as string | undefined,
    text,
    samples,
    series,
    sum: (name, labels = {}) =>
      series(name)
        .filter((s) => Object.entries(labels).every(([key, value]) => s.labels[key] === value))
        .reduce((total, s) => total + s.value, 0),
  };
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) {
      throw new Error(`not a Prometheus sample line: ${line}`);
    }
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key as string] = (value as string).replace(/\\(.)/g, '$1');
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}
