// Replayed programs (src/runner/replay/): a run of small operations executed in one call, so that the
// per-call cost of N-API (0.15-0.3 us: argument checks, typed-array lookups) is paid once per run of operations
// instead of once per operation. On a deep linear model's 4x4 to 16x16 matrices that cost is most of a step.
// Only operations too small for the thread pool come here; larger ones stay separate calls (gemm.cc,
// elementwise.cc) that split across the cores.
#include <cblas.h>
#include <memory>
#include <vector>
#include "kernels.h"
#include "napi_args.h"

namespace lm {

namespace {

enum Code : int32_t { kGemm = 0, kUnaryOp = 1, kBinaryOp = 2, kReduceOp = 3, kCodeCount = 4 };
/** Int32 words per operation, by code (the code itself included). */
constexpr int kWords[] = {12, 6, 9, 8};
/** Products up to this many multiply-adds run as a plain loop: at 4x4x4 it takes 0.03 us where sgemm takes
 * 0.05-0.08 us; from 8x8x8 on sgemm is ahead (single thread, this machine). */
constexpr long kLoopProduct = 128;

struct Program {
  std::vector<int32_t> code;
  std::vector<float> alphas;
  /** Slot pointers: fixed ones set at creation, live ones (variables, fields) at each run. */
  std::vector<float*> slots;
  /** The live slots, and the length each was checked against. */
  std::vector<int32_t> live;
  std::vector<size_t> liveLengths;
  std::vector<napi_ref> kept;
  napi_env env;
  ~Program() {
    for (napi_ref ref : kept) napi_delete_reference(env, ref);
  }
};

void product(const int32_t* w, float* const* s) {
  const float* a = s[w[1]];
  const float* b = s[w[2]];
  float* out = s[w[3]];
  const int batch = w[4], batchA = w[5], batchB = w[6], m = w[7], n = w[8], k = w[9];
  const bool ta = w[10] != 0, tb = w[11] != 0;
  const size_t sa = size_t(m) * k, sb = size_t(k) * n, so = size_t(m) * n;
  for (int bi = 0; bi < batch; bi++) {
    const float* x = a + sa * (bi % batchA);
    const float* y = b + sb * (bi % batchB);
    float* o = out + so * bi;
    if (long(m) * n * k > kLoopProduct) {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f, x,
                  ta ? m : k, y, tb ? k : n, 0.f, o, n);
      continue;
    }
    // x[i, p] at i * xi + p * xp, y[p, j] at p * yp + j * yj; accumulated in float, as sgemm does.
    const size_t xi = ta ? 1 : k, xp = ta ? m : 1, yp = tb ? 1 : n, yj = tb ? k : 1;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0.f;
        for (int p = 0; p < k; p++) sum += x[i * xi + p * xp] * y[p * yp + j * yj];
        o[size_t(i) * n + j] = sum;
      }
    }
  }
}

void execute(Program& p) {
  float* const* s = p.slots.data();
  const int32_t* w = p.code.data();
  const int32_t* end = w + p.code.size();
  while (w < end) {
    switch (w[0]) {
      case kGemm:
        product(w, s);
        break;
      case kUnaryOp:  // op, x, out, n, alpha index
        unary(w[1], s[w[2]], s[w[3]], size_t(w[4]), p.alphas[w[5]]);
        break;
      case kBinaryOp:  // op, a, b, out, n, bLength, bInner, swap
        binary(w[1], s[w[2]], size_t(w[5]), s[w[3]], size_t(w[6]), size_t(w[7]), w[8] != 0, s[w[4]]);
        break;
      case kReduceOp: {  // op, x, out, outer, size, inner, mean
        reduce(w[1], s[w[2]], size_t(w[4]), size_t(w[5]), size_t(w[6]), s[w[3]]);
        if (w[7]) {
          float* out = s[w[3]];
          const size_t n = size_t(w[4]) * w[6];
          for (size_t i = 0; i < n; i++) out[i] /= float(w[5]);
        }
        break;
      }
    }
    w += kWords[w[0]];
  }
}

bool int32s(napi_env env, napi_value v, const int32_t** data, size_t* length) {
  napi_typedarray_type type;
  void* raw;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, nullptr, "expected an Int32Array");
    return false;
  }
  *data = static_cast<const int32_t*>(raw);
  return true;
}

