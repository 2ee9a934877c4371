/**
 * The future event list as a ladder queue (Tang, Goh & Thng, ACM TOMACS 2005): new entries are
 * appended unsorted to Top (later than everything below it) or dropped into an unsorted bucket
 * of a rung; only a bucket about to be served is sorted, into Bottom. A bucket holding more than
 * THRES entries is split into a finer rung first. Pushes touch one slot and one bucket head,
 * and entries move in batches, which suits a large pending set bound by memory latency.
 *
 * Exact (time, ord) order: a bucket is chosen by time alone, so equal times share a bucket and
 * Bottom's sort settles their order; Top only takes times above every rung's. Times are integer
 * ticks (< 2^53) and rung starts and widths integers, so bucket arithmetic is exact and a finer
 * rung covers exactly the bucket it was split from.
 */
import { KIND_NO_PAYLOAD } from "./queue.js";
import { SLOT_F64, SlotRecords } from "./slots.js";

/** Entries in a bucket above which it is split into a finer rung rather than sorted (Tang et al.'s value). */
const THRES = 50;
const MAX_RUNGS = 8;
/**
 * Entries whose data the queue has its toucher fetch ahead of their turn: enough to overlap the
 * misses, few enough to stay cached (bench, 10^5 pending: 8–16 best, 32–64 worse under load).
 */
const TOUCH_AHEAD = 16;
/** Pending entries below which everything is cached anyway and touching ahead is pure overhead. */
const TOUCH_MIN_PENDING = 8192;
/** Buckets scanned at most for them per refill (empty ones are cheap to skip, not free). */
const TOUCH_SCAN = 4 * TOUCH_AHEAD;

/** Fetches into cache the data of a payload-less entry (its aux word) before it is popped. */
export interface AuxToucher {
  touch(aux: number): void;
}

export class LadderQueue extends SlotRecords {
  // Top: unsorted slots, all with time ≥ topStart.
  private top: Int32Array = new Int32Array(64);
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;
  private topStart = -Infinity;
  // Rungs 0..nRungs-1, each finer than the one above and covering the bucket of it last served.
  private nRungs = 0;
  private readonly rStart = new Float64Array(MAX_RUNGS);
  private readonly rWidth = new Float64Array(MAX_RUNGS);
  private readonly rCur = new Int32Array(MAX_RUNGS); // next bucket to serve
  private readonly rNb = new Int32Array(MAX_RUNGS);
  // Per rung, per bucket b: [2b] first slot of an unsorted list (-1 if empty), [2b+1] its length;
  // side by side, so a push touches one cache line of them.
  private readonly rBuckets: Int32Array[] = [];
  // Bottom: slots sorted by (time, ord) in bot[botHead..botTail), all earlier than the rungs.
  private bot: Int32Array = new Int32Array(256);
  private botHead = 0;
  private botTail = 0;
  /** @internal Set by the Simulation: fetches a process's generator ahead of its wake-up. */
  toucher: AuxToucher | null = null;
  // Touch frontier in the finest rung: buckets below touchedTo were touched; touchedAhead
  // entries of them are not popped yet (about: pushes in between are not counted).
  private touchedTo = 0;
  private touchedAhead = 0;

  constructor(capacity = 64) {
    super(capacity);
    for (let x = 0; x < MAX_RUNGS; x++) {
      this.rBuckets.push(new Int32Array(0));
    }
  }

  /**
   * Schedules an entry (kind 1..15, see KIND_NO_PAYLOAD); returns its slot. `seqOf(slot)`
   * identifies it for cancel().
   */
  push(time: number, priority: number, kind: number, target: number, payload: unknown, aux = 0): number {
    const slot = this.fill(time, priority, kind, target, payload, aux);
    if (time >= this.topStart) {
      if (this.topCount === this.top.length) this.top = grown(this.top, this.topCount);
      this.top[this.topCount++] = slot;
      if (time < this.topMin) this.topMin = time;
      if (time > this.topMax) this.topMax = time;
    } else if (!this.intoRung(slot, time)) this.intoBottom(slot);
    return slot;
  }

  popUntil(limit: number): number {
    for (;;) {
      if (this.count === 0) return 0;
      if (this.botHead === this.botTail) this.refill();
      const slot = this.bot[this.botHead]!;
      if (this.slotI[8 * slot + 7] !== 0 && this.slotF[SLOT_F64 * slot]! > limit) return -1;
      this.botHead++;
      if (this.touchedAhead > 0) this.touchedAhead--;
      if (this.take(slot)) return 1;
    }
  }

  /** Into the first rung whose unserved buckets cover `time`; false if it is earlier than all. */
  private intoRung(slot: number, time: number): boolean {
    for (let x = 0; x < this.nRungs; x++) {
      const b = Math.floor((time - this.rStart[x]!) / this.rWidth[x]!);
      if (b >= this.rCur[x]!) {
        this.link(x, b, slot);
        return true;
      }
    }
    return false;
  }

  private link(x: number, b: number, slot: number): void {
    const buckets = this.rBuckets[x]!;
    this.slotNext[slot] = buckets[2 * b]!;
    buckets[2 * b] = slot;
    buckets[2 * b + 1] = buckets[2 * b + 1]! + 1;
  }

