/**
 * The future event list as a calendar queue (Brown, CACM 1988) on typed arrays: `nb` buckets
 * ("days" of `width` ticks, wrapping every year of nb days), each a singly-linked list of slots
 * sorted by (time, ord), with ord = priority·2^44 + sequence as in the heap it replaced. A pop
 * scans a typed array of bucket-head times from the current day; the bucket count follows the
 * size (×2 / ÷2) and the width is re-estimated from the earliest entries at each resize. On the
 * hold model it beat the 4-ary heap at 1,000 and 100,000 pending entries (bench/queues.ts).
 * Same API and the exact same order as EventQueue; cancellation is lazy (skipped when reached).
 */
import { SEQ_SPAN } from "./queue.js";

const INV_SEQ_SPAN = 2 ** -44; // exact: a power of two
const FREE = -1;
const MIN_BUCKETS = 4;
const WIDTH_SAMPLE = 25;
/** Mean buckets scanned plus list nodes walked per pop above which the width is re-estimated. */
const STEPS_PER_POP = 8;

export class CalendarQueue {
  // Per slot: time, ord, kind, next slot in its bucket, and the record (target, sequence or FREE).
  private times: Float64Array;
  private ords: Float64Array;
  private kinds: Uint8Array;
  private next: Int32Array;
  private rec: Float64Array;
  private payloads: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotHigh = 0;
  private nextSeq = 0;
  private count = 0; // entries in buckets, cancelled ones included
  private dead = 0;
  // Buckets: first slot (-1 if empty) and its time (Infinity if empty).
  private head = new Int32Array(MIN_BUCKETS).fill(-1);
  private headTime = new Float64Array(MIN_BUCKETS).fill(Infinity);
  private nb = MIN_BUCKETS;
  private width = 1;
  private cur = 0; // bucket of the current day
  private curTop = 1; // end of the current day
  // Buckets scanned and list nodes walked over the last `pops` pops: too many means the day
  // width no longer fits the event spacing (Brown re-sizes only when the size changes).
  private steps = 0;
  private pops = 0;

  lastTime = 0;
  lastPriority = 0;
  lastSeq = 0;
  lastKind = 0;
  private lastSlot = 0;
  lastPayload: unknown = undefined;

  /** Target of the last popped entry, readable until the next push. */
  get lastTarget(): number {
    return this.rec[2 * this.lastSlot]!;
  }

  constructor(capacity = 64) {
    const c = Math.max(4, capacity | 0);
    this.times = new Float64Array(c);
    this.ords = new Float64Array(c);
    this.kinds = new Uint8Array(c);
    this.next = new Int32Array(c);
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
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else {
      if (this.slotHigh === this.times.length) this.growSlots();
      slot = this.slotHigh++;
    }
    const seq = this.nextSeq++;
    this.rec[2 * slot] = target;
    this.rec[2 * slot + 1] = seq;
    this.payloads[slot] = payload;
    this.kinds[slot] = kind;
    this.times[slot] = time;
    this.ords[slot] = priority * SEQ_SPAN + seq;
    this.insert(slot);
    // Earlier than the day being scanned (possible after popUntil looked ahead): go back to it.
    if (time < this.curTop - this.width) this.goToDay(Math.floor(time / this.width));
    if (++this.count > 2 * this.nb) this.resize(2 * this.nb);
    return slot;
  }

  seqOf(slot: number): number {
    return this.rec[2 * slot + 1]!;
  }

  /** Cancels the entry scheduled with this slot and sequence number; false if already gone. */
  cancel(slot: number, seq: number): boolean {
    if (!(slot >= 0 && slot < this.slotHigh) || this.rec[2 * slot + 1] !== seq) return false;
    this.cancelSlot(slot);
    return true;
  }

  /** Cancels by slot alone: for owners that know their entry is still pending. */
  cancelSlot(slot: number): void {
    if (this.rec[2 * slot + 1] === FREE) return;
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
    for (;;) {
      if (this.count === 0) return 0;
      const k = this.earliestBucket();
      const slot = this.head[k]!;
      const live = this.rec[2 * slot + 1] !== FREE;
      const time = this.times[slot]!;
      if (live && time > limit) return -1;
      this.unlinkHead(k, slot);
      if (!live) {
        this.dead--;
        continue;
      }
      const ord = this.ords[slot]!;
      this.lastTime = time;
      const priority = (ord * INV_SEQ_SPAN) | 0;
      this.lastPriority = priority;
      this.lastSeq = ord - priority * SEQ_SPAN;
      this.lastKind = this.kinds[slot]!;
      this.lastSlot = slot;
      this.lastPayload = this.payloads[slot];
      this.payloads[slot] = undefined;
      this.rec[2 * slot + 1] = FREE; // gone: cancel() of it now fails; the target stays readable
      if (this.count < this.nb / 2 && this.nb > MIN_BUCKETS) this.resize(this.nb / 2);
      else if (++this.pops >= this.nb) {
        if (this.steps > STEPS_PER_POP * this.pops) this.resize(this.nb); // re-estimate the width
        this.steps = this.pops = 0;
      }
      return 1;
    }
  }

