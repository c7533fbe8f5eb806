/** A `/metrics` page fetched and read as Prometheus's text format. */
export interface Scrape {
  contentType: string | null;
  /** The value of the one sample `name` whose labels include `labels` (0 when there is none: a counter not yet moved). */
  value(name: string, labels?: Record<string, string>): number;
  text: string;
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const text = await response.text();
  const samples = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map(parseSample);
  return {
    contentType: response.headers.get('content-type'),
    text,
    value(name, labels = {}) {
      const matching = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}; name more labels`);
      return matching[0]?.value ?? 0;
    },
  };
}

function parseSample(line: string): { name: string; labels: Record<string, string>; value: number } {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
  if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
  const labels: Record<string, string> = {};
  for (const [, key, raw] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels[key!] = raw!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return { name: match[1]!, labels, value: Number(match[3]) };
}
