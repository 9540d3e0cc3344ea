// Element-wise and reduction kernels. Each loop is compiled for AVX-512, AVX2 and a baseline (GCC
// target_clones picks one at load time), and expf/logf/tanhf come from glibc's vector math library (libmvec)
// so that they vectorize without -ffast-math: NaN and infinity keep their IEEE meaning, which the runner's
// divergence detection relies on. Semantics follow tfjs's CPU kernels (e.g. step(NaN) = NaN, relu(NaN) = NaN).
#include <algorithm>
#include <cmath>
#include <vector>
#include "kernels.h"
#include "napi_args.h"
#include "pool.h"

#ifndef LM_NO_MVEC
extern "C" {
float expf(float) noexcept __attribute__((simd("notinbranch")));
float logf(float) noexcept __attribute__((simd("notinbranch")));
float tanhf(float) noexcept __attribute__((simd("notinbranch")));
}
#endif

#define LM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

namespace lm {

LM_CLONES void unary(int32_t op, const float* __restrict x, float* __restrict out, size_t n, float alpha) {
  switch (op) {
    case kUnaryRelu: for (size_t i = 0; i < n; i++) out[i] = x[i] < 0.f ? 0.f : x[i]; break;
    case kUnaryStep:
      for (size_t i = 0; i < n; i++) out[i] = x[i] != x[i] ? x[i] : (x[i] > 0.f ? 1.f : alpha);
      break;
    case kUnaryTanh: for (size_t i = 0; i < n; i++) out[i] = tanhf(x[i]); break;
    case kUnarySigmoid: for (size_t i = 0; i < n; i++) out[i] = 1.f / (1.f + expf(-x[i])); break;
    case kUnaryExp: for (size_t i = 0; i < n; i++) out[i] = expf(x[i]); break;
    case kUnaryLog: for (size_t i = 0; i < n; i++) out[i] = logf(x[i]); break;
    case kUnarySqrt: for (size_t i = 0; i < n; i++) out[i] = std::sqrt(x[i]); break;
    case kUnarySquare: for (size_t i = 0; i < n; i++) out[i] = x[i] * x[i]; break;
    case kUnaryNeg: for (size_t i = 0; i < n; i++) out[i] = -x[i]; break;
    case kUnaryAbs: for (size_t i = 0; i < n; i++) out[i] = std::fabs(x[i]); break;
    case kUnaryRsqrt: for (size_t i = 0; i < n; i++) out[i] = 1.f / std::sqrt(x[i]); break;
    case kUnaryReciprocal: for (size_t i = 0; i < n; i++) out[i] = 1.f / x[i]; break;
    case kUnaryRelu6:
      for (size_t i = 0; i < n; i++) out[i] = x[i] < 0.f ? 0.f : (x[i] > 6.f ? 6.f : x[i]);
      break;
    case kUnaryElu: for (size_t i = 0; i < n; i++) out[i] = x[i] >= 0.f ? x[i] : expf(x[i]) - 1.f; break;
    case kUnaryLeakyRelu: for (size_t i = 0; i < n; i++) out[i] = x[i] < 0.f ? alpha * x[i] : x[i]; break;
    default: break;
  }
}

namespace {

template <int32_t Op>
inline float apply(float a, float b) {
  if constexpr (Op == kAdd) return a + b;
  if constexpr (Op == kSub) return a - b;
  if constexpr (Op == kMul) return a * b;
  if constexpr (Op == kDiv) return a / b;
  // tfjs: Math.max / Math.min, which give NaN when either side is NaN.
  if constexpr (Op == kMaximum) return (a != a || b != b) ? a + b : (a > b ? a : b);
  if constexpr (Op == kMinimum) return (a != a || b != b) ? a + b : (a < b ? a : b);
  if constexpr (Op == kSquaredDifference) return (a - b) * (a - b);
  return 0.f;
}

/** One operator over the four layouts; inlined into the cloned dispatcher so each clone gets its own SIMD. */
template <int32_t Op>
inline void binaryLoop(const float* __restrict a, size_t n, const float* __restrict b, size_t bLength,
                       size_t bInner, bool swap, float* __restrict out) {
  auto f = [swap](float x, float y) { return swap ? apply<Op>(y, x) : apply<Op>(x, y); };
  if (bLength == n) {
    for (size_t i = 0; i < n; i++) out[i] = f(a[i], b[i]);
  } else if (bLength == 1) {
    const float s = b[0];
    for (size_t i = 0; i < n; i++) out[i] = f(a[i], s);
  } else if (bInner == 1) {
    for (size_t r = 0; r < n; r += bLength)
      for (size_t j = 0; j < bLength; j++) out[r + j] = f(a[r + j], b[j]);
  } else {
    for (size_t r = 0, row = 0; r < n; r += bInner, row++) {
      const float s = b[row % bLength];
      for (size_t j = 0; j < bInner; j++) out[r + j] = f(a[r + j], s);
    }
  }
}

}  // namespace

LM_CLONES void binary(int32_t op, const float* a, size_t n, const float* b, size_t bLength, size_t bInner,
                      bool swap, float* out) {
  switch (op) {
    case kAdd: binaryLoop<kAdd>(a, n, b, bLength, bInner, swap, out); break;
    case kSub: binaryLoop<kSub>(a, n, b, bLength, bInner, swap, out); break;
    case kMul: binaryLoop<kMul>(a, n, b, bLength, bInner, swap, out); break;
    case kDiv: binaryLoop<kDiv>(a, n, b, bLength, bInner, swap, out); break;
    case kMaximum: binaryLoop<kMaximum>(a, n, b, bLength, bInner, swap, out); break;
    case kMinimum: binaryLoop<kMinimum>(a, n, b, bLength, bInner, swap, out); break;
    case kSquaredDifference: binaryLoop<kSquaredDifference>(a, n, b, bLength, bInner, swap, out); break;
    default: break;
  }
}

LM_CLONES void reduce(int32_t op, const float* __restrict x, size_t outer, size_t reduceSize, size_t inner,
                      float* __restrict out) {
  if (op == kSum) {
    std::vector<double> acc(inner);
    for (size_t o = 0; o < outer; o++) {
      const float* block = x + o * reduceSize * inner;
      if (inner == 1) {
        double s = 0;
        for (size_t r = 0; r < reduceSize; r++) s += block[r];
        out[o] = float(s);
        continue;
      }
      for (size_t i = 0; i < inner; i++) acc[i] = 0;
      for (size_t r = 0; r < reduceSize; r++)
        for (size_t i = 0; i < inner; i++) acc[i] += block[r * inner + i];
      for (size_t i = 0; i < inner; i++) out[o * inner + i] = float(acc[i]);
    }
    return;
  }
  const bool isMax = op == kMax;
  for (size_t o = 0; o < outer; o++) {
    const float* block = x + o * reduceSize * inner;
    float* row = out + o * inner;
    for (size_t i = 0; i < inner; i++) row[i] = block[i];
    for (size_t r = 1; r < reduceSize; r++)
      for (size_t i = 0; i < inner; i++) {
        const float v = block[r * inner + i];
        // tfjs keeps a NaN once seen (v > m is false for NaN, so test it explicitly).
        if (v != v || (isMax ? v > row[i] : v < row[i])) row[i] = (row[i] != row[i]) ? row[i] : v;
      }
  }
}

namespace {

/**
 * Below this many elements a pass runs on the calling thread: waking another costs more than it saves.
 * Measured on 2 cores: relu on 64k floats takes about 5 us, tanh about 45 us.
 */
constexpr size_t kParallelCheap = size_t(1) << 18;
constexpr size_t kParallelCostly = size_t(1) << 14;

/** Elements per part: parts small enough that a descheduled worker delays the call little. */
constexpr size_t kPartElements = size_t(1) << 16;

/**
 * Calls f(begin, end) on consecutive ranges of [0, n) covering it, in parallel when n is at least `minimum`.
 * Range boundaries are multiples of `period` (the broadcast pattern's length) and of 16 elements (64 bytes).
 */
template <typename F>
void ranges(size_t n, size_t period, size_t minimum, F f) {
  if (n < minimum || poolSize() == 1) {
    f(size_t(0), n);
    return;
  }
  size_t align = period;
  while (align % 16 != 0 && align < (1u << 20)) align *= 2;
  const size_t parts = std::max<size_t>(size_t(poolSize()), std::min<size_t>(64, n / kPartElements));
  const size_t chunk = ((n + parts - 1) / parts + align - 1) / align * align;
  parallel(int((n + chunk - 1) / chunk), [&](int part) {
    const size_t begin = std::min(n, part * chunk), end = std::min(n, begin + chunk);
    if (begin < end) f(begin, end);
  });
}

}  // namespace

/** unary(op, x, out, alpha) */
napi_value Unary(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, 4, argv)) return nullptr;
  float *x, *out;
  size_t n, outLength;
  int32_t op;
  double alpha;
  if (!i32(env, argv[0], &op) || !f32(env, argv[1], &x, &n) || !f32(env, argv[2], &out, &outLength) ||
      !f64(env, argv[3], &alpha))
    return nullptr;
  if (op < 0 || op >= kUnaryCount) return fail(env, "unary: unknown op"), nullptr;
  if (outLength != n) return fail(env, "unary: output length differs from input"), nullptr;
  const bool costly = op == kUnaryTanh || op == kUnarySigmoid || op == kUnaryExp || op == kUnaryLog || op == kUnaryElu;
  ranges(n, 1, costly ? kParallelCostly : kParallelCheap, [&](size_t begin, size_t end) { unary(op, x + begin, out + begin, end - begin, float(alpha)); });
  return nullptr;
}

