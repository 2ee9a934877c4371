/**
 * The future event list: a 4-ary min-heap on typed arrays, ordered by (time, priority, sequence).
 *
 * Priority and the insertion sequence are packed into one double (priority · 2^44 + seq), so an
 * ordering test is two float comparisons. Keys are interleaved (time, ord) and shifted by three
 * places so that the four children of a node share one 64-byte cache line. Entries live in
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
const OFFSET = 3; // logical heap index i lives at physical position i + OFFSET
const INITIAL_CAPACITY = 64;

export class EventQueue {
  // Heap, by physical position: keys[2p] = time, keys[2p + 1] = ord; slots[p].
  private keys: Float64Array;
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
    this.keys = new Float64Array(2 * (c + OFFSET));
    this.heapSlots = new Int32Array(c + OFFSET);
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
    return this.keys.byteLength + this.heapSlots.byteLength + this.meta.byteLength + this.seqs.byteLength +
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
    if (this.count + OFFSET === this.heapSlots.length) this.growHeap();
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
    this.dropDeadTop();
    return this.count === 0 ? Infinity : this.keys[2 * OFFSET]!;
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
    this.dropDeadTop();
    if (this.count === 0) return 0;
    const time = this.keys[2 * OFFSET]!;
    if (time > limit) return -1;
    const ord = this.keys[2 * OFFSET + 1]!;
    const slot = this.heapSlots[OFFSET]!;
    this.lastTime = time;
    const priority = (ord / SEQ_SPAN) | 0;
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
      const slot = this.heapSlots[OFFSET]!;
      if (this.meta[2 * slot] !== 0) return;
      this.removeTop();
      this.dead--;
      this.freeSlots[this.freeCount++] = slot;
    }
  }

  private removeTop(): void {
    const last = --this.count;
    if (last > 0) {
      const p = last + OFFSET;
      this.siftDown(this.keys[2 * p]!, this.keys[2 * p + 1]!, this.heapSlots[p]!, last);
    }
  }

  // Hole sifting: move the hole, write the element once.
  private siftUp(i: number, time: number, ord: number, slot: number): void {
    const k = this.keys, hs = this.heapSlots;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pp = parent + OFFSET;
      const pt = k[2 * pp]!;
      if (pt < time || (pt === time && k[2 * pp + 1]! < ord)) break;
      const p = i + OFFSET;
      k[2 * p] = pt;
      k[2 * p + 1] = k[2 * pp + 1]!;
      hs[p] = hs[pp]!;
      i = parent;
    }
    const p = i + OFFSET;
    k[2 * p] = time;
    k[2 * p + 1] = ord;
    hs[p] = slot;
  }

  private siftDown(time: number, ord: number, slot: number, n: number): void {
    const k = this.keys, hs = this.heapSlots;
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= n) break;
      let best = first + OFFSET;
      let bt = k[2 * best]!;
      let bo = k[2 * best + 1]!;
      const end = (first + 4 < n ? first + 4 : n) + OFFSET;
      for (let c = first + OFFSET + 1; c < end; c++) {
        const ct = k[2 * c]!;
        if (ct < bt || (ct === bt && k[2 * c + 1]! < bo)) {
          best = c;
          bt = ct;
          bo = k[2 * c + 1]!;
        }
      }
      if (time < bt || (time === bt && ord < bo)) break;
      const p = i + OFFSET;
      k[2 * p] = bt;
      k[2 * p + 1] = bo;
      hs[p] = hs[best]!;
      i = best - OFFSET;
    }
    const p = i + OFFSET;
    k[2 * p] = time;
    k[2 * p + 1] = ord;
    hs[p] = slot;
  }

  private growHeap(): void {
    const c = this.heapSlots.length * 2;
    this.keys = grow(this.keys, new Float64Array(2 * c));
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
