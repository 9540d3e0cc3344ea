#include "pool.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace lm {

namespace {

/**
 * How long a worker spins for the next task before it sleeps, in microseconds: long enough to bridge the
 * JavaScript between the products of one training step, short enough to hand the core back to VS Code soon
 * after training pauses (OpenBLAS's own threads spin for about 0.1 s).
 */
constexpr int kSpinMicros = 200;

/**
 * Parts are claimed from a shared counter by whichever thread gets there first, the caller included: when a
 * worker is asleep or descheduled (another process busy on the other core), the caller runs its parts itself,
 * so a call never takes much longer than running it serially. The caller waits only for parts that a worker
 * has claimed and is running.
 */
class Pool {
 public:
  explicit Pool(int size) : size_(size) {
    for (int id = 1; id < size_; id++) workers_.emplace_back([this] { loop(); });
  }

  int size() const { return size_; }

  void run(int parts, const std::function<void(int)>& f) {
    if (parts <= 1 || size_ == 1) {
      for (int part = 0; part < parts; part++) f(part);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &f;
      parts_.store(parts, std::memory_order_relaxed);
      done_.store(0, std::memory_order_relaxed);
      next_.store(0, std::memory_order_release);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    while (done_.load(std::memory_order_acquire) != parts) std::this_thread::yield();
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

 private:
  /** Claims and runs parts until none is left. */
  void work() {
    for (;;) {
      const int part = next_.fetch_add(1, std::memory_order_acq_rel);
      if (part >= parts_.load(std::memory_order_relaxed)) return;
      (*task_)(part);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void loop() {
    uint64_t seen = 0;
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
      while (generation_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
      }
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      seen = generation_.load(std::memory_order_acquire);
      if (stopping_) return;
      work();
    }
  }

  const int size_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> next_{0};
  std::atomic<int> done_{0};
  const std::function<void(int)>* task_ = nullptr;
  std::atomic<int> parts_{0};
  bool stopping_ = false;
};

/** LM_BLAS_THREADS, else the machine's cores; at least 1, at most 16. */
int configuredSize() {
  const char* env = std::getenv("LM_BLAS_THREADS");
  const int wanted = env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : int(std::thread::hardware_concurrency());
  return std::clamp(wanted, 1, 16);
}

Pool& pool() {
  static Pool* instance = new Pool(configuredSize());
  return *instance;
}

}  // namespace

int poolSize() { return pool().size(); }

void parallel(int parts, const std::function<void(int)>& f) { pool().run(parts, f); }

void stopPool() { pool().stop(); }

}  // namespace lm