  /** The bucket holding the earliest entry; advances the current day to it. */
  private earliestBucket(): number {
    const headTime = this.headTime, mask = this.nb - 1;
    for (let n = 0; n < this.nb; n++) {
      if (headTime[this.cur]! < this.curTop) {
        this.steps += n;
        return this.cur;
      }
      this.cur = (this.cur + 1) & mask;
      this.curTop += this.width;
    }
    // A whole year without an entry: jump to the earliest bucket head.
    this.steps += 2 * this.nb;
    let best = -1;
    for (let k = 0; k < this.nb; k++) {
      const s = this.head[k]!;
      if (s >= 0 && (best < 0 || this.before(s, best))) best = s;
    }
    this.goToDay(Math.floor(this.times[best]! / this.width));
    return this.cur;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a]!, tb = this.times[b]!;
    return ta < tb || (ta === tb && this.ords[a]! < this.ords[b]!);
  }

  private goToDay(day: number): void {
    this.cur = day & (this.nb - 1);
    this.curTop = (day + 1) * this.width;
  }

  private insert(slot: number): void {
    const time = this.times[slot]!, ord = this.ords[slot]!, times = this.times, ords = this.ords, next = this.next;
    const k = Math.floor(time / this.width) & (this.nb - 1);
    let prev = -1;
    let at = this.head[k]!;
    while (at >= 0 && (times[at]! < time || (times[at] === time && ords[at]! < ord))) {
      prev = at;
      at = next[at]!;
      this.steps++;
    }
    next[slot] = at;
    if (prev >= 0) next[prev] = slot;
    else {
      this.head[k] = slot;
      this.headTime[k] = time;
    }
  }

  private unlinkHead(k: number, slot: number): void {
    const nx = this.next[slot]!;
    this.head[k] = nx;
    this.headTime[k] = nx >= 0 ? this.times[nx]! : Infinity;
    this.freeSlots[this.freeCount++] = slot;
    this.count--;
  }

  /** Rebuilds with nb buckets and a width from the earliest entries; drops cancelled entries. */
  private resize(nb: number): void {
    const slots: number[] = [];
    for (let k = 0; k < this.nb; k++) {
      for (let s = this.head[k]!; s >= 0; s = this.next[s]!) {
        if (this.rec[2 * s + 1] === FREE) {
          this.freeSlots[this.freeCount++] = s;
          this.count--;
          this.dead--;
        } else slots.push(s);
      }
    }
    const times = slots.map((s) => this.times[s]!).sort((a, b) => a - b);
    this.width = estimateWidth(times, this.width);
    this.nb = nb;
    this.steps = this.pops = 0;
    this.head = new Int32Array(nb).fill(-1);
    this.headTime = new Float64Array(nb).fill(Infinity);
    for (const s of slots) this.insert(s);
    this.goToDay(Math.floor((times.length > 0 ? times[0]! : this.lastTime) / this.width));
  }

  private growSlots(): void {
    const c = this.times.length * 2;
    this.times = grow(this.times, new Float64Array(c));
    this.ords = grow(this.ords, new Float64Array(c));
    this.kinds = grow(this.kinds, new Uint8Array(c));
    this.next = grow(this.next, new Int32Array(c));
    this.rec = grow(this.rec, new Float64Array(2 * c));
    this.freeSlots = grow(this.freeSlots, new Int32Array(c));
    for (let i = this.payloads.length; i < c; i++) this.payloads.push(undefined);
  }
}

/**
 * Brown's day width: three times the mean gap between the earliest sorted times, leaving out
 * gaps over twice the mean (a burst at one instant gives width 1).
 */
export function estimateWidth(sortedTimes: readonly number[], fallback: number): number {
  const n = Math.min(WIDTH_SAMPLE, sortedTimes.length);
  if (n < 2) return fallback;
  let sum = 0;
  for (let i = 1; i < n; i++) sum += sortedTimes[i]! - sortedTimes[i - 1]!;
  const mean = sum / (n - 1);
  let kept = 0, keptSum = 0;
  for (let i = 1; i < n; i++) {
    const g = sortedTimes[i]! - sortedTimes[i - 1]!;
    if (g <= 2 * mean) { kept++; keptSum += g; }
  }
  return Math.max(1, Math.ceil(3 * (kept > 0 ? keptSum / kept : mean)));
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
