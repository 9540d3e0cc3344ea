import { util, type TensorInfo } from '@tensorflow/tfjs';
import { ROW_MIN } from '../bufferPool';
import { floats, sizeOf, type KernelArgs, type NativeKernel } from './context';

/**
 * Concat and Pack (tf.concat, tf.stack) of float32 tensors as block copies (TypedArray.set, a memcpy) into a
 * pooled buffer: each input, viewed as [outer, inner_i] around the axis, contributes inner_i contiguous
 * values to every one of the `outer` output rows. The CPU kernels reshape every input first and, off axis 0,
 * copy element by element. Along the first axis, inputs that already lie back to back in one pooled buffer are
 * not copied at all: the output is a view of them. That is the usual way a Jacobian is built from per-example
 * gradients (concat each example's flattened gradients into a row, stack the rows), since the rows of such
 * concats are carved one after another from one buffer (BufferPool.allocRow); for an empirical NTK of 256
 * points and 67585 parameters it saves a 69 MB copy per stack, and its first-touch page faults.
 */
function join(inputs: TensorInfo[], axis: number, backend: KernelArgs['backend'], outShape: number[]) {
  const values = inputs.map((t) => floats(backend, t));
  if (values.some((v) => v === undefined)) return undefined;
  const outer = sizeOf(outShape.slice(0, axis));
  const inners = inputs.map((t) => sizeOf(t.shape) / Math.max(outer, 1));
  const rowLength = inners.reduce((a, b) => a + b, 0);
  const pool = backend.pool;
  if (outer === 1 && pool) {
    // The inputs back to back in one pooled buffer (rows a concat below carved from one run): a view, no copy.
    const span = pool.span(values as Float32Array[]);
    if (span) return backend.makeTensorInfo(outShape, 'float32', span);
  }
  // A long vector (flattened per-example gradients, say) may be stacked with its siblings later: see allocRow.
  const out =
    pool && outShape.length === 1 && rowLength >= ROW_MIN
      ? pool.allocRow(rowLength)
      : backend.alloc(outer * rowLength);
  for (let row = 0, at = 0; row < outer; row++) {
    values.forEach((v, i) => {
      const inner = inners[i];
      out.set(inner === v!.length ? v! : v!.subarray(row * inner, (row + 1) * inner), at);
      at += inner;
    });
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
}

export const concat: NativeKernel = ({ inputs, attrs, backend }) => {
  const list = Object.values(inputs) as TensorInfo[];
  if (list.length === 0) return undefined;
  const axis = util.parseAxisParam(attrs?.axis as number, list[0].shape)[0];
  const rank = list[0].shape.length;
  const consistent = list.every(
    (t) => t.shape.length === rank && t.shape.every((d, i) => i === axis || d === list[0].shape[i]),
  );
  if (!consistent) return undefined; // the CPU kernel throws tfjs's own message
  const outShape = [...list[0].shape];
  outShape[axis] = list.reduce((s, t) => s + t.shape[axis], 0);
  return join(list, axis, backend, outShape);
};

export const pack: NativeKernel = ({ inputs, attrs, backend }) => {
  const list = Object.values(inputs) as TensorInfo[];
  if (list.length < 2) return undefined;
  const shape = list[0].shape;
  if (!list.every((t) => t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])))
    return undefined;
  const axis = util.parseAxisParam(attrs?.axis as number, [...shape, 1])[0];
  const outShape = [...shape.slice(0, axis), list.length, ...shape.slice(axis)];
  const expanded = list.map((t) => ({ ...t, shape: [...shape.slice(0, axis), 1, ...shape.slice(axis)] }));
  return join(expanded, axis, backend, outShape);
};
