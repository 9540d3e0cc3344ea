// Matrix products through OpenBLAS's cblas_sgemm, and the bias + activation epilogue of a fused product.
#include <cblas.h>
#include <cmath>
#include <cstring>
#include <algorithm>
#include <memory>
#include "kernels.h"
#include "napi_args.h"
#include "pool.h"

namespace lm {

namespace {

/**
 * Products of at least this many flops are split across the pool's threads, along the larger of m and n, into
 * blocks that sgemm reads in place through its leading dimensions; OpenBLAS itself runs single-threaded (set at
 * load). Re-measured on a quiet machine (2 cores, the MLP's five 128-row products): Debian's OpenBLAS 0.3.21
 * does split them with its own threads (172-188 GFLOP/s, against 95-100 on one thread; an earlier "it does not"
 * was measured under load), and our split reaches the same in isolation (170-188). Inside a training step ours
 * is the faster one (MLP step 4.3-4.8 ms against 5.3-6.1 with OpenBLAS's threads): its threads keep
 * spinning on the second core after each product, where our pool's worker and V8's helper threads run.
 */
constexpr double kParallelFlops = 2e6;

struct Product {
  bool transA, transB;
  int m, n, k;
  const float* a;
  const float* b;
  float* c;
};

void sgemm(const Product& p, int i0, int rows, int j0, int cols) {
  const int lda = p.transA ? p.m : p.k, ldb = p.transB ? p.k : p.n;
  const float* a = p.a + (p.transA ? i0 : size_t(i0) * p.k);
  const float* b = p.b + (p.transB ? size_t(j0) * p.k : j0);
  cblas_sgemm(CblasRowMajor, p.transA ? CblasTrans : CblasNoTrans, p.transB ? CblasTrans : CblasNoTrans, rows,
              cols, p.k, 1.f, a, lda, b, ldb, 0.f, p.c + size_t(i0) * p.n + j0, p.n);
}

/**
 * One product, split along its larger output dimension into blocks of a multiple of 16 rows or columns:
 * two per thread, so that a thread another process holds up delays the call by half its share at most.
 */
void product(const Product& p, int threads) {
  const bool byRows = p.m >= p.n;
  const int extent = byRows ? p.m : p.n;
  const int parts = std::min(threads > 1 ? 2 * threads : 1, std::max(1, extent / 16));
  if (parts <= 1) {
    sgemm(p, 0, p.m, 0, p.n);
    return;
  }
  const int chunk = ((extent + parts - 1) / parts + 15) / 16 * 16;
  parallel((extent + chunk - 1) / chunk, [&](int part) {
    const int start = std::min(extent, part * chunk), size = std::min(extent, start + chunk) - start;
    if (size <= 0) return;
    if (byRows) sgemm(p, start, size, 0, p.n);
    else sgemm(p, 0, p.m, start, size);
  });
}

inline float activate(float x, int32_t act, float alpha) {
  switch (act) {
    case kRelu: return x < 0.f ? 0.f : x;
    case kRelu6: return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
    case kLeakyRelu: return x < 0.f ? alpha * x : x;
    case kSigmoid: return 1.f / (1.f + std::exp(-x));
    case kElu: return x >= 0.f ? x : std::exp(x) - 1.f;
    default: return x;
  }
}

}  // namespace

void biasActivation(float* out, size_t rows, size_t n, const float* bias, size_t biasLength, int32_t act,
                    float alpha) {
  const size_t total = rows * n;
  if (bias != nullptr) {
    if (biasLength == total) {
      for (size_t i = 0; i < total; i++) out[i] += bias[i];
    } else if (biasLength == 1) {
      const float b = bias[0];
      for (size_t i = 0; i < total; i++) out[i] += b;
    } else {
      for (size_t r = 0; r < rows; r++) {
        float* row = out + r * n;
        for (size_t j = 0; j < n; j++) row[j] += bias[j];
      }
    }
  }
  if (act == kLinear) return;
  if (act == kRelu) {
    for (size_t i = 0; i < total; i++) out[i] = out[i] < 0.f ? 0.f : out[i];
    return;
  }
  for (size_t i = 0; i < total; i++) out[i] = activate(out[i], act, alpha);
}

/**
 * gemm(a, b, out, batch, batchA, batchB, m, n, k, transA, transB): for each bi < batch,
 * out[bi] (m x n) = op(a[bi % batchA]) (m x k) * op(b[bi % batchB]) (k x n), row-major, op = transpose when
 * the flag is set (a stored k x m, b stored n x k). Lengths are checked before any write.
 */
napi_value Gemm(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!args(env, info, 11, argv)) return nullptr;
  float *a, *b, *out;
  size_t aLength, bLength, outLength;
  int32_t batch, batchA, batchB, m, n, k;
  bool transA, transB;
  if (!f32(env, argv[0], &a, &aLength) || !f32(env, argv[1], &b, &bLength) ||
      !f32(env, argv[2], &out, &outLength) || !i32(env, argv[3], &batch) || !i32(env, argv[4], &batchA) ||
      !i32(env, argv[5], &batchB) || !i32(env, argv[6], &m) || !i32(env, argv[7], &n) ||
      !i32(env, argv[8], &k) || !boolean(env, argv[9], &transA) || !boolean(env, argv[10], &transB))
    return nullptr;
  if (batch < 0 || batchA < 1 || batchB < 1 || m < 0 || n < 0 || k < 0) {
    fail(env, "gemm: negative size");
    return nullptr;
  }
  const size_t sa = size_t(m) * k, sb = size_t(k) * n, so = size_t(m) * n;
  if (aLength < sa * batchA || bLength < sb * batchB || outLength < so * batch) {
    fail(env, "gemm: a buffer is shorter than its shape");
    return nullptr;
  }
  if (so == 0) return nullptr;
  if (k == 0) {
    std::memset(out, 0, so * batch * sizeof(float));
    return nullptr;
  }
  const double flops = 2.0 * m * n * k;
  const int threads = flops * batch >= kParallelFlops ? poolSize() : 1;
  auto one = [&](int bi, int parts) {
    product({transA, transB, m, n, k, a + sa * (bi % batchA), b + sb * (bi % batchB), out + so * bi}, parts);
  };
  if (batch >= threads && flops < kParallelFlops) {
    // Many small products: whole products per thread.
    parallel(batch, [&](int bi) { one(bi, 1); });
  } else {
    for (int32_t bi = 0; bi < batch; bi++) one(bi, threads);
  }
  return nullptr;
}

