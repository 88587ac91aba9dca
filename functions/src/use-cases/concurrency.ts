/**
 * Bounded concurrency: never more than `limit` tasks in flight, the first failure reported (never swallowed),
 * and every started task awaited before the caller moves on.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Waits for a free slot, then starts `task`. Throws the first failure of an earlier task instead of starting more. */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
    const p: Promise<void> = task()
      .catch((error) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Waits for every task; throws the first failure. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }
}

export async function forEachConcurrent<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const pool = new TaskPool(limit);
  try {
    for (const item of items) await pool.add(() => fn(item));
  } finally {
    await pool.drain().catch(() => undefined);
  }
  await pool.drain();
}
