/**
 * The future event list: a 4-ary min-heap on typed arrays, ordered by (time, priority, sequence).
 *
 * Priority and the insertion sequence are packed into one double (priority · 2^44 + seq), so an
 * ordering test is two float comparisons. Entries live in slots (recycled through a free list)
 * that carry a kind, an integer target and an object payload; the heap holds slot numbers.
 * Cancellation is lazy: the slot is marked dead and skipped when it reaches the top.
 */

/** Interrupts and other work that must precede ordinary events at the same instant. */
export const PRIORITY_URGENT = 0;
export const PRIORITY_NORMAL = 1;
/** Work that should see everything else that happens at the same instant first. */
export const PRIORITY_LATE = 2;
export const MAX_PRIORITY = 255;

const SEQ_SPAN = 2 ** 44;
const INITIAL_CAPACITY = 64;

export class EventQueue {
  // Heap, by position.
  private hTime: Float64Array;
  private hOrd: Float64Array;
  private hSlot: Int32Array;
  private count = 0;
  // Slots, by slot number.
  private sKind: Int32Array;
  private sTarget: Int32Array;
  private sSeq: Float64Array;
  private sAlive: Uint8Array;
  private sPayload: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotHigh = 0;
  private nextSeq = 0;
  private dead = 0;

  // The entry most recently returned by pop(), readable until the next push.
  lastTime = 0;
  lastPriority = 0;
  lastSeq = 0;
  lastKind = 0;
  lastTarget = 0;
  lastPayload: unknown = undefined;

  constructor(capacity = INITIAL_CAPACITY) {
    const c = Math.max(4, capacity | 0);
    this.hTime = new Float64Array(c);
    this.hOrd = new Float64Array(c);
    this.hSlot = new Int32Array(c);
    this.sKind = new Int32Array(c);
    this.sTarget = new Int32Array(c);
    this.sSeq = new Float64Array(c);
    this.sAlive = new Uint8Array(c);
    this.sPayload = new Array(c).fill(undefined);
    this.freeSlots = new Int32Array(c);
  }

  /** Live (not cancelled) entries. */
  get size(): number {
    return this.count - this.dead;
  }

  /** Sequence number the next push will receive. */
  get sequence(): number {
    return this.nextSeq;
  }

  /** Bytes held by the typed arrays (for memory benchmarks). */
  get bytesAllocated(): number {
    const c = this.hTime.length;
    return c * (8 + 8 + 4 + 4 + 4 + 8 + 1 + 4 + 8);
  }

  /** Schedules an entry; returns its slot. `seqOf(slot)` identifies it for cancel(). */
  push(time: number, priority: number, kind: number, target: number, payload: unknown): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else {
      if (this.slotHigh === this.sKind.length) this.growSlots();
      slot = this.slotHigh++;
    }
    const seq = this.nextSeq++;
    this.sKind[slot] = kind;
    this.sTarget[slot] = target;
    this.sSeq[slot] = seq;
    this.sAlive[slot] = 1;
    this.sPayload[slot] = payload;
    if (this.count === this.hTime.length) this.growHeap();
    this.siftUp(this.count++, time, priority * SEQ_SPAN + seq, slot);
    return slot;
  }

  seqOf(slot: number): number {
    return this.sSeq[slot]!;
  }

  /** Cancels the entry scheduled with this slot and sequence number; false if already gone. */
  cancel(slot: number, seq: number): boolean {
    if (slot < 0 || slot >= this.slotHigh || this.sAlive[slot] !== 1 || this.sSeq[slot] !== seq) return false;
    this.sAlive[slot] = 0;
    this.sPayload[slot] = undefined;
    this.dead++;
    return true;
  }

  /** Time of the earliest live entry, or Infinity. */
  peekTime(): number {
    this.dropDeadTop();
    return this.count === 0 ? Infinity : this.hTime[0]!;
  }

  /** Removes the earliest live entry into the `last*` fields; false when empty. */
  pop(): boolean {
    this.dropDeadTop();
    if (this.count === 0) return false;
    const slot = this.hSlot[0]!;
    const ord = this.hOrd[0]!;
    this.lastTime = this.hTime[0]!;
    this.lastPriority = Math.floor(ord / SEQ_SPAN);
    this.lastSeq = this.sSeq[slot]!;
    this.lastKind = this.sKind[slot]!;
    this.lastTarget = this.sTarget[slot]!;
    this.lastPayload = this.sPayload[slot];
    this.removeTop();
    this.sAlive[slot] = 0;
    this.sPayload[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
    return true;
  }

  private dropDeadTop(): void {
    while (this.count > 0) {
      const slot = this.hSlot[0]!;
      if (this.sAlive[slot] === 1) return;
      this.removeTop();
      this.dead--;
      this.freeSlots[this.freeCount++] = slot;
    }
  }

  private removeTop(): void {
    const last = --this.count;
    if (last > 0) this.siftDown(this.hTime[last]!, this.hOrd[last]!, this.hSlot[last]!, last);
  }

  // Hole sifting: move the hole, write the element once.
  private siftUp(i: number, time: number, ord: number, slot: number): void {
    const ht = this.hTime, ho = this.hOrd, hs = this.hSlot;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = ht[parent]!;
      if (pt < time || (pt === time && ho[parent]! < ord)) break;
      ht[i] = pt;
      ho[i] = ho[parent]!;
      hs[i] = hs[parent]!;
      i = parent;
    }
    ht[i] = time;
    ho[i] = ord;
    hs[i] = slot;
  }

  private siftDown(time: number, ord: number, slot: number, n: number): void {
    const ht = this.hTime, ho = this.hOrd, hs = this.hSlot;
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= n) break;
      let best = first;
      let bt = ht[first]!;
      let bo = ho[first]!;
      const end = first + 4 < n ? first + 4 : n;
      for (let c = first + 1; c < end; c++) {
        const ct = ht[c]!;
        if (ct < bt || (ct === bt && ho[c]! < bo)) {
          best = c;
          bt = ct;
          bo = ho[c]!;
        }
      }
      if (time < bt || (time === bt && ord < bo)) break;
      ht[i] = bt;
      ho[i] = bo;
      hs[i] = hs[best]!;
      i = best;
    }
    ht[i] = time;
    ho[i] = ord;
    hs[i] = slot;
  }

  private growHeap(): void {
    const c = this.hTime.length * 2;
    this.hTime = grow(this.hTime, new Float64Array(c));
    this.hOrd = grow(this.hOrd, new Float64Array(c));
    this.hSlot = grow(this.hSlot, new Int32Array(c));
  }

  private growSlots(): void {
    const c = this.sKind.length * 2;
    this.sKind = grow(this.sKind, new Int32Array(c));
    this.sTarget = grow(this.sTarget, new Int32Array(c));
    this.sSeq = grow(this.sSeq, new Float64Array(c));
    this.sAlive = grow(this.sAlive, new Uint8Array(c));
    this.freeSlots = grow(this.freeSlots, new Int32Array(c));
    for (let i = this.sPayload.length; i < c; i++) this.sPayload.push(undefined);
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