/** binary(op, a, b, bInner, swap, out): see kernels.h for the broadcast layouts. */
napi_value Binary(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, 6, argv)) return nullptr;
  float *a, *b, *out;
  size_t n, bLength, outLength;
  int32_t op, bInner;
  bool swap;
  if (!i32(env, argv[0], &op) || !f32(env, argv[1], &a, &n) || !f32(env, argv[2], &b, &bLength) ||
      !i32(env, argv[3], &bInner) || !boolean(env, argv[4], &swap) || !f32(env, argv[5], &out, &outLength))
    return nullptr;
  if (op < 0 || op >= kBinaryCount) return fail(env, "binary: unknown op"), nullptr;
  if (outLength != n || bLength == 0 || bInner < 1) return fail(env, "binary: bad lengths"), nullptr;
  const bool fits = bLength == n || bLength == 1 ||
                    (bInner == 1 ? n % bLength == 0 : n % (size_t(bInner) * bLength) == 0);
  if (!fits) return fail(env, "binary: the broadcast operand does not tile the output"), nullptr;
  // A range that starts on a whole period sees b from its start, so each range is the same kernel call.
  const size_t period = (bLength == n || bLength == 1) ? 1 : bLength * size_t(bInner);
  ranges(n, period, kParallelCheap, [&](size_t begin, size_t end) {
    const float* bPart = bLength == n ? b + begin : b;
    binary(op, a + begin, end - begin, bPart, bLength == n ? end - begin : bLength, size_t(bInner), swap,
           out + begin);
  });
  return nullptr;
}

