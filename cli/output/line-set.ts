/** A set of line numbers in one bit each: a 100,000-line batch costs 12.5 KB. */
export class LineSet {
  private bits = new Uint32Array(1024);

  add(line: number): void {
    const word = line >>> 5;
    if (word >= this.bits.length) {
      const bigger = new Uint32Array(Math.max(word + 1, this.bits.length * 2));
      bigger.set(this.bits);
      this.bits = bigger;
    }
    this.bits[word] = (this.bits[word] ?? 0) | (1 << (line & 31));
  }

  has(line: number): boolean {
    const word = line >>> 5;
    return word < this.bits.length && ((this.bits[word] ?? 0) & (1 << (line & 31))) !== 0;
  }
}
