/**
 * A bounded map whose entries end at a time of their own (ms, by the kernel
 * clock). Full, it drops the entry stored longest ago: memory stays bounded
 * whatever callers send, at worst costing a few extra look-ups upstream.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` until `until`; an entry already over is not stored. */
  set(key: string, value: V, until: number, now: number): void {
    this.entries.delete(key);
    if (until <= now) return;
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
