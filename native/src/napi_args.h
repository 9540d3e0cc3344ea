// Argument reading for the N-API functions: each helper throws a JavaScript TypeError and returns false on a
// bad argument, so a caller writes `if (!f32(...)) return nullptr;`.
#pragma once
#include <node_api.h>
#include <cstddef>
#include <cstdint>

namespace lm {

/** Reads up to `n` arguments; fails unless exactly `n` were passed. */
bool args(napi_env env, napi_callback_info info, size_t n, napi_value* argv);

/** A Float32Array's data and length (in elements). `null` is accepted when `nullable`, giving nullptr. */
bool f32(napi_env env, napi_value v, float** data, size_t* length, bool nullable = false);

bool i32(napi_env env, napi_value v, int32_t* out);
bool f64(napi_env env, napi_value v, double* out);
bool boolean(napi_env env, napi_value v, bool* out);

/** Throws a RangeError with `message` and returns false. */
bool fail(napi_env env, const char* message);

}  // namespace lm
