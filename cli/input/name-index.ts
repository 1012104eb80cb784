/**
 * Which line a thing name was first seen on, in about 20–24 bytes per name whatever its length:
 * a hash table of 53-bit hashes (cyrb53) and line numbers, instead of a Map of strings (about 90
 * bytes per name), so the pre-flight of a 100,000-line file stays near its start-up memory. Two
 * different names share a hash with odds of about n²/2⁵⁴ (5 in 10 million for 100,000 names): a
 * pre-flight warning, which the service's own duplicate check then settles.
 *
 * Entries (16 bytes) are written once into pages of 4,096 that never move; only the buckets (4
 * bytes each, one to two per name) are reallocated as the table grows. An open-addressing table
 * reallocates everything, doubling: at 100,000 names it held 3 MB and, until V8's next full
 * collection, the 3 MB of the tables it had outgrown (issue 9, BENCHMARKS.md).
 */
export class NameIndex {
  /** Per entry: the hash's high 21 and low 32 bits, the line, and 1 + the next entry in its bucket (0: none). */
  private readonly pages: Uint32Array[] = [];
  private size = 0;
  /** 1 + the first entry of each bucket (0: empty). */
  private buckets = new Uint32Array(1 << 12);

  /** The line `name` was first seen on, or undefined (and `line` is recorded) if it is new. */
  firstLineOf(name: string, line: number): number | undefined {
    const [h, l] = cyrb53(name);
    const bucket = l & (this.buckets.length - 1);
    for (let next = this.buckets[bucket] ?? 0; next !== 0;) {
      const entry = next - 1;
      const page = this.pages[entry >>> PAGE_BITS] ?? NO_PAGE;
      const at = (entry & (PAGE_SIZE - 1)) * FIELDS;
      if (page[at] === h && page[at + 1] === l) return page[at + 2];
      next = page[at + 3] ?? 0;
    }
    const entry = this.size;
    if (entry >>> PAGE_BITS === this.pages.length) this.pages.push(new Uint32Array(PAGE_SIZE * FIELDS));
    const page = this.pages[entry >>> PAGE_BITS] ?? NO_PAGE;
    const at = (entry & (PAGE_SIZE - 1)) * FIELDS;
    page[at] = h;
    page[at + 1] = l;
    page[at + 2] = line;
    page[at + 3] = this.buckets[bucket] ?? 0;
    this.buckets[bucket] = entry + 1;
    this.size += 1;
    if (this.size > this.buckets.length) this.rehash(this.buckets.length * 2);
    return undefined;
  }

  /** New buckets, each entry linked into its own (the entries stay where they are). */
  private rehash(capacity: number): void {
    const buckets = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let entry = 0; entry < this.size; entry++) {
      const page = this.pages[entry >>> PAGE_BITS] ?? NO_PAGE;
      const at = (entry & (PAGE_SIZE - 1)) * FIELDS;
      const bucket = (page[at + 1] ?? 0) & mask;
      page[at + 3] = buckets[bucket] ?? 0;
      buckets[bucket] = entry + 1;
    }
    this.buckets = buckets;
  }
}

const PAGE_BITS = 12;
const PAGE_SIZE = 1 << PAGE_BITS;
const FIELDS = 4;
const NO_PAGE = new Uint32Array(0);

/** cyrb53 (public domain, bryc): a fast 53-bit string hash, as its high 21 and low 32 bits. */
function cyrb53(text: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [(h2 & 0x1fffff) >>> 0, h1 >>> 0];
}
