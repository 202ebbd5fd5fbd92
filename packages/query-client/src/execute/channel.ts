/**
 * A bounded queue between the region scans (producers) and the query's consumer: producers wait
 * while it is full, so a fast region cannot buffer its whole table ahead of a slow consumer.
 */
export class Channel<T> {
  private readonly items: T[] = [];
  private readonly capacity: number;
  private closed = false;
  private waitingPull: (() => void) | undefined;
  private waitingPush: (() => void)[] = [];

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  /** Adds an item, waiting for room; resolves false (dropping it) once the channel is closed or `signal` aborts. */
  async push(item: T, signal?: AbortSignal): Promise<boolean> {
    while (!this.closed && !signal?.aborted && this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => this.waitingPush.push(resolve));
    }
    if (this.closed || signal?.aborted) return false;
    this.items.push(item);
    this.wakePull();
    return true;
  }

  /** The next item, or undefined once the channel is closed and drained. */
  async pull(): Promise<T | undefined> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.waitingPush.shift()?.();
        return item;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => {
        this.waitingPull = resolve;
      });
    }
  }

  /** No more pushes; waiting producers are released, and pull drains what is left. */
  close(): void {
    this.closed = true;
    for (const wake of this.waitingPush.splice(0)) wake();
    this.wakePull();
  }

  private wakePull(): void {
    const wake = this.waitingPull;
    this.waitingPull = undefined;
    wake?.();
  }
}
