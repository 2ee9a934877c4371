/**
 * Pending-event set candidates on the queue-only hold model (pop the earliest, push it back at
 * time + increment), all in exact (time, ord) order with ord = priority·2^44 + sequence:
 * - heap4: a bare 4-ary typed-array heap (bench/bare.ts; the engine's former queue did the same plus
 *   slots, kinds and lazy cancellation, so this flatters the heap);
 * - engine: the engine's CalendarQueue itself (slots, kinds, lazy cancellation);
 * - calendar: Brown's calendar queue (1988), buckets of one "day" kept sorted, resized as the
 *   set grows or shrinks, bucket width from the gaps of the earliest entries;
 * - calendar-typed: the same on typed arrays only (sorted singly-linked buckets);
 * - radix: a radix heap for integer ticks (keys never below the last popped time, as in a DES):
 *   bucket k holds keys whose highest bit differing from the last popped time is bit k−1.
 * Each must pop exactly what heap4 pops; the bench checks it by comparing checksums.
 */
import { CalendarQueue, distribution, type Distribution, Simulation } from "../src/engine/index.js";
import { TypedHeap4 } from "./bare.js";
import { INCREMENTS } from "./hold.js";

interface PendingSet {
  push(time: number, ord: number, ref: number): void;
  /** Pops the earliest into last*; false when empty. */
  pop(): boolean;
  lastTime: number;
  lastOrd: number;
  lastRef: number;
}

class Heap4Adapter implements PendingSet {
  private readonly h = new TypedHeap4(1024);
  lastTime = 0; lastOrd = 0; lastRef = 0;
  push(time: number, ord: number, ref: number): void {
    this.h.push(time, ord, ref);
  }
  pop(): boolean {
    if (this.h.size === 0) return false;
    this.lastTime = this.h.topTime; this.lastOrd = this.h.topOrd; this.lastRef = this.h.topId;
    this.h.popTop();
    return true;
  }
}

class EngineAdapter implements PendingSet {
  private readonly q = new CalendarQueue(1024);
  lastTime = 0; lastOrd = 0; lastRef = 0;
  push(time: number, _ord: number, ref: number): void {
    this.q.push(time, 1, 1, ref, null); // priority 1, sequence = push order: the same ord
  }
  pop(): boolean {
    if (!this.q.pop()) return false;
    this.lastTime = this.q.lastTime; this.lastOrd = this.q.lastSeq; this.lastRef = this.q.lastTarget;
    return true;
  }
}

/** Entries in typed arrays; buckets hold entry ids sorted descending (earliest at the end). */
class JsArrayCalendarQueue implements PendingSet {
  private t = new Float64Array(1024); private o = new Float64Array(1024); private r = new Float64Array(1024);
  private free: number[] = []; private high = 0;
  private buckets: number[][] = [];
  /** Earliest time in each bucket (Infinity if empty): the day scan reads only this typed array. */
  private heads = new Float64Array(2);
  private nb = 2; private width = 1; private size = 0;
  private cur = 0; private curTop = 1; // bucket to search and the end of its current day
  lastTime = 0; lastOrd = 0; lastRef = 0;
  constructor() { this.reset(2, 1, 0); }

  push(time: number, ord: number, ref: number): void {
    let id = this.free.pop();
    if (id === undefined) {
      if (this.high === this.t.length) this.growEntries();
      id = this.high++;
    }
    this.t[id] = time; this.o[id] = ord; this.r[id] = ref;
    this.insert(id);
    if (++this.size > 2 * this.nb) this.resize(2 * this.nb);
  }

  private insert(id: number): void {
    const time = this.t[id]!, ord = this.o[id]!;
    const k = Math.floor(time / this.width) & (this.nb - 1);
    const b = this.buckets[k]!;
    if (time < this.heads[k]!) this.heads[k] = time;
    let i = b.length;
    b.push(id);
    while (i > 0) { // keep descending order: move later entries up
      const j = b[i - 1]!;
      const tj = this.t[j]!;
      if (tj > time || (tj === time && this.o[j]! > ord)) break;
      b[i] = j;
      i--;
    }
    b[i] = id;
  }

  pop(): boolean {
    if (this.size === 0) return false;
    const heads = this.heads;
    for (let n = 0; n < this.nb; n++) {
      if (heads[this.cur]! < this.curTop) return this.take(this.buckets[this.cur]!);
      this.cur = (this.cur + 1) & (this.nb - 1);
      this.curTop += this.width;
    }
    // A whole year without a hit: jump to the earliest head directly.
    let best = -1;
    for (const b of this.buckets) {
      if (b.length === 0) continue;
      const id = b[b.length - 1]!;
      if (best < 0 || this.t[id]! < this.t[best]! || (this.t[id] === this.t[best] && this.o[id]! < this.o[best]!)) best = id;
    }
    const day = Math.floor(this.t[best]! / this.width);
    this.cur = day & (this.nb - 1);
    this.curTop = (day + 1) * this.width;
    return this.take(this.buckets[this.cur]!);
  }

