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
/** On a buffer that is an open run (see `allocRow`): the run. */
const RUN = Symbol('lm.pool.run');
type Counted = ArrayBuffer & { [USERS]?: number; [RUN]?: Run };

/**
 * A buffer that rows of one length are carved from, one after the other (`allocRow`), so that stacking rows
 * made one by one (per-example gradients flattened by a concat, then a stack: an NTK's Jacobian) is a view of
 * the run instead of a copy (`span`). While open it never goes to the free list: when every row carved from it
 * is released it starts over from its beginning, so a row made and dropped every step reuses the same memory.
 */
interface Run {
  whole: Float32Array;
  rowLength: number;
  capacity: number;
  next: number;
}

/**
 * Arrays of at most this many floats (64 bytes) are left out of the pool: V8 keeps them on its heap, where a
 * fresh one costs about 30 ns (no page fault, no external memory), less than the pool's bookkeeping.
 */
export const SMALL_LENGTH = 16;

/** Concat outputs of rank 1 and at least this many floats are carved from runs (`allocRow`). */
export const ROW_MIN = 1024;
/**
 * A run's default size: 128 MiB of address space, which costs memory only where rows are written (fresh
 * buffers are untouched zero pages). A stack that finds its rows spread over runs makes later runs hold it.
 */
const RUN_BYTES = 128 * 2 ** 20;
const MAX_RUN_BYTES = 2 ** 30;
const MAX_RUN_ROWS = 1 << 16;

/** Fresh buffers of at least this many bytes are offered to `onLarge` before their first write. */
export const LARGE_BYTES = 4 * 2 ** 20;

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  /** The open run of each row length. */
  private readonly runs = new Map<number, Run>();
  /** Rows per run, per row length, where a stack needed more than the default. */
  private readonly runRows = new Map<number, number>();

  constructor(
    /** Most bytes kept in free lists; beyond it a released buffer is left to the garbage collector. */
    private readonly maxBytes = 256 * 2 ** 20,
    /** Most free buffers of one length. */
    private readonly maxPerLength = 1024,
    /**
     * Called with each fresh buffer of at least LARGE_BYTES before anything is written to it (the backend asks
     * the kernel for transparent huge pages there: a first write then faults in 2 MiB at a time, not 4 KiB).
     */
    private readonly onLarge?: (fresh: Float32Array) => void,
    /** A run's default size in bytes (virtual: only the rows written take memory). */
    private readonly runBytes = RUN_BYTES,
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
    if (this.onLarge && fresh.byteLength >= LARGE_BYTES) this.onLarge(fresh);
    return fresh;
  }

  /**
   * A buffer of `length` floats that directly follows the previous one of the same length in memory while the
   * current run lasts (see `Run`), for the output of a concat that may later be stacked with its siblings.
   */
  allocRow(length: number): Float32Array {
    let run = this.runs.get(length);
    if (run !== undefined) {
      if ((run.whole.buffer as Counted)[USERS] === 0) {
        // Nothing carved from it is in use: start over at its beginning, unless a larger run is wanted.
        if (run.capacity >= this.runCapacity(length)) run.next = 0;
        else run = this.closeRun(run);
      } else if (run.next === run.capacity) run = this.closeRun(run);
    }
    if (run === undefined) {
      const capacity = this.runCapacity(length);
      if (capacity < 2) return this.alloc(length);
      const whole = this.alloc(capacity * length);
      run = { whole, rowLength: length, capacity, next: 0 };
      (whole.buffer as Counted)[RUN] = run;
      this.runs.set(length, run);
    }
    const start = run.next++ * length;
    return run.whole.subarray(start, start + length);
  }

  /**
   * One view over `parts` when they lie back to back, in order, in one buffer of this pool (rows carved from one
   * run), else undefined: then, when they are all rows of one length, later runs of that length are made to
   * hold as many. The caller must register the view (retain) before releasing any part.
   */
  span(parts: readonly Float32Array[]): Float32Array | undefined {
    const first = parts[0];
    if (parts.length < 2 || !this.owns(first)) return undefined;
    const buffer = first.buffer as ArrayBuffer;
    let end = first.byteOffset + first.byteLength;
    let contiguous = true;
    for (let i = 1; i < parts.length && contiguous; i++) {
      const p = parts[i];
      contiguous = p instanceof PooledArray && p.buffer === buffer && p.byteOffset === end;
      end += p.byteLength;
    }
    if (contiguous) return new PooledArray(buffer, first.byteOffset, (end - first.byteOffset) / 4);
    const rowLength = first.length;
    if (this.runs.has(rowLength) && parts.every((p) => p.length === rowLength && this.owns(p))) {
      const rows = Math.min(MAX_RUN_ROWS, Math.floor(MAX_RUN_BYTES / (4 * rowLength)), 2 * parts.length);
      this.runRows.set(rowLength, Math.max(this.runRows.get(rowLength) ?? 0, rows));
    }
    return undefined;
  }

  private runCapacity(length: number): number {
    const byDefault = Math.min(MAX_RUN_ROWS, Math.floor(this.runBytes / (4 * length)));
    return Math.max(byDefault, this.runRows.get(length) ?? 0);
  }

  /** The run takes no more rows; its buffer goes back to the free list once no row of it is in use. */
  private closeRun(run: Run): undefined {
    const buffer = run.whole.buffer as Counted;
    delete buffer[RUN];
    this.runs.delete(run.rowLength);
    if (buffer[USERS] === 0) this.recycle(run.whole);
    return undefined;
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
    // An open run keeps its buffer, to carve the next rows from its beginning again.
    if (buffer[RUN] === undefined) this.recycle(values);
  }

  /** Puts the whole buffer under `values` on its free list (if the limits allow). */
  private recycle(values: Float32Array): void {
    const buffer = values.buffer as Counted;
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
    for (const run of [...this.runs.values()]) this.closeRun(run);
    this.free.clear();
    this.pooledBytes = 0;
  }
}
