// Memory hints for the buffers the runner's blas backend hands out (src/runner/native/bufferPool.ts).
#include <sys/mman.h>
#include <cstdint>
#include "napi_args.h"

namespace lm {

/**
 * adviseHugePages(buffer): madvise(MADV_HUGEPAGE) on the 2 MiB-aligned pages inside a Float32Array's memory,
 * returning whether the kernel took the hint. Meant for a fresh buffer before its first write: the first write
 * to each 2 MiB page then takes one fault instead of 512 (with transparent huge pages in `madvise` mode, the
 * usual default; with `always` it changes nothing, with `never` the kernel ignores it). The values are not
 * touched, and the hint ends with the mapping when the buffer is freed.
 */
napi_value AdviseHugePages(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return nullptr;
  float* data;
  size_t length;
  if (!f32(env, argv[0], &data, &length)) return nullptr;
  bool advised = false;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data + length)) & ~(kHuge - 1);
  if (end > begin) advised = madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) == 0;
#endif
  napi_value result;
  napi_get_boolean(env, advised, &result);
  return result;
}

}  // namespace lm