  private take(b: number[]): boolean {
    const id = b.pop()!;
    this.heads[this.cur] = b.length > 0 ? this.t[b[b.length - 1]!]! : Infinity;
    this.lastTime = this.t[id]!; this.lastOrd = this.o[id]!; this.lastRef = this.r[id]!;
    this.free.push(id);
    if (--this.size < this.nb / 2 && this.nb > 2) this.resize(this.nb / 2);
    return true;
  }

  private resize(nb: number): void {
    const ids: number[] = [];
    for (const b of this.buckets) for (const id of b) ids.push(id);
    this.reset(nb, calendarWidth(ids.map((id) => this.t[id]!), this.width), this.lastTime);
    for (const id of ids) this.insert(id);
  }

  private reset(nb: number, width: number, now: number): void {
    this.nb = nb; this.width = width;
    this.buckets = Array.from({ length: nb }, () => []);
    this.heads = new Float64Array(nb).fill(Infinity);
    const day = Math.floor(now / width);
    this.cur = day & (nb - 1);
    this.curTop = (day + 1) * width;
  }

  private growEntries(): void {
    const grow = (a: Float64Array) => { const b = new Float64Array(a.length * 2); b.set(a); return b; };
    this.t = grow(this.t); this.o = grow(this.o); this.r = grow(this.r);
  }
}

/** The calendar queue on typed arrays only: each bucket a sorted singly-linked list of entry ids. */
class TypedCalendarQueue implements PendingSet {
  private t = new Float64Array(1024); private o = new Float64Array(1024); private r = new Float64Array(1024);
  private next = new Int32Array(1024);
  private free = new Int32Array(1024); private freeCount = 0; private high = 0;
  private head = new Int32Array(2); private heads = new Float64Array(2);
  private nb = 2; private width = 1; private size = 0;
  private cur = 0; private curTop = 1;
  lastTime = 0; lastOrd = 0; lastRef = 0;
  constructor() { this.reset(2, 1, 0); }

  push(time: number, ord: number, ref: number): void {
    let id: number;
    if (this.freeCount > 0) id = this.free[--this.freeCount]!;
    else {
      if (this.high === this.t.length) this.growEntries();
      id = this.high++;
    }
    this.t[id] = time; this.o[id] = ord; this.r[id] = ref;
    this.insert(id);
    if (++this.size > 2 * this.nb) this.resize(2 * this.nb);
  }

  private insert(id: number): void {
    const time = this.t[id]!, ord = this.o[id]!, t = this.t, o = this.o, next = this.next;
    const k = Math.floor(time / this.width) & (this.nb - 1);
    let prev = -1, at = this.head[k]!;
    while (at >= 0 && (t[at]! < time || (t[at] === time && o[at]! < ord))) { prev = at; at = next[at]!; }
    next[id] = at;
    if (prev < 0) { this.head[k] = id; this.heads[k] = time; } else next[prev] = id;
  }

  pop(): boolean {
    if (this.size === 0) return false;
    const heads = this.heads, mask = this.nb - 1;
    for (let n = 0; n < this.nb; n++) {
      if (heads[this.cur]! < this.curTop) return this.take();
      this.cur = (this.cur + 1) & mask;
      this.curTop += this.width;
    }
    let best = -1;
    for (let k = 0; k < this.nb; k++) {
      const id = this.head[k]!;
      if (id >= 0 && (best < 0 || this.t[id]! < this.t[best]! || (this.t[id] === this.t[best] && this.o[id]! < this.o[best]!))) best = id;
    }
    const day = Math.floor(this.t[best]! / this.width);
    this.cur = day & mask;
    this.curTop = (day + 1) * this.width;
    return this.take();
  }

  private take(): boolean {
    const k = this.cur, id = this.head[k]!, nx = this.next[id]!;
    this.head[k] = nx;
    this.heads[k] = nx >= 0 ? this.t[nx]! : Infinity;
    this.lastTime = this.t[id]!; this.lastOrd = this.o[id]!; this.lastRef = this.r[id]!;
    this.free[this.freeCount++] = id;
    if (--this.size < this.nb / 2 && this.nb > 2) this.resize(this.nb / 2);
    return true;
  }

  private resize(nb: number): void {
    const ids: number[] = [];
    for (let k = 0; k < this.nb; k++) for (let id = this.head[k]!; id >= 0; id = this.next[id]!) ids.push(id);
    this.reset(nb, calendarWidth(ids.map((id) => this.t[id]!), this.width), this.lastTime);
    for (const id of ids) this.insert(id);
  }

  private reset(nb: number, width: number, now: number): void {
    this.nb = nb; this.width = width;
    this.head = new Int32Array(nb).fill(-1);
    this.heads = new Float64Array(nb).fill(Infinity);
    const day = Math.floor(now / width);
    this.cur = day & (nb - 1);
    this.curTop = (day + 1) * width;
  }

