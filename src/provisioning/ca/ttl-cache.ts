/**
 * Promises kept for a short time, so concurrent requests for the same CA share one load and a
 * burst of devices reads SSM and IoT once. A failed load is not kept: the next call tries again;
 * nor is a value `keep` refuses (e.g. a CA found inactive, so that fixing it takes effect at once).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly keep: (value: V) => boolean = () => true,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expires > at) return hit.value;
    const value = load();
    if (this.ttlMs > 0) {
      this.dropExpired(at);
      this.entries.set(key, { value, expires: at + this.ttlMs });
      const drop = () => {
        if (this.entries.get(key)?.value === value) this.entries.delete(key);
      };
      value.then((loaded) => {
        if (!this.keep(loaded)) drop();
      }, drop);
    }
    return value;
  }

  forget(key: K): void {
    this.entries.delete(key);
  }

  private dropExpired(at: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= at) this.entries.delete(key);
  }
}
