// Plain C++ kernels on float32 buffers, free of N-API so they can be read (and tested) on their own.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lm {

/** Activations of tfjs's fused kernels, by code; the TypeScript side maps names to these. */
enum Activation : int32_t { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kSigmoid = 4, kElu = 5 };

/** out[rows, n] += bias (length 1, n, or rows*n), then the activation, in place. */
void biasActivation(float* out, size_t rows, size_t n, const float* bias, size_t biasLength, int32_t act,
                    float alpha);

enum Unary : int32_t {
  kUnaryRelu = 0, kUnaryStep = 1, kUnaryTanh = 2, kUnarySigmoid = 3, kUnaryExp = 4, kUnaryLog = 5,
  kUnarySqrt = 6, kUnarySquare = 7, kUnaryNeg = 8, kUnaryAbs = 9, kUnaryRsqrt = 10, kUnaryReciprocal = 11,
  kUnaryRelu6 = 12, kUnaryElu = 13, kUnaryLeakyRelu = 14, kUnaryCount = 15
};
void unary(int32_t op, const float* x, float* out, size_t n, float alpha);

enum Binary : int32_t {
  kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kMaximum = 4, kMinimum = 5, kSquaredDifference = 6, kBinaryCount = 7
};
/**
 * out = a op b where `b` repeats: `bLength == n` elementwise, `bLength == 1` a scalar, otherwise
 * b[i % bLength] (a trailing-dimension broadcast, e.g. a bias row) when `bInner == 1`, or
 * b[(i / bInner) % bLength] (a leading-dimension broadcast, e.g. [m, 1] against [m, k]) when `bInner > 1`.
 * `swap` computes b op a instead (for a broadcast left operand).
 */
void binary(int32_t op, const float* a, size_t n, const float* b, size_t bLength, size_t bInner, bool swap,
            float* out);

enum Reduce : int32_t { kSum = 0, kMax = 1, kMin = 2, kReduceCount = 3 };
/** x viewed as [outer, reduce, inner]: out[o, i] = reduction over r of x[o, r, i]. Sums accumulate in double. */
void reduce(int32_t op, const float* x, size_t outer, size_t reduceSize, size_t inner, float* out);

}  // namespace lm
