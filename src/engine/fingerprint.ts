/**
 * OMNeT++-style fingerprint: a running hash over the ordered stream of processed events.
 * Two 32-bit lanes, each step a xor-rotate-multiply (cheap on the hot path), with a murmur3
 * finaliser when printed; one differing event makes the printed value differ.
 */

const INV_TWO_32 = 1 / 4294967296; // exact: a power of two

export class Fingerprint {
  private a = 0x811c9dc5 | 0;
  private b = 0x2545f491 | 0;
  count = 0;

  /** Folds one processed event in. `time` is an integer below 2^53. */
  add(time: number, priority: number, kind: number, target: number): void {
    // ToInt32 keeps the low 32 bits of an integral double; the high part (< 2^21, since time < 2^53)
    // shares a word with priority (8 bits) and kind (3 bits). No fmod or division on the hot path.
    const lo = time | 0;
    const hi = ((time * INV_TWO_32) | 0) | (priority << 21) | (kind << 29);
    this.a = step(step(this.a, lo), hi);
    this.b = step(this.b, target);
    this.count++;
  }

  /** 16 hex digits. */
  toString(): string {
    const fa = fmix(this.a ^ this.count), fb = fmix(this.b ^ Math.imul(this.count, 0x9e3779b1));
    return hex(fa) + hex(fb);
  }
}

function step(h: number, k: number): number {
  h ^= k;
  return Math.imul((h << 5) | (h >>> 27), 0x9e3779b1);
}

export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
