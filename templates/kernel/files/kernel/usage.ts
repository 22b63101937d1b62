import type { Clock } from './clock.js';
import type { AuthStore } from './store.js';

/** Who still uses what: one count per (day, boundary, method, variant, client). */
export interface UsageRow {
  day: string;
  boundary: string;
  method: string;
  variant: string;
  client: string;
  count: number;
}

const PREFIX = 'usage:';
// Counters live as long as a report may look back (400 days), then the store drops them.
const RETENTION = 400 * 86_400;
const part = (value: string) => encodeURIComponent(value);

/**
 * Counts successful authentications per day in memory and adds them to the
 * store in batches (every `flushEvery` ms and on close), so counting costs a
 * request nothing. A crash loses at most one batch.
 */
export class UsageCounter {
  private pending = new Map<string, number>();
  private readonly store: AuthStore;
  private readonly clock: Clock;
  private readonly timer: NodeJS.Timeout | null;

  constructor(store: AuthStore, clock: Clock, flushEvery = 30_000) {
    this.store = store;
    this.clock = clock;
    this.timer = flushEvery > 0 ? setInterval(() => void this.flush().catch(() => {}), flushEvery) : null;
    // The timer alone must not keep a finished process (a CLI command, a test) alive.
    this.timer?.unref();
  }

  count(entry: { boundary: string; method: string; variant: string; client: string | null }): void {
    const day = this.clock.now().toISOString().slice(0, 10);
    const key = `${PREFIX}${day}:${part(entry.boundary)}:${part(entry.method)}:${part(entry.variant)}:${part(entry.client ?? '-')}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const at = this.clock.now();
    for (const [key, amount] of batch) await this.store.hit(key, RETENTION, at, amount);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}

/** Usage of the last `days` days (by the clock), newest first. */
export async function usageReport(store: AuthStore, clock: Clock, days: number): Promise<UsageRow[]> {
  const since = new Date(clock.now().getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows: UsageRow[] = [];
  for (const { key, count } of await store.counters(PREFIX)) {
    const [day = '', boundary = '', method = '', variant = '', client = ''] = key.slice(PREFIX.length).split(':').map(decodeURIComponent);
    if (day >= since) rows.push({ day, boundary, method, variant, client, count });
  }
  return rows.sort((a, b) => b.day.localeCompare(a.day) || a.boundary.localeCompare(b.boundary) || a.method.localeCompare(b.method) || a.client.localeCompare(b.client));
}