  private growEntries(): void {
    const c = this.t.length * 2;
    const grow = <A extends Float64Array | Int32Array>(a: A, b: A) => { b.set(a); return b; };
    this.t = grow(this.t, new Float64Array(c)); this.o = grow(this.o, new Float64Array(c)); this.r = grow(this.r, new Float64Array(c));
    this.next = grow(this.next, new Int32Array(c)); this.free = grow(this.free, new Int32Array(c));
  }
}

/** Radix heap on integer times; within a bucket-0 time, entries leave in ord order. */
class RadixHeap implements PendingSet {
  private readonly buckets: Array<{ t: number[]; o: number[]; r: number[] }> = Array.from({ length: 55 }, () => ({ t: [], o: [], r: [] }));
  private last = 0; private size = 0;
  lastTime = 0; lastOrd = 0; lastRef = 0;

  private index(time: number): number {
    if (time === this.last) return 0;
    // Highest differing bit of two integers < 2^53: split into 32-bit halves.
    const hiA = Math.floor(time / 4294967296), hiB = Math.floor(this.last / 4294967296);
    if (hiA !== hiB) return 33 + 31 - Math.clz32(hiA ^ hiB);
    return 1 + 31 - Math.clz32((time >>> 0) ^ (this.last >>> 0));
  }

  push(time: number, ord: number, ref: number): void {
    const b = this.buckets[this.index(time)]!;
    b.t.push(time); b.o.push(ord); b.r.push(ref);
    this.size++;
  }

  pop(): boolean {
    if (this.size === 0) return false;
    const b0 = this.buckets[0]!;
    if (b0.t.length === 0) {
      let k = 1;
      while (this.buckets[k]!.t.length === 0) k++;
      const b = this.buckets[k]!;
      let min = b.t[0]!;
      for (let i = 1; i < b.t.length; i++) if (b.t[i]! < min) min = b.t[i]!;
      this.last = min;
      const { t, o, r } = b;
      b.t = []; b.o = []; b.r = [];
      for (let i = 0; i < t.length; i++) {
        const d = this.buckets[this.index(t[i]!)]!;
        d.t.push(t[i]!); d.o.push(o[i]!); d.r.push(r[i]!);
      }
    }
    // Bucket 0: all at time `last`; take the smallest ord (usually the first).
    let best = 0;
    for (let i = 1; i < b0.o.length; i++) if (b0.o[i]! < b0.o[best]!) best = i;
    this.lastTime = b0.t[best]!; this.lastOrd = b0.o[best]!; this.lastRef = b0.r[best]!;
    b0.t.splice(best, 1); b0.o.splice(best, 1); b0.r.splice(best, 1);
    this.size--;
    return true;
  }
}

/** Brown: three times the mean gap between the earliest few times (ignoring outlying gaps). */
function calendarWidth(times: number[], fallback: number): number {
  if (times.length < 2) return fallback;
  times.sort((a, b) => a - b); // O(n log n) per resize; resizes are a doubling apart
  const sample = Math.min(25, times.length);
  const gaps: number[] = [];
  for (let i = 1; i < sample; i++) gaps.push(times[i]! - times[i - 1]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const kept = gaps.filter((g) => g <= 2 * mean);
  const m2 = kept.length > 0 ? kept.reduce((a, b) => a + b, 0) / kept.length : mean;
  return Math.max(1, Math.ceil(3 * m2));
}

export const CANDIDATES: Record<string, () => PendingSet> = {
  heap4: () => new Heap4Adapter(),
  engine: () => new EngineAdapter(),
  calendar: () => new JsArrayCalendarQueue(),
  "calendar-typed": () => new TypedCalendarQueue(),
  radix: () => new RadixHeap(),
};

export interface QueueResult {
  readonly name: "queue";
  readonly queue: string;
  readonly increments: string;
  readonly n: number;
  readonly ops: number;
  readonly opsPerSec: number;
  /** Sum over pops of ref × (pop index mod 1000): equal across candidates iff the order is. */
  readonly checksum: number;
}

/** Queue-only hold model: n entries; each pop pushes its ref back at time + increment. */
export function runQueueHold(queue: string, increments: string, n: number, ops: number): QueueResult {
  const q = CANDIDATES[queue]!();
  const delay: Distribution = distribution(INCREMENTS[increments]!);
  const rng = new Simulation({ seed: 1 }).streams.get("hold");
  let seq = 0;
  const ORD = 2 ** 44; // priority 1
  for (let i = 0; i < n; i++) q.push(Math.floor(delay.sample(rng)), ORD + seq++, i);
  let checksum = 0;
  const step = (count: number, sum: boolean) => {
    for (let k = 0; k < count; k++) {
      q.pop();
      if (sum) checksum = (checksum + q.lastRef * (k % 1000) + q.lastTime) % 1e15;
      q.push(q.lastTime + Math.floor(delay.sample(rng)), ORD + seq++, q.lastRef);
    }
  };
  step(Math.min(ops, 200_000), false);
  const t0 = process.hrtime.bigint();
  step(ops, true);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name: "queue", queue, increments, n, ops, opsPerSec: ops / seconds, checksum };
}