/** Checks every operation's words: codes known, slots in range, lengths within the slots' buffers. */
bool validate(napi_env env, const Program& p, const std::vector<size_t>& lengths) {
  const int32_t* w = p.code.data();
  const int32_t* end = w + p.code.size();
  auto slot = [&](int32_t i, size_t need) { return i >= 0 && size_t(i) < lengths.size() && lengths[i] >= need; };
  while (w < end) {
    if (w[0] < 0 || w[0] >= kCodeCount || w + kWords[w[0]] > end) return fail(env, "program: bad operation code");
    bool ok = true;
    switch (w[0]) {
      case kGemm: {
        const size_t m = w[7], n = w[8], k = w[9];
        ok = w[4] >= 1 && w[5] >= 1 && w[6] >= 1 && w[7] >= 0 && w[8] >= 0 && w[9] >= 0 &&
             slot(w[1], m * k * w[5]) && slot(w[2], k * n * w[6]) && slot(w[3], m * n * w[4]);
        break;
      }
      case kUnaryOp:
        ok = w[1] >= 0 && w[1] < kUnaryCount && w[4] >= 0 && slot(w[2], w[4]) && slot(w[3], w[4]) && w[5] >= 0 &&
             size_t(w[5]) < p.alphas.size();
        break;
      case kBinaryOp:
        ok = w[1] >= 0 && w[1] < kBinaryCount && w[5] >= 0 && w[6] >= 1 && w[7] >= 1 && slot(w[2], w[5]) &&
             slot(w[3], w[6]) && slot(w[4], w[5]);
        break;
      case kReduceOp:
        ok = w[1] >= 0 && w[1] < kReduceCount && w[4] >= 0 && w[5] >= 1 && w[6] >= 0 &&
             slot(w[2], size_t(w[4]) * w[5] * w[6]) && slot(w[3], size_t(w[4]) * w[6]);
        break;
    }
    if (!ok) return fail(env, "program: an operation's slots or sizes are out of range");
    w += kWords[w[0]];
  }
  return true;
}

}  // namespace

/**
 * program(code: Int32Array, alphas: Float32Array, slots: (Float32Array | number)[]) -> handle. `slots[i]` is
 * the buffer of a fixed slot, or the length of a live one (supplied to each run, in order of index). The code
 * is checked once here against the slots' lengths, so a run does no checks beyond the live buffers' lengths.
 */
napi_value CreateProgram(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv)) return nullptr;
  const int32_t* code;
  size_t codeLength, alphaLength;
  float* alphas;
  if (!int32s(env, argv[0], &code, &codeLength) || !f32(env, argv[1], &alphas, &alphaLength)) return nullptr;
  auto p = std::make_unique<Program>();
  p->env = env;
  p->code.assign(code, code + codeLength);
  p->alphas.assign(alphas, alphas + alphaLength);
  uint32_t count;
  if (napi_get_array_length(env, argv[2], &count) != napi_ok) {
    fail(env, "program: slots must be an array");
    return nullptr;
  }
  std::vector<size_t> lengths(count);
  p->slots.assign(count, nullptr);
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    napi_valuetype type;
    napi_get_element(env, argv[2], i, &v);
    napi_typeof(env, v, &type);
    if (type == napi_number) {
      int32_t length;
      if (!i32(env, v, &length) || length < 0) return nullptr;
      lengths[i] = size_t(length);
      p->live.push_back(int32_t(i));
      continue;
    }
    float* data;
    if (!f32(env, v, &data, &lengths[i])) return nullptr;
    p->slots[i] = data;
    napi_ref ref;
    napi_create_reference(env, v, 1, &ref);  // the buffer must outlive the program
    p->kept.push_back(ref);
  }
  if (!validate(env, *p, lengths)) return nullptr;
  for (int32_t i : p->live) p->liveLengths.push_back(lengths[i]);
  napi_value handle;
  Program* raw = p.release();
  napi_create_external(
      env, raw, [](napi_env, void* data, void*) { delete static_cast<Program*>(data); }, nullptr, &handle);
  return handle;
}

/** runProgram(handle, live: Float32Array[]): points the live slots at these buffers, then runs the code. */
napi_value RunProgram(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return nullptr;
  void* data;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) {
    fail(env, "runProgram: not a program");
    return nullptr;
  }
  Program& p = *static_cast<Program*>(data);
  uint32_t count;
  if (napi_get_array_length(env, argv[1], &count) != napi_ok || count != p.live.size()) {
    fail(env, "runProgram: wrong number of live buffers");
    return nullptr;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    napi_get_element(env, argv[1], i, &v);
    float* buffer;
    size_t length;
    if (!f32(env, v, &buffer, &length)) return nullptr;
    if (length < p.liveLengths[i]) {
      fail(env, "runProgram: a live buffer is too short");
      return nullptr;
    }
    p.slots[p.live[i]] = buffer;
  }
  execute(p);
  return nullptr;
}

}  // namespace lm
