/**
 * The entries of a pending-event set, shared by its implementations (calendar.ts, ladder.ts):
 * one 32-byte record per slot (time, ord, target, aux, next, kind) on one ArrayBuffer, so
 * touching an entry costs one cache line, not one per field; with 10^5 pending entries the queue
 * is bound by cache and TLB misses rather than instructions. ord = priority·2^44 + sequence
 * (queue.ts). Cancellation is lazy: kind 0 marks a free or cancelled slot, skipped when reached.
 * Entries whose kind has the KIND_NO_PAYLOAD bit carry only the integer `aux` (a process's row
 * in the process table): popping them reads no JS array, only the record.
 */
import { KIND_NO_PAYLOAD, SEQ_SPAN } from "./queue.js";

const INV_SEQ_SPAN = 2 ** -44; // exact: a power of two
/**
 * f64 words per slot: [4s] time, [4s+1] ord; as i32: [8s+4] target (32 bits: the fingerprint
 * folds no more of it), [8s+5] aux, [8s+6] next in a calendar bucket (whose sorted lists compare
 * records as they walk), [8s+7] kind.
 */
export const SLOT_F64 = 4;

export abstract class SlotRecords {
  /** @internal */ protected slotF: Float64Array;
  /** @internal */ protected slotI: Int32Array;
  /**
   * @internal Links of unsorted lists (ladder buckets), apart from the records: walking a list
   * touches 4 dense bytes per entry, and the records it finds can then be read in parallel.
   */
  protected slotNext: Int32Array;
  private payloads: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotHigh = 0;
  private nextSeq = 0;
  /** Entries held, cancelled ones included. */
  protected count = 0;
  protected dead = 0;

  lastTime = 0;
  lastPriority = 0;
  lastSeq = 0;
  lastKind = 0;
  /** The last popped entry's aux word (entries without payload). */
  lastAux = 0;
  private lastSlot = 0;
  lastPayload: unknown = undefined;

  constructor(capacity: number) {
    const c = Math.max(4, capacity | 0);
    this.slotF = new Float64Array(SLOT_F64 * c);
    this.slotI = new Int32Array(this.slotF.buffer);
    this.slotNext = new Int32Array(c);
    this.payloads = new Array(c).fill(undefined);
    this.freeSlots = new Int32Array(c);
  }

  /** Target of the last popped entry (as a 32-bit signed integer), readable until the next push. */
  get lastTarget(): number {
    return this.slotI[8 * this.lastSlot + 4]!;
  }

  /** Live (not cancelled) entries. */
  get size(): number {
    return this.count - this.dead;
  }

  /** The sequence number of the entry in `slot` (valid while it is pending). */
  seqOf(slot: number): number {
    const ord = this.slotF[SLOT_F64 * slot + 1]!;
    return ord - ((ord * INV_SEQ_SPAN) | 0) * SEQ_SPAN;
  }

  /** Cancels the entry scheduled with this slot and sequence number; false if already gone. */
  cancel(slot: number, seq: number): boolean {
    if (!(slot >= 0 && slot < this.slotHigh) || this.slotI[8 * slot + 7] === 0 || this.seqOf(slot) !== seq) return false;
    this.cancelSlot(slot);
    return true;
  }

  /** Cancels by slot alone: for owners that know their entry is still pending. */
  cancelSlot(slot: number): void {
    if (this.slotI[8 * slot + 7] === 0) return;
    this.slotI[8 * slot + 7] = 0;
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
  abstract popUntil(limit: number): number;

  /** A slot filled with a new entry (kind 1..15), not yet linked anywhere. */
  protected fill(time: number, priority: number, kind: number, target: number, payload: unknown, aux: number): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else {
      if (this.slotHigh === this.payloads.length) this.growSlots();
      slot = this.slotHigh++;
    }
    const f = this.slotF, at = SLOT_F64 * slot;
    f[at] = time;
    f[at + 1] = priority * SEQ_SPAN + this.nextSeq++;
    const i = this.slotI;
    i[2 * at + 4] = target;
    i[2 * at + 5] = aux;
    i[2 * at + 7] = kind;
    // A free slot's payload is undefined already: a payload-less entry leaves that cache line alone.
    if ((kind & KIND_NO_PAYLOAD) === 0) this.payloads[slot] = payload;
    this.count++;
    return slot;
  }

  /** Frees an unlinked slot; if it was live, its entry becomes the `last*` fields. Returns whether it was. */
  protected take(slot: number): boolean {
    this.freeSlots[this.freeCount++] = slot;
    this.count--;
    const at = SLOT_F64 * slot, kind = this.slotI[2 * at + 7]!;
    if (kind === 0) {
      this.dead--;
      return false;
    }
    const ord = this.slotF[at + 1]!;
    const priority = (ord * INV_SEQ_SPAN) | 0;
    this.lastTime = this.slotF[at]!;
    this.lastPriority = priority;
    this.lastSeq = ord - priority * SEQ_SPAN;
    this.lastKind = kind;
    this.lastSlot = slot;
    this.lastAux = this.slotI[2 * at + 5]!;
    if ((kind & KIND_NO_PAYLOAD) === 0) {
      this.lastPayload = this.payloads[slot];
      this.payloads[slot] = undefined;
    } else this.lastPayload = undefined;
    this.slotI[2 * at + 7] = 0; // gone: cancel() of it now fails; the target stays readable
    return true;
  }

  /** (time, ord) of slot a before slot b. */
  protected before(a: number, b: number): boolean {
    const f = this.slotF, ta = f[SLOT_F64 * a]!, tb = f[SLOT_F64 * b]!;
    return ta < tb || (ta === tb && f[SLOT_F64 * a + 1]! < f[SLOT_F64 * b + 1]!);
  }

  private growSlots(): void {
    const c = this.payloads.length * 2;
    const f = new Float64Array(SLOT_F64 * c);
    f.set(this.slotF);
    this.slotF = f;
    this.slotI = new Int32Array(f.buffer);
    const next = new Int32Array(c);
    next.set(this.slotNext);
    this.slotNext = next;
    const free = new Int32Array(c);
    free.set(this.freeSlots);
    this.freeSlots = free;
    for (let i = this.payloads.length; i < c; i++) this.payloads.push(undefined);
  }
}