  /** Sorted insert into Bottom, shifting the shorter side. */
  private intoBottom(slot: number): void {
    if (this.botTail === this.bot.length) this.compactBottom();
    const bot = this.bot;
    let lo = this.botHead, hi = this.botTail;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.before(bot[mid]!, slot)) lo = mid + 1;
      else hi = mid;
    }
    if (lo - this.botHead < this.botTail - lo && this.botHead > 0) {
      bot.copyWithin(this.botHead - 1, this.botHead, lo);
      this.botHead--;
      bot[lo - 1] = slot;
    } else {
      bot.copyWithin(lo + 1, lo, this.botTail);
      bot[lo] = slot;
      this.botTail++;
    }
  }

  /** Moves Bottom to the start of its array, doubling the array if it is over half full. */
  private compactBottom(): void {
    const n = this.botTail - this.botHead;
    if (2 * n < this.bot.length) this.bot.copyWithin(0, this.botHead, this.botTail);
    else {
      const to = new Int32Array(2 * this.bot.length);
      to.set(this.bot.subarray(this.botHead, this.botTail));
      this.bot = to;
    }
    this.botHead = 0;
    this.botTail = n;
  }

  /** Fills the empty Bottom from the earliest non-empty bucket (count > 0 guaranteed). */
  private refill(): void {
    for (;;) {
      if (this.nRungs === 0) this.topToRung();
      const x = this.nRungs - 1, buckets = this.rBuckets[x]!, nb = this.rNb[x]!;
      let b = this.rCur[x]!;
      while (b < nb && buckets[2 * b]! < 0) b++;
      if (b === nb) {
        this.nRungs--; // served out; the rung above already moved past the bucket it covered
        this.restartTouch();
        continue;
      }
      this.rCur[x] = b + 1;
      const first = buckets[2 * b]!, n = buckets[2 * b + 1]!;
      buckets[2 * b] = -1;
      buckets[2 * b + 1] = 0;
      const width = this.rWidth[x]!;
      if (n > THRES && width > 1 && this.nRungs < MAX_RUNGS) {
        const finer = Math.ceil(width / Math.min(n, width));
        this.openRung(this.rStart[x]! + b * width, finer, Math.ceil(width / finer));
        for (let s = first; s >= 0; ) {
          const nx = this.slotNext[s]!;
          this.intoNewest(s);
          s = nx;
        }
        continue;
      }
      this.bucketToBottom(first, n);
      if (this.toucher !== null && this.count > TOUCH_MIN_PENDING) this.touchAhead(this.toucher);
      return;
    }
  }

  /** All of Top becomes rung 0 (Top then only takes times above its former maximum). */
  private topToRung(): void {
    const n = this.topCount, span = this.topMax - this.topMin + 1;
    const width = Math.ceil(span / Math.min(n, span));
    this.openRung(this.topMin, width, Math.ceil(span / width));
    this.topStart = this.topMax + 1;
    for (let i = 0; i < n; i++) this.intoNewest(this.top[i]!);
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
  }

  private restartTouch(): void {
    this.touchedTo = 0;
    this.touchedAhead = 0;
  }

  /**
   * Has the toucher fetch the data of the entries in the next buckets of the finest rung, up to
   * TOUCH_AHEAD entries ahead of the pops: at 10^5 pending entries each is a cache miss, and
   * issued together, for a batch, they overlap instead of stalling one pop each. Reads the
   * records only.
   */
  private touchAhead(toucher: AuxToucher): void {
    const x = this.nRungs - 1, buckets = this.rBuckets[x]!, cur = this.rCur[x]!;
    const end = Math.min(this.rNb[x]!, cur + TOUCH_SCAN), next = this.slotNext, rec = this.slotI;
    let b = this.touchedTo > cur ? this.touchedTo : cur;
    for (; b < end && this.touchedAhead < TOUCH_AHEAD; b++) {
      for (let s = buckets[2 * b]!; s >= 0; s = next[s]!) {
        if ((rec[8 * s + 7]! & KIND_NO_PAYLOAD) !== 0) toucher.touch(rec[8 * s + 5]!);
      }
      this.touchedAhead += buckets[2 * b + 1]!;
    }
    this.touchedTo = b;
  }

  private openRung(start: number, width: number, nb: number): void {
    this.restartTouch();
    const x = this.nRungs++;
    let buckets = this.rBuckets[x]!;
    if (buckets.length < 2 * nb) buckets = this.rBuckets[x] = new Int32Array(Math.max(2 * nb, 2 * buckets.length));
    for (let b = 0; b < nb; b++) {
      buckets[2 * b] = -1;
      buckets[2 * b + 1] = 0;
    }
    this.rStart[x] = start;
    this.rWidth[x] = width;
    this.rCur[x] = 0;
    this.rNb[x] = nb;
  }

  /** Into the newest rung, by time (its range covers every slot moved into it). */
  private intoNewest(slot: number): void {
    const x = this.nRungs - 1;
    this.link(x, Math.floor((this.slotF[SLOT_F64 * slot]! - this.rStart[x]!) / this.rWidth[x]!), slot);
  }

  /** Bottom (empty) := the bucket's n slots in (time, ord) order. */
  private bucketToBottom(first: number, n: number): void {
    if (this.bot.length < n) this.bot = new Int32Array(Math.max(n, 2 * this.bot.length));
    const bot = this.bot;
    // Buckets are LIFO lists: fill from the end, so entries pushed in order come out sorted.
    let i = n;
    const next = this.slotNext;
    for (let s = first; s >= 0; s = next[s]!) bot[--i] = s;
    this.botHead = 0;
    this.botTail = n;
    let sorted = true;
    for (let k = 1; k < n && sorted; k++) sorted = this.before(bot[k - 1]!, bot[k]!);
    if (sorted) return;
    if (n <= 64) {
      for (let k = 1; k < n; k++) {
        const s = bot[k]!;
        let j = k;
        for (; j > 0 && this.before(s, bot[j - 1]!); j--) bot[j] = bot[j - 1]!;
        bot[j] = s;
      }
    } else bot.set(Array.from(bot.subarray(0, n)).sort((a, b) => (a === b ? 0 : this.before(a, b) ? -1 : 1)));
  }
}

function grown(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(2 * a.length);
  b.set(a.subarray(0, n));
  return b;
}
