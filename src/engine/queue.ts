/**
 * The future event list: a 4-ary min-heap on typed arrays, ordered by (time, priority, sequence).
 *
 * Priority and the insertion sequence are packed into one double (priority · 2^44 + seq), so an
 * ordering test is two float comparisons. Entries live in
 * slots (recycled LIFO, so a pop followed by a push reuses a cache-hot slot) that carry a kind,
 * an integer target and an object payload; the heap holds slot numbers. Cancellation is lazy:
 * the slot is marked dead and skipped when it reaches the top.
 */

/** Interrupts and other work that must precede ordinary events at the same instant. */
export const PRIORITY_URGENT = 0;
export const PRIORITY_NORMAL = 1;
/** Work that should see everything else that happens at the same instant first. */
export const PRIORITY_LATE = 2;

const SEQ_SPAN = 2 ** 44;
const INV_SEQ_SPAN = 2 ** -44; // exact: a power of two
const INITIAL_CAPACITY = 64;

export class EventQueue {
  // Heap, by position.
  private times: Float64Array;
  private ords: Float64Array;
  private heapSlots: Int32Array;
  private count = 0;
  // Slots: meta[2s] = kind (0 = free or cancelled), meta[2s + 1] = target.
  private meta: Int32Array;
  private seqs: Float64Array;
  private payloads: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotHigh = 0;
  private nextSeq = 0;
  private dead = 0;

  // The entry most recently popped, readable until the next push.
  lastTime = 0;
  lastPriority = 0;
  lastSeq = 0;
  lastKind = 0;
  lastTarget = 0;
  lastPayload: unknown = undefined;

  constructor(capacity = INITIAL_CAPACITY) {
    const c = Math.max(4, capacity | 0);
    this.times = new Float64Array(c);
    this.ords = new Float64Array(c);
    this.heapSlots = new Int32Array(c);
    this.meta = new Int32Array(2 * c);
    this.seqs = new Float64Array(c);
    this.payloads = new Array(c).fill(undefined);
    this.freeSlots = new Int32Array(c);
  }

  /** Live (not cancelled) entries. */
  get size(): number {
    return this.count - this.dead;
  }

  /** Bytes held by the typed arrays and the payload array (for memory benchmarks). */
  get bytesAllocated(): number {
    return this.times.byteLength + this.ords.byteLength + this.heapSlots.byteLength + this.meta.byteLength + this.seqs.byteLength +
      this.freeSlots.byteLength + 8 * this.payloads.length;
  }

  /** Schedules an entry (kind ≥ 1); returns its slot. `seqOf(slot)` identifies it for cancel(). */
  push(time: number, priority: number, kind: number, target: number, payload: unknown): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else {
      if (this.slotHigh === this.seqs.length) this.growSlots();
      slot = this.slotHigh++;
    }
    const seq = this.nextSeq++;
    this.meta[2 * slot] = kind;
    this.meta[2 * slot + 1] = target;
    this.seqs[slot] = seq;
    this.payloads[slot] = payload;
    if (this.count === this.heapSlots.length) this.growHeap();
    this.siftUp(this.count++, time, priority * SEQ_SPAN + seq, slot);
    return slot;
  }

  seqOf(slot: number): number {
    return this.seqs[slot]!;
  }

  /** Cancels the entry scheduled with this slot and sequence number; false if already gone. */
  cancel(slot: number, seq: number): boolean {
    if (!(slot >= 0 && slot < this.slotHigh) || this.meta[2 * slot] === 0 || this.seqs[slot] !== seq) return false;
    this.cancelSlot(slot);
    return true;
  }

  /** Cancels by slot alone: for owners that know their entry is still pending. */
  cancelSlot(slot: number): void {
    if (this.meta[2 * slot] === 0) return;
    this.meta[2 * slot] = 0;
    this.payloads[slot] = undefined;
    this.dead++;
  }

  /** Time of the earliest live entry, or Infinity. */
  peekTime(): number {
    if (this.dead > 0) this.dropDeadTop();
    return this.count === 0 ? Infinity : this.times[0]!;
  }

  /** Removes the earliest live entry into the `last*` fields; false when empty. */
  pop(): boolean {
    return this.popUntil(Infinity) === 1;
  }

  /**
   * Pops the earliest live entry if its time is ≤ limit: returns 1 (popped, see `last*`),
   * 0 (empty) or -1 (the earliest entry is later than limit; nothing removed).
   */
  popUntil(limit: number): number {
    if (this.dead > 0) this.dropDeadTop();
    if (this.count === 0) return 0;
    const time = this.times[0]!;
    if (time > limit) return -1;
    const ord = this.ords[0]!;
    const slot = this.heapSlots[0]!;
    this.lastTime = time;
    const priority = (ord * INV_SEQ_SPAN) | 0;
    this.lastPriority = priority;
    this.lastSeq = ord - priority * SEQ_SPAN;
    this.lastKind = this.meta[2 * slot]!;
    this.lastTarget = this.meta[2 * slot + 1]!;
    this.lastPayload = this.payloads[slot];
    this.removeTop();
    this.meta[2 * slot] = 0;
    this.payloads[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
    return 1;
  }

  private dropDeadTop(): void {
    while (this.count > 0) {
      const slot = this.heapSlots[0]!;
      if (this.meta[2 * slot] !== 0) return;
      this.removeTop();
      this.dead--;
      this.freeSlots[this.freeCount++] = slot;
    }
  }

  private removeTop(): void {
    const last = --this.count;
    if (last > 0) this.siftDown(this.times[last]!, this.ords[last]!, this.heapSlots[last]!, last);
  }

  // Hole sifting: move the hole, write the element once.
  private siftUp(i: number, time: number, ord: number, slot: number): void {
    const ts = this.times, os = this.ords, hs = this.heapSlots;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = ts[parent]!;
      if (pt < time || (pt === time && os[parent]! < ord)) break;
      ts[i] = pt;
      os[i] = os[parent]!;
      hs[i] = hs[parent]!;
      i = parent;
    }
    ts[i] = time;
    os[i] = ord;
    hs[i] = slot;
  }

  private siftDown(time: number, ord: number, slot: number, n: number): void {
    const ts = this.times, os = this.ords, hs = this.heapSlots;
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= n) break;
      let best = first;
      let bt = ts[first]!;
      let bo = os[first]!;
      const end = first + 4 < n ? first + 4 : n;
      for (let c = first + 1; c < end; c++) {
        const ct = ts[c]!;
        if (ct < bt || (ct === bt && os[c]! < bo)) {
          best = c;
          bt = ct;
          bo = os[c]!;
        }
      }
      if (time < bt || (time === bt && ord < bo)) break;
      ts[i] = bt;
      os[i] = bo;
      hs[i] = hs[best]!;
      i = best;
    }
    ts[i] = time;
    os[i] = ord;
    hs[i] = slot;
  }

  private growHeap(): void {
    const c = this.heapSlots.length * 2;
    this.times = grow(this.times, new Float64Array(c));
    this.ords = grow(this.ords, new Float64Array(c));
    this.heapSlots = grow(this.heapSlots, new Int32Array(c));
  }

  private growSlots(): void {
    const c = this.seqs.length * 2;
    this.meta = grow(this.meta, new Int32Array(2 * c));
    this.seqs = grow(this.seqs, new Float64Array(c));
    this.freeSlots = grow(this.freeSlots, new Int32Array(c));
    for (let i = this.payloads.length; i < c; i++) this.payloads.push(undefined);
  }
}

function grow<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
