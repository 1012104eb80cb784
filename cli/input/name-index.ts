/**
 * Which line a thing name was first seen on, in about 12 bytes per name whatever its length: an
 * open-addressing table of 53-bit hashes (cyrb53) and line numbers, instead of a Map of strings
 * (about 90 bytes per name), so the pre-flight of a 100,000-line file stays near its start-up
 * memory. Two different names share a hash with odds of about n²/2⁵⁴ (5 in 10 million for
 * 100,000 names): a pre-flight warning, which the service's own duplicate check then settles.
 */
export class NameIndex {
  private capacity = 1 << 12;
  private hi = new Uint32Array(this.capacity);
  private lo = new Uint32Array(this.capacity);
  /** 0 marks an empty slot: line numbers start at 1. */
  private lines = new Uint32Array(this.capacity);
  private size = 0;

  /** The line `name` was first seen on, or undefined (and `line` is recorded) if it is new. */
  firstLineOf(name: string, line: number): number | undefined {
    const [h, l] = cyrb53(name);
    let slot = this.find(h, l);
    const seen = this.lines[slot] ?? 0;
    if (seen !== 0) return seen;
    if ((this.size + 1) * 2 > this.capacity) {
      this.grow();
      slot = this.find(h, l);
    }
    this.hi[slot] = h;
    this.lo[slot] = l;
    this.lines[slot] = line;
    this.size += 1;
    return undefined;
  }

  private find(h: number, l: number): number {
    const mask = this.capacity - 1;
    let slot = l & mask;
    while ((this.lines[slot] ?? 0) !== 0 && (this.hi[slot] !== h || this.lo[slot] !== l))
      slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { hi, lo, lines } = this;
    this.capacity *= 2;
    this.hi = new Uint32Array(this.capacity);
    this.lo = new Uint32Array(this.capacity);
    this.lines = new Uint32Array(this.capacity);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? 0;
      if (line === 0) continue;
      const slot = this.find(hi[i] ?? 0, lo[i] ?? 0);
      this.hi[slot] = hi[i] ?? 0;
      this.lo[slot] = lo[i] ?? 0;
      this.lines[slot] = line;
    }
  }
}

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