/** max |a_i - b_i| and max |b_i| in one pass; `nan` when either holds a NaN (NaN - x is NaN). */
LM_CLONES void gapAndScale(const float* __restrict a, const float* __restrict b, size_t n, float* gap, float* scale,
                           bool* nan) {
  float g = 0.f, s = 0.f;
  bool bad = false;
  for (size_t i = 0; i < n; i++) {
    const float d = std::fabs(a[i] - b[i]);
    const float m = std::fabs(b[i]);
    bad |= d != d;
    g = d > g ? d : g;
    s = m > s ? m : s;
  }
  *gap = g;
  *scale = s;
  *nan = bad;
}

/**
 * relativeGap(a, b) -> max |a - b| / max |b| (NaN when either holds a NaN): how step replay's proof compares the
 * replayed results with the real step's (src/runner/replay/replayer.ts), one pass instead of five kernel calls.
 */
napi_value RelativeGap(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return nullptr;
  float *a, *b;
  size_t n, m;
  if (!f32(env, argv[0], &a, &n) || !f32(env, argv[1], &b, &m)) return nullptr;
  if (n != m) return fail(env, "relativeGap: the arrays' lengths differ"), nullptr;
  float gap, scale;
  bool nan;
  gapAndScale(a, b, n, &gap, &scale, &nan);
  napi_value result;
  napi_create_double(env, nan ? NAN : double(gap) / std::max(double(scale), 1e-30), &result);
  return result;
}

/** reduce(op, x, outer, reduceSize, inner, out) */
napi_value Reduce(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, 6, argv)) return nullptr;
  float *x, *out;
  size_t n, outLength;
  int32_t op, outer, reduceSize, inner;
  if (!i32(env, argv[0], &op) || !f32(env, argv[1], &x, &n) || !i32(env, argv[2], &outer) ||
      !i32(env, argv[3], &reduceSize) || !i32(env, argv[4], &inner) || !f32(env, argv[5], &out, &outLength))
    return nullptr;
  if (op < 0 || op >= kReduceCount) return fail(env, "reduce: unknown op"), nullptr;
  if (outer < 0 || reduceSize < 1 || inner < 0 || size_t(outer) * reduceSize * inner != n ||
      size_t(outer) * inner != outLength)
    return fail(env, "reduce: lengths do not match [outer, reduce, inner]"), nullptr;
  reduce(op, x, outer, reduceSize, inner, out);
  return nullptr;
}

}  // namespace lm
