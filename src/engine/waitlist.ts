/**
 * Waiting lists for Resource, Store and Container: O(1) amortised push, peek and shift on a
 * ring-buffer deque, and O(1) withdrawal (reneging) by marking the entry; withdrawn entries are
 * dropped when they reach the front. An `Array.shift()` list made an overloaded queue quadratic.
 */
import Denque from "denque";

/** An entry of a waiting list: `queued` is true while it waits (false once served or withdrawn). */
export interface Queued {
  queued: boolean;
  readonly priority: number;
}

/** First-come first-served. */
export class WaitList<W extends Queued> {
  private readonly entries = new Denque<W>();
  private live = 0;

  /** Entries still waiting. */
  get length(): number {
    return this.live;
  }

  push(w: W): void {
    w.queued = true;
    this.entries.push(w);
    this.live++;
  }

  /** The entry that waited longest, left in place. */
  peek(): W | undefined {
    const e = this.entries;
    while (e.length > 0 && !e.peekFront()!.queued) e.shift();
    return e.peekFront();
  }

  /** Removes and returns the entry that waited longest (its `queued` becomes false). */
  shift(): W | undefined {
    const w = this.peek();
    if (w !== undefined) {
      this.entries.shift();
      w.queued = false;
      this.live--;
    }
    return w;
  }

  /** Withdraws a waiting entry of this list (it is skipped later). */
  withdraw(w: W): void {
    if (!w.queued) return;
    w.queued = false;
    this.live--;
  }

  /** The entries still waiting, oldest first (for inspection; O(n)). */
  toArray(): W[] {
    return this.entries.toArray().filter((w) => w.queued);
  }
}

/**
 * Lowest `priority` first, first-come first-served within a priority: one FIFO per distinct
 * priority value and the values kept sorted. O(1) amortised per operation for a bounded set of
 * priority levels (O(levels) when a new level appears).
 */
export class PriorityWaitList<W extends Queued> {
  private readonly levels = new Map<number, WaitList<W>>();
  private sorted: number[] = [];
  private live = 0;

  get length(): number {
    return this.live;
  }

  push(w: W): void {
    let list = this.levels.get(w.priority);
    if (list === undefined) {
      list = new WaitList<W>();
      this.levels.set(w.priority, list);
      let i = this.sorted.length;
      while (i > 0 && this.sorted[i - 1]! > w.priority) i--;
      this.sorted.splice(i, 0, w.priority);
    }
    list.push(w);
    this.live++;
  }

  peek(): W | undefined {
    for (const p of this.sorted) {
      const w = this.levels.get(p)!.peek();
      if (w !== undefined) return w;
    }
    return undefined;
  }

  shift(): W | undefined {
    for (const p of this.sorted) {
      const w = this.levels.get(p)!.shift();
      if (w !== undefined) {
        this.live--;
        return w;
      }
    }
    return undefined;
  }

  withdraw(w: W): void {
    if (!w.queued) return;
    this.levels.get(w.priority)?.withdraw(w);
    this.live--;
  }

  toArray(): W[] {
    return this.sorted.flatMap((p) => this.levels.get(p)!.toArray());
  }
}
