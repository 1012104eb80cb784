/**
 * Problems by code, with the first few lines of each kind: what a pre-flight or a dry run shows
 * a person (the full list goes to a file or stays with the API).
 */
export interface ProblemExample {
  line: number;
  thingName?: string | null;
  message: string;
}

export class ProblemTally {
  readonly counts = new Map<string, number>();
  readonly examples = new Map<string, ProblemExample[]>();

  constructor(private readonly examplesPerCode = 5) {}

  add(code: string, example: ProblemExample): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    const list = this.examples.get(code) ?? [];
    if (list.length < this.examplesPerCode) list.push(example);
    this.examples.set(code, list);
  }

  /** Counts only (a dry run's `problemCounts`), examples to be added separately. */
  setCount(code: string, count: number): void {
    this.counts.set(code, count);
  }

  get total(): number {
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  count(code: string): number {
    return this.counts.get(code) ?? 0;
  }

  /** Codes, most frequent first. */
  codes(): string[] {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code]) => code);
  }

  toJSON(): Record<string, { count: number; examples: ProblemExample[] }> {
    return Object.fromEntries(
      this.codes().map((code) => [
        code,
        { count: this.count(code), examples: this.examples.get(code) ?? [] },
      ]),
    );
  }
}

/** The tally as text, e.g. for a terminal or a CI log. */
export function formatTally(tally: ProblemTally, indent = '  '): string {
  const out: string[] = [];
  for (const code of tally.codes()) {
    out.push(`${indent}${code}: ${tally.count(code)} line(s)`);
    for (const example of tally.examples.get(code) ?? []) {
      const name = example.thingName ? ` (${example.thingName})` : '';
      out.push(`${indent}  line ${example.line}${name}: ${example.message}`);
    }
    const more = tally.count(code) - (tally.examples.get(code)?.length ?? 0);
    if (more > 0) out.push(`${indent}  … and ${more} more`);
  }
  return out.join('\n');
}
