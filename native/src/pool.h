// A small fixed pool of worker threads for splitting one kernel call across the cores.
#pragma once
#include <functional>

namespace lm {

/** Threads available to `parallel`: LM_BLAS_THREADS if set, else the machine's cores (1 to 16). */
int poolSize();

/**
 * Runs f(0) .. f(parts - 1) on the calling thread and the pool's workers, each part on whichever thread claims
 * it first, and returns when all are done. More parts than threads keep a descheduled worker (another process
 * busy on its core) from holding back more than one part. Workers spin briefly after a task before they
 * sleep, so a training step's back-to-back kernels do not each pay a wake-up.
 */
void parallel(int parts, const std::function<void(int)>& f);

/** Stops and joins the workers (the addon's environment cleanup hook). */
void stopPool();

}  // namespace lm
