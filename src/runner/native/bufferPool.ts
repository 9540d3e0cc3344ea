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

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly users = new Map<ArrayBuffer, number>();
  private pooledBytes = 0;

  constructor(
    /** Most bytes kept in free lists; beyond it a released buffer is left to the garbage collector. */
    private readonly maxBytes = 256 * 2 ** 20,
    /** Most free buffers of one length. */
    private readonly maxPerLength = 1024,
  ) {}

  /** A float32 buffer of `length` elements with unspecified contents. */
  alloc(length: number): Float32Array {
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.pooledBytes -= reused.byteLength;
      return reused;
    }
    const fresh = new PooledArray(length);
    this.owned.add(fresh.buffer as ArrayBuffer);
    return fresh;
  }

  /** Whether `values` lives in a buffer this pool handed out (so a read must copy it). */
  owns(values: unknown): values is Float32Array {
    return values instanceof PooledArray && this.owned.has(values.buffer as ArrayBuffer);
  }

  /** A plain copy of pooled values, for reads. */
  copy(values: Float32Array): Float32Array {
    return new Float32Array(values);
  }

  /** A storage entry now refers to `values`. */
  retain(values: unknown): void {
    if (!this.owns(values)) return;
    const buffer = values.buffer as ArrayBuffer;
    this.users.set(buffer, (this.users.get(buffer) ?? 0) + 1);
  }

  /** A storage entry that referred to `values` is gone; the last one sends the buffer back to the pool. */
  release(values: unknown): void {
    if (!this.owns(values)) return;
    const buffer = values.buffer as ArrayBuffer;
    const left = (this.users.get(buffer) ?? 1) - 1;
    if (left > 0) {
      this.users.set(buffer, left);
      return;
    }
    this.users.delete(buffer);
    if (this.pooledBytes + buffer.byteLength > this.maxBytes) return;
    const whole =
      values.byteOffset === 0 && values.byteLength === buffer.byteLength ? values : new Float32Array(buffer);
    const list = this.free.get(whole.length) ?? [];
    if (list.length >= this.maxPerLength) return;
    list.push(whole);
    this.free.set(whole.length, list);
    this.pooledBytes += buffer.byteLength;
  }

  /** Drops every free buffer (the backend's dispose). */
  clear(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }
}
