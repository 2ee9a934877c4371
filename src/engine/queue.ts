/**
 * Event priorities and the packing of (priority, sequence) into one ordering key, shared by the
 * pending-event sets (slots.ts). Priority and the insertion sequence are packed into one
 * double, ord = priority · 2^44 + seq, so an ordering test is two float comparisons.
 */

/** Interrupts and other work that must precede ordinary events at the same instant. */
export const PRIORITY_URGENT = 0;
export const PRIORITY_NORMAL = 1;
/** Work that should see everything else that happens at the same instant first. */
export const PRIORITY_LATE = 2;

export const SEQ_SPAN = 2 ** 44;

/**
 * Kind bit of queue entries that carry only an integer `aux` and no payload object (slots.ts):
 * a process waking from a delay. The fingerprint and traces see `kind & KIND_MASK`.
 */
export const KIND_NO_PAYLOAD = 8;
export const KIND_MASK = 7;
