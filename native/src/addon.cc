// The lm_blas addon: synchronous float32 kernels for the runner's 'blas' tfjs backend
// (src/runner/native/). Every function writes into a Float32Array the caller allocated.
#include <cblas.h>
#include "napi_args.h"
#include "pool.h"

namespace lm {
napi_value Gemm(napi_env env, napi_callback_info info);
napi_value Syrk(napi_env env, napi_callback_info info);
napi_value BiasActivation(napi_env env, napi_callback_info info);
napi_value Unary(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Reduce(napi_env env, napi_callback_info info);
napi_value RelativeGap(napi_env env, napi_callback_info info);
napi_value CreateProgram(napi_env env, napi_callback_info info);
napi_value RunProgram(napi_env env, napi_callback_info info);
napi_value AdviseHugePages(napi_env env, napi_callback_info info);

namespace {

/** info(): { blas: OpenBLAS's configuration string, core: its kernel set, threads: our pool's size }. */
napi_value Info(napi_env env, napi_callback_info) {
  napi_value result, config, core, threads;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config);
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &core);
  napi_create_int32(env, poolSize(), &threads);
  napi_set_named_property(env, result, "blas", config);
  napi_set_named_property(env, result, "core", core);
  napi_set_named_property(env, result, "threads", threads);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"syrk", nullptr, Syrk, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"relativeGap", nullptr, RelativeGap, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"program", nullptr, CreateProgram, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"runProgram", nullptr, RunProgram, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adviseHugePages", nullptr, AdviseHugePages, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  // Our pool splits the work (gemm.cc); OpenBLAS's own threads would compete with it.
  openblas_set_num_threads(1);
  napi_add_env_cleanup_hook(env, [](void*) { stopPool(); }, nullptr);
  return exports;
}

}  // namespace
}  // namespace lm

NAPI_MODULE(NODE_GYP_MODULE_NAME, lm::Init)
