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
 * LM_POOL_STALL_US (for tests): a worker sleeps this long before 1 in 50 of its claims, as a thread the system
 * descheduled there would. Read once.
 */
const int kStallMicros = [] {
  const char* env = std::getenv("LM_POOL_STALL_US");
  return env != nullptr ? std::max(0, std::atoi(env)) : 0;
}();

/** Parts per call that one claim word can count (20 bits); `parallel` folds larger counts into this many. */
constexpr int kMaxParts = (1 << 20) - 1;

/**
 * Parts are claimed by whichever thread gets there first, the caller included: when a worker is asleep or
 * descheduled (another process busy on the other core), the caller runs its parts itself, so a call never
 * takes much longer than running it serially. The caller waits only for parts that a worker has claimed and is
 * running.
 *
 * A claim is one compare-and-swap on a word that holds the call's number, its part count and its next part, so
 * it is a claim on the call that was read or on none. With a separate counter and part count, a worker held up
 * between taking a number and checking it against the count could run a part of the next call: that call then
 * ran the part twice and waited forever for a count it had passed, or the worker called the previous call's
 * task, gone by then. With a 20 us stall injected before 1 in 50 claims, calls alternating between 2 and 4
 * parts hung or crashed at once; a CI run's edge-of-stability template (its steps alternate 2-part tanh calls
 * and 4-part products) hung for 5 minutes, its runner spinning in parallel() under Gemm.
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
      done_.store(0, std::memory_order_relaxed);
      calls_ = (calls_ + 1) & kCallMask;
      next_.store(calls_ << 40 | uint64_t(parts) << 20, std::memory_order_release);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work(false);
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
  /** Claims and runs parts of the current call until none is left (or another call began). */
  void work(bool worker) {
    thread_local unsigned claims = 0;
    uint64_t word = next_.load(std::memory_order_acquire);
    const uint64_t call = word >> 40;
    for (;;) {
      const uint64_t part = word & kPartMask;
      if (word >> 40 != call || part >= (word >> 20 & kPartMask)) return;
      if (kStallMicros > 0 && worker && ++claims % 50 == 0)
        std::this_thread::sleep_for(std::chrono::microseconds(kStallMicros));
      if (!next_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel, std::memory_order_acquire))
        continue;
      (*task_)(int(part));
      done_.fetch_add(1, std::memory_order_acq_rel);
      word = next_.load(std::memory_order_acquire);
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
      work(true);
    }
  }

  const int size_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  static constexpr uint64_t kPartMask = (uint64_t(1) << 20) - 1;
  static constexpr uint64_t kCallMask = (uint64_t(1) << 24) - 1;
  std::atomic<uint64_t> generation_{0};
  /** The current call's number (24 bits), its part count and its next unclaimed part (20 bits each). */
  std::atomic<uint64_t> next_{0};
  uint64_t calls_ = 0;
  std::atomic<int> done_{0};
  const std::function<void(int)>* task_ = nullptr;
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

void parallel(int parts, const std::function<void(int)>& f) {
  if (parts <= kMaxParts) return pool().run(parts, f);
  pool().run(kMaxParts, [&](int first) {
    for (int part = first; part < parts; part += kMaxParts) f(part);
  });
}

void stopPool() { pool().stop(); }

}  // namespace lm
