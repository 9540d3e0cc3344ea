{
  "variables": {
    "lm_mvec%": "<!(node -p \"process.env.LM_NO_MVEC ? 0 : 1\")"
  },
  "targets": [
    {
      "target_name": "lm_blas",
      "sources": ["src/addon.cc", "src/napi_args.cc", "src/pool.cc", "src/gemm.cc", "src/elementwise.cc", "src/memory.cc", "src/program.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno"],
      "libraries": ["-lopenblas", "-lm"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["lm_mvec==1", { "libraries": ["-lmvec"] }, { "defines": ["LM_NO_MVEC"] }]
      ]
    }
  ]
}
