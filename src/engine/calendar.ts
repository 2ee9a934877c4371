/**
 * The future event list as a calendar queue (Brown, CACM 1988): `nb` buckets ("days" of
 * `width` ticks, wrapping every year of nb days), each a singly-linked list of slots sorted by
 * (time, ord). A pop scans the bucket-head times from the current day; the bucket count follows
 * the size (×2 / ÷2) and the width is re-estimated from the earliest entries at each resize.
 * Each bucket is one 16-byte record (head time, head, tail) on one buffer. bench/queues.ts
 * compares it with the ladder queue (ladder.ts) and a 4-ary heap.
 */
import { SLOT_F64, SlotRecords } from "./slots.js";

const MIN_BUCKETS = 4;
const WIDTH_SAMPLE = 25;
/** Mean buckets scanned plus list nodes walked per pop above which the width is re-estimated. */
const STEPS_PER_POP = 8;
// Bucket record: f64 [2k] head time (Infinity if empty); i32 [4k+2] head slot, [4k+3] tail slot (-1 if empty).
const BUCKET_F64 = 2;

export class CalendarQueue extends SlotRecords {
  private bucketF = new Float64Array(0);
  private bucketI = new Int32Array(0);
  private nb = 0;
  private width = 1;
  private cur = 0; // bucket of the current day
  private curTop = 1; // end of the current day
  // Buckets scanned and list nodes walked over the last `pops` pops: too many means the day
  // width no longer fits the event spacing (Brown re-sizes only when the size changes).
  private steps = 0;
  private pops = 0;

  constructor(capacity = 64) {
    super(capacity);
    this.setBuckets(MIN_BUCKETS);
  }

  /**
   * Schedules an entry (kind 1..15, see KIND_NO_PAYLOAD); returns its slot. `seqOf(slot)`
   * identifies it for cancel().
   */
  push(time: number, priority: number, kind: number, target: number, payload: unknown, aux = 0): number {
    const slot = this.fill(time, priority, kind, target, payload, aux);
    this.insert(slot);
    // Earlier than the day being scanned (possible after popUntil looked ahead): go back to it.
    if (time < this.curTop - this.width) this.goToDay(Math.floor(time / this.width));
    if (this.count > 2 * this.nb) this.resize(2 * this.nb);
    return slot;
  }

  popUntil(limit: number): number {
    for (;;) {
      if (this.count === 0) return 0;
      const k = this.earliestBucket();
      const slot = this.bucketI[4 * k + 2]!;
      if (this.slotI[8 * slot + 7] !== 0 && this.slotF[SLOT_F64 * slot]! > limit) return -1;
      this.unlinkHead(k, slot);
      if (!this.take(slot)) continue;
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
    const headTime = this.bucketF, mask = this.nb - 1;
    for (let n = 0; n < this.nb; n++) {
      if (headTime[BUCKET_F64 * this.cur]! < this.curTop) {
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
      const s = this.bucketI[4 * k + 2]!;
      if (s >= 0 && (best < 0 || this.before(s, best))) best = s;
    }
    this.goToDay(Math.floor(this.slotF[SLOT_F64 * best]! / this.width));
    return this.cur;
  }

  private goToDay(day: number): void {
    this.cur = day & (this.nb - 1);
    this.curTop = (day + 1) * this.width;
  }

  private insert(slot: number): void {
    const f = this.slotF, i = this.slotI, bi = this.bucketI;
    const time = f[SLOT_F64 * slot]!, ord = f[SLOT_F64 * slot + 1]!;
    const k = Math.floor(time / this.width) & (this.nb - 1);
    const last = bi[4 * k + 3]!;
    if (last >= 0) {
      const lt = f[SLOT_F64 * last]!;
      if (lt < time || (lt === time && f[SLOT_F64 * last + 1]! < ord)) {
        i[8 * last + 6] = slot;
        i[8 * slot + 6] = -1;
        bi[4 * k + 3] = slot;
        return;
      }
    }
    let prev = -1;
    let at = bi[4 * k + 2]!;
    while (at >= 0) {
      const t = f[SLOT_F64 * at]!;
      if (!(t < time || (t === time && f[SLOT_F64 * at + 1]! < ord))) break;
      prev = at;
      at = i[8 * at + 6]!;
      this.steps++;
    }
    i[8 * slot + 6] = at;
    if (at < 0) bi[4 * k + 3] = slot;
    if (prev >= 0) i[8 * prev + 6] = slot;
    else {
      bi[4 * k + 2] = slot;
      this.bucketF[BUCKET_F64 * k] = time;
    }
  }

  private unlinkHead(k: number, slot: number): void {
    const nx = this.slotI[8 * slot + 6]!;
    this.bucketI[4 * k + 2] = nx;
    this.bucketF[BUCKET_F64 * k] = nx >= 0 ? this.slotF[SLOT_F64 * nx]! : Infinity;
    if (nx < 0) this.bucketI[4 * k + 3] = -1;
  }

  private setBuckets(nb: number): void {
    this.nb = nb;
    this.bucketF = new Float64Array(BUCKET_F64 * nb);
    this.bucketI = new Int32Array(this.bucketF.buffer);
    for (let k = 0; k < nb; k++) {
      this.bucketF[BUCKET_F64 * k] = Infinity;
      this.bucketI[4 * k + 2] = -1;
      this.bucketI[4 * k + 3] = -1;
    }
  }

  /** Rebuilds with nb buckets and a width from the earliest entries; drops cancelled entries. */
  private resize(nb: number): void {
    const slots: number[] = [];
    for (let k = 0; k < this.nb; k++) {
      for (let s = this.bucketI[4 * k + 2]!; s >= 0; s = this.slotI[8 * s + 6]!) {
        if (this.slotI[8 * s + 7] === 0) this.take(s); // cancelled: free it
        else slots.push(s);
      }
    }
    const times = Float64Array.from(slots, (s) => this.slotF[SLOT_F64 * s]!).sort(); // numeric, native
    this.width = estimateWidth(times, this.width);
    this.steps = this.pops = 0;
    this.setBuckets(nb);
    for (const s of slots) this.insert(s);
    this.goToDay(Math.floor((times.length > 0 ? times[0]! : this.lastTime) / this.width));
  }
}

/**
 * Brown's day width: three times the mean gap between the earliest sorted times, leaving out
 * gaps over twice the mean (a burst at one instant gives width 1).
 */
export function estimateWidth(sortedTimes: ArrayLike<number>, fallback: number): number {
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
