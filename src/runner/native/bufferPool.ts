/**
 * Reuse of float32 output buffers, the way numpy's allocator reuses freed memory. Without it every kernel
 * output is a fresh `new Float32Array`: zero-filled, page-faulted on first touch when large (about 100 us for
 * the MLP's 784x512 gradient, twice the add that fills it) and freed only at a later garbage collection,
 * whose external-memory pressure then triggers a scavenge every few steps.
 *
 * Safety: a buffer returns to the pool only when no storage entry of the backend refers to it any more,
 * counted per ArrayBuffer so that views made by the CPU kernels (Slice, Split and Unpack return subarrays
 * of their input) keep it alive; only buffers the pool itself allocated are ever reused (never an array a
 * user passed to tf.tensor); and reads (dataSync, data, arraySync) get a copy, so no pooled buffer escapes
 * to user code. Contents are not cleared: every kernel that takes a pooled buffer writes all of it.
 */
/**
 * The pool's arrays. A subclass, so that the views the CPU kernels make of them (`subarray` keeps the
 * species) are recognised by a prototype check, without touching `.buffer` on every other array (which makes
 * V8 move a small on-heap typed array off the heap, about 300 ns).
 */
class PooledArray extends Float32Array {}

/**
 * The number of storage entries using a pooled ArrayBuffer, kept on the buffer itself: one property read and
 * write per retain or release instead of a WeakSet and a Map lookup (about 0.3 us per kernel on the tiny
 * tensors of the deep linear model). Only buffers this pool allocated carry it, so an array a CPU kernel
 * derives from a pooled one with its own buffer (`slice` also keeps the species) is never taken for ours.
 */
const USERS = Symbol('lm.pool.users');
type Counted = ArrayBuffer & { [USERS]?: number };

/**
 * Arrays of at most this many floats (64 bytes) are left out of the pool: V8 keeps them on its heap, where a
 * fresh one costs about 30 ns (no page fault, no external memory), less than the pool's bookkeeping.
 */
export const SMALL_LENGTH = 16;

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private pooledBytes = 0;

  constructor(
    /** Most bytes kept in free lists; beyond it a released buffer is left to the garbage collector. */
    private readonly maxBytes = 256 * 2 ** 20,
    /** Most free buffers of one length. */
    private readonly maxPerLength = 1024,
  ) {}

  /** A float32 buffer of `length` elements with unspecified contents. */
  alloc(length: number): Float32Array {
    if (length <= SMALL_LENGTH) return new Float32Array(length);
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.pooledBytes -= reused.byteLength;
      return reused;
    }
    const fresh = new PooledArray(length);
    (fresh.buffer as Counted)[USERS] = 0;
    return fresh;
  }

  /** Whether `values` lives in a buffer this pool handed out (so a read must copy it). */
  owns(values: unknown): values is Float32Array {
    return values instanceof PooledArray && (values.buffer as Counted)[USERS] !== undefined;
  }

  /** A plain copy of pooled values, for reads. */
  copy(values: Float32Array): Float32Array {
    return new Float32Array(values);
  }

  /** A storage entry now refers to `values`. */
  retain(values: unknown): void {
    if (!(values instanceof PooledArray)) return;
    const buffer = values.buffer as Counted;
    const users = buffer[USERS];
    if (users !== undefined) buffer[USERS] = users + 1;
  }

  /** A storage entry that referred to `values` is gone; the last one sends the buffer back to the pool. */
  release(values: unknown): void {
    if (!(values instanceof PooledArray)) return;
    const buffer = values.buffer as Counted;
    const users = buffer[USERS];
    if (users === undefined) return;
    if (users > 1) {
      buffer[USERS] = users - 1;
      return;
    }
    buffer[USERS] = 0;
    if (this.pooledBytes + buffer.byteLength > this.maxBytes) return;
    const whole =
      values.byteOffset === 0 && values.byteLength === buffer.byteLength ? values : new PooledArray(buffer);
    let list = this.free.get(whole.length);
    if (list === undefined) {
      list = [];
      this.free.set(whole.length, list);
    }
    if (list.length >= this.maxPerLength) return;
    list.push(whole);
    this.pooledBytes += buffer.byteLength;
  }

  /** Drops every free buffer (the backend's dispose). */
  clear(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }
}
