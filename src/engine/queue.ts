/**
 * The future event list: a 4-ary min-heap on typed arrays, ordered by (time, priority, sequence).
 *
 * Priority and the insertion sequence are packed into one double (priority · 2^44 + seq), so an
 * ordering test is two float comparisons. Entries live in
 * slots (recycled LIFO, so a pop followed by a push reuses a cache-hot slot) that carry a kind,
 * an integer target and an object payload; the heap holds slot · 8 + kind, so a pop learns the
 * kind without touching the (randomly placed, cold) slot record. Cancellation is lazy:
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
const KIND_BITS = 3; // kinds are 1..7
const KIND_MASK = 7;
const FREE = -1;

export class EventQueue {
  // Heap, by position.
  private times: Float64Array;
  private ords: Float64Array;
  private heapSlots: Int32Array; // slot << KIND_BITS | kind
  private count = 0;
  // Slot records, one 16-byte record per slot (four share a 64-byte cache line): rec[2s] = target,
  // rec[2s + 1] = sequence number, or FREE when the slot is free or cancelled.
  private rec: Float64Array;
  private payloads: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotHigh = 0;
  private nextSeq = 0;
  private dead = 0;
  /**
   * The slot just popped, not yet on the free list: the next push takes it directly (skipping
   * the writes that free it), any other operation frees it first. Its record still reads
   * live, so cancel() must treat it as gone.
   */
  private popped = -1;

  // The entry most recently popped, readable until the next push.
  lastTime = 0;
  lastPriority = 0;
  lastSeq = 0;
  lastKind = 0;
  private lastSlot = 0;
  lastPayload: unknown = undefined;

  /** Target of the last popped entry. A getter, read on demand: the slot record is a cache miss. */
  get lastTarget(): number {
    return this.rec[2 * this.lastSlot]!;
  }

  constructor(capacity = INITIAL_CAPACITY) {
    const c = Math.max(4, capacity | 0);
    this.times = new Float64Array(c);
    this.ords = new Float64Array(c);
    this.heapSlots = new Int32Array(c);
    this.rec = new Float64Array(2 * c);
    this.payloads = new Array(c).fill(undefined);
    this.freeSlots = new Int32Array(c);
  }

  /** Live (not cancelled) entries. */
  get size(): number {
    return this.count - this.dead;
  }

  /** Schedules an entry (kind 1..7); returns its slot. `seqOf(slot)` identifies it for cancel(). */
  push(time: number, priority: number, kind: number, target: number, payload: unknown): number {
    let slot = this.popped;
    if (slot >= 0) this.popped = -1;
    else if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else {
      if (2 * this.slotHigh === this.rec.length) this.growSlots();
      slot = this.slotHigh++;
    }
    const seq = this.nextSeq++;
    this.rec[2 * slot] = target;
    this.rec[2 * slot + 1] = seq;
    this.payloads[slot] = payload;
    if (this.count === this.heapSlots.length) this.growHeap();
    this.siftUp(this.count++, time, priority * SEQ_SPAN + seq, (slot << KIND_BITS) | kind);
    return slot;
  }

  seqOf(slot: number): number {
    return this.rec[2 * slot + 1]!;
  }

  /** Cancels the entry scheduled with this slot and sequence number; false if already gone. */
  cancel(slot: number, seq: number): boolean {
    // A FREE record never equals a (non-negative) seq.
    if (!(slot >= 0 && slot < this.slotHigh) || slot === this.popped || this.rec[2 * slot + 1] !== seq) return false;
    this.cancelSlot(slot);
    return true;
  }

  /** Cancels by slot alone: for owners that know their entry is still pending. */
  cancelSlot(slot: number): void {
    if (slot === this.popped || this.rec[2 * slot + 1] === FREE) return;
    this.rec[2 * slot + 1] = FREE;
    this.payloads[slot] = undefined;
    this.dead++;
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
    if (this.popped >= 0) this.freePopped();
    if (this.dead > 0) this.dropDeadTop();
    if (this.count === 0) return 0;
    const time = this.times[0]!;
    if (time > limit) return -1;
    const ord = this.ords[0]!;
    const ref = this.heapSlots[0]!;
    const slot = ref >> KIND_BITS;
    this.lastTime = time;
    const priority = (ord * INV_SEQ_SPAN) | 0;
    this.lastPriority = priority;
    this.lastSeq = ord - priority * SEQ_SPAN;
    this.lastKind = ref & KIND_MASK;
    this.lastSlot = slot;
    this.lastPayload = this.payloads[slot];
    this.removeTop();
    this.popped = slot; // freed lazily: usually the caller pushes into it at once
    return 1;
  }

  private freePopped(): void {
    const slot = this.popped;
    this.popped = -1;
    this.rec[2 * slot + 1] = FREE;
    this.payloads[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
  }

  private dropDeadTop(): void {
    while (this.count > 0) {
      const slot = this.heapSlots[0]! >> KIND_BITS;
      if (this.rec[2 * slot + 1] !== FREE) return;
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
    const c = this.rec.length; // double the slot count
    this.rec = grow(this.rec, new Float64Array(2 * c));
    this.freeSlots = grow(this.freeSlots, new Int32Array(c));
    for (let i = this.payloads.length; i < c; i++) this.payloads.push(undefined);
  }
}

function grow<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
