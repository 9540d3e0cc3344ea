#include "napi_args.h"

namespace lm {

bool fail(napi_env env, const char* message) {
  napi_throw_range_error(env, nullptr, message);
  return false;
}

bool args(napi_env env, napi_callback_info info, size_t n, napi_value* argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return fail(env, "bad call");
  if (argc != n) return fail(env, "wrong number of arguments");
  return true;
}

bool f32(napi_env env, napi_value v, float** data, size_t* length, bool nullable) {
  napi_valuetype kind;
  napi_typeof(env, v, &kind);
  if (nullable && (kind == napi_null || kind == napi_undefined)) {
    *data = nullptr;
    *length = 0;
    return true;
  }
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  napi_typedarray_type type;
  void* raw = nullptr;
  if (!isTyped || napi_get_typedarray_info(env, v, &type, length, &raw, nullptr, nullptr) != napi_ok ||
      type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "expected a Float32Array");
    return false;
  }
  *data = static_cast<float*>(raw);
  return true;
}

bool i32(napi_env env, napi_value v, int32_t* out) {
  if (napi_get_value_int32(env, v, out) == napi_ok) return true;
  napi_throw_type_error(env, nullptr, "expected an integer");
  return false;
}

bool f64(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) == napi_ok) return true;
  napi_throw_type_error(env, nullptr, "expected a number");
  return false;
}

bool boolean(napi_env env, napi_value v, bool* out) {
  if (napi_get_value_bool(env, v, out) == napi_ok) return true;
  napi_throw_type_error(env, nullptr, "expected a boolean");
  return false;
}

}  // namespace lm