/**
 * syrk(a, out, n, k, transpose): out (n x n) = a a^T (a is n x k), or a^T a when `transpose` (a is k x n): a
 * product of a matrix with its own transpose, as an empirical NTK's J J^T, in half the flops of a general
 * product (numpy does the same for `a @ a.T`). cblas_ssyrk fills the lower triangle, which is mirrored. With
 * threads, long rows (k >= 2n) split k: every part is an n x n ssyrk over its share, summed after; otherwise
 * a's rows (or columns) are halved: one part computes both diagonal blocks with ssyrk, the other the
 * off-diagonal block with sgemm.
 */
napi_value Syrk(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, 5, argv)) return nullptr;
  float *a, *out;
  size_t aLength, outLength;
  int32_t n, k;
  bool transpose;
  if (!f32(env, argv[0], &a, &aLength) || !f32(env, argv[1], &out, &outLength) || !i32(env, argv[2], &n) ||
      !i32(env, argv[3], &k) || !boolean(env, argv[4], &transpose))
    return nullptr;
  if (n < 0 || k < 0 || aLength < size_t(n) * k || outLength < size_t(n) * n) {
    fail(env, "syrk: a buffer is shorter than its shape");
    return nullptr;
  }
  if (n == 0) return nullptr;
  if (k == 0) {
    std::memset(out, 0, size_t(n) * n * sizeof(float));
    return nullptr;
  }
  const int lda = transpose ? n : k;
  const auto trans = transpose ? CblasTrans : CblasNoTrans;
  // The block of a starting at row (or column) i0.
  auto block = [&](int i0) { return transpose ? a + i0 : a + size_t(i0) * k; };
  auto syrk = [&](int i0, int size) {
    cblas_ssyrk(CblasRowMajor, CblasLower, trans, size, k, 1.f, block(i0), lda, 0.f, out + size_t(i0) * n + i0, n);
  };
  const int half = (n / 2 + 15) / 16 * 16;
  const bool parallelSize = poolSize() > 1 && double(n) * n * k >= kParallelFlops;
  if (parallelSize && k >= 2 * n && n <= 2048 && k >= 64 * poolSize()) {
    // Long rows (an NTK's Jacobian: 256 x 67585): each part is a whole n x n ssyrk over its own share of k,
    // the partial products are summed after. Equal work per part, unlike halving a's rows (measured 256 x
    // 67585 on 2 cores: 29.6 ms against 37.6); costs n x n floats of scratch per extra part.
    const int chunk = ((k + poolSize() - 1) / poolSize() + 15) / 16 * 16;
    const int count = (k + chunk - 1) / chunk;
    const size_t square = size_t(n) * n;
    std::unique_ptr<float[]> partial(new float[square * (count - 1)]);
    parallel(count, [&](int part) {
      const int k0 = part * chunk, size = std::min(k, k0 + chunk) - k0;
      const float* from = transpose ? a + size_t(k0) * n : a + k0;
      float* into = part == 0 ? out : partial.get() + square * (part - 1);
      cblas_ssyrk(CblasRowMajor, CblasLower, trans, n, size, 1.f, from, lda, 0.f, into, n);
    });
    for (int part = 1; part < count; part++) {
      const float* p = partial.get() + square * (part - 1);
      for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) out[size_t(i) * n + j] += p[size_t(i) * n + j];
    }
  } else if (parallelSize && half < n) {
    parallel(2, [&](int part) {
      if (part == 0) {
        syrk(0, half);
        syrk(half, n - half);
      } else {
        // out[half:, :half] = a2 a1^T (or a2^T a1).
        cblas_sgemm(CblasRowMajor, trans, transpose ? CblasNoTrans : CblasTrans, n - half, half, k, 1.f,
                    block(half), lda, block(0), lda, 0.f, out + size_t(half) * n, n);
      }
    });
  } else {
    syrk(0, n);
  }
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) out[size_t(i) * n + j] = out[size_t(j) * n + i];
  return nullptr;
}

/** biasActivation(out, n, bias | null, activation, alpha): the fused epilogue, in place on out (rows x n). */
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, 5, argv)) return nullptr;
  float *out, *bias;
  size_t outLength, biasLength;
  int32_t n, act;
  double alpha;
  if (!f32(env, argv[0], &out, &outLength) || !i32(env, argv[1], &n) ||
      !f32(env, argv[2], &bias, &biasLength, true) || !i32(env, argv[3], &act) || !f64(env, argv[4], &alpha))
    return nullptr;
  if (n <= 0 || outLength % n != 0) {
    fail(env, "biasActivation: the output is not a whole number of rows");
    return nullptr;
  }
  if (bias != nullptr && biasLength != 1 && biasLength != size_t(n) && biasLength != outLength) {
    fail(env, "biasActivation: the bias is neither a scalar, a row, nor the whole output");
    return nullptr;
  }
  biasActivation(out, outLength / n, n, bias, biasLength, act, float(alpha));
  return nullptr;
}

}  // namespace lm
