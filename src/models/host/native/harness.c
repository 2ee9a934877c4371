/*
 * hrtsim native harness: the host's Linux primitives, measured the way the authors'
 * benchmark.c (Nautilus src/test/benchmark.c, Linux build: -D__USER, pthreads) measures
 * them. Stamps are plain `rdtsc` (as the authors' rdtscll) and are taken where the
 * authors take theirs; DELAY is usleep() as in the authors' Linux build.
 *
 * Build:  cc -O2 -pthread -Wall -Wextra -o harness harness.c
 * Run:    ./harness [--trials N] [--only a,b] [--progress] [--hello PATH]
 *                   [--clock rdtsc|monotonic] [--rounds R] [--detour-seconds S]
 * Output: stdout = `# key=value` header, then CSV `experiment,core,trial,cycles`;
 *         stderr = `# progress <experiment> <done>/<total>` (with --progress), errors.
 *
 * Deliberate differences from benchmark.c, none inside a timed region:
 *  - The main thread is pinned to CPU 0 (the Nautilus build runs it on the BSP, CPU 0;
 *    the Linux build pins it only for condvar-bcast). On a 2-core host a floating main
 *    thread would collide with the CPU-1 child. Process start-up runs unpinned.
 *  - condvar / condvar-bcast use a predicate flag and timed waits (and wait until every
 *    waiter has announced itself before the delay starts), so a lost wake-up cannot hang
 *    the run. The stamps and the signal/broadcast calls are where the authors put them.
 *  - threads-long children block on a semaphore until the end stamp instead of
 *    returning at once (see exp_threads_long: setting the affinity of an exited thread
 *    re-pins the creator in glibc).
 *  - sync-event keeps one spinning remote thread per CPU for all trials instead of
 *    creating one per trial with a 100 ms delay; sync-roundtrip (round trip / 2) is ours.
 *  - Every spin loop gives up after SPIN_TIMEOUT_S seconds (the run then fails).
 *  - syscall (getppid), fork-exec and posix-spawn are the baselines of experiments.md,
 *    not in benchmark.c; the syscall stamps are raw (tsc_overhead is in the header).
 *  - Version 2: the trials run in R rounds (default 10), every experiment 1/R of its trials a
 *    round, the order rotated each round, so a host whose load drifts over the run loads every
 *    experiment alike; three variants of benchmark.c's tests differ only in an idle time
 *    (thread-create-sleep100us / -sleep1ms, condvar-sleep1ms); `detour` is a selfish-detour
 *    noise trace per CPU (detour / detour-start rows), not a timed primitive.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

extern char **environ;

#define HARNESS_VERSION 2
#define DEFAULT_TRIALS 1000
#define DEFAULT_ROUNDS 10
#define SPIN_TIMEOUT_S 10
#define MAX_CPUS 1024
#define YIELD_COUNT 100
#define CACHE_LINE 64

enum {
    E_THREAD_CREATE, E_THREAD_RUN, E_THREAD_BOTH, E_THREADS_LONG, E_CTX_SWITCH,
    E_CONDVAR, E_CONDVAR_BCAST, E_SPINLOCK, E_SYSCALL, E_SYNC_EVENT, E_SYNC_ROUNDTRIP,
    E_FORK_EXEC, E_POSIX_SPAWN, E_THREAD_CREATE_100US, E_THREAD_CREATE_1MS, E_CONDVAR_1MS, E_DETOUR, E_DETOUR_START, E_COUNT
};
static const char *const exp_names[E_COUNT] = {
    "thread-create", "thread-run", "thread-both", "threads-long", "ctx-switch",
    "condvar", "condvar-bcast", "spinlock", "syscall", "sync-event", "sync-roundtrip",
    "fork-exec", "posix-spawn", "thread-create-sleep100us", "thread-create-sleep1ms", "condvar-sleep1ms", "detour", "detour-start"
};

static int use_tsc;
static int ncpu;
static int cpu_ids[MAX_CPUS];
static cpu_set_t orig_mask;
static int trials = DEFAULT_TRIALS; /* per round while running; the total is rounds × this */
static int rounds = DEFAULT_ROUNDS;
static int round_index;
static int show_progress;
static int selected[E_COUNT];
static char hello_path[PATH_MAX];
static uint64_t tsc_overhead;

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* ---------------------------------------------------------------- clocks */

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t stamp(void)
{
#if defined(__x86_64__)
    if (use_tsc) return __rdtsc();
#endif
    return clock_ns(CLOCK_MONOTONIC_RAW);
}

static inline double delta(uint64_t start, uint64_t end) { return (double)(int64_t)(end - start); }

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("harness: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    _exit(2);
}

/* Spin until cond holds; the clock is read only every 4096 iterations, so the first
 * few thousand checks are bare loads, as in the authors' `while (!flag);`. */
#define SPIN_UNTIL(cond, what)                                                        \
    do {                                                                              \
        unsigned long spin_n_ = 0;                                                    \
        uint64_t spin_dl_ = 0;                                                        \
        while (!(cond)) {                                                             \
            if ((++spin_n_ & 0xfffUL) == 0) {                                         \
                uint64_t spin_t_ = clock_ns(CLOCK_MONOTONIC);                         \
                if (!spin_dl_) spin_dl_ = spin_t_ + SPIN_TIMEOUT_S * 1000000000ull;   \
                else if (spin_t_ > spin_dl_) die("timeout (%ds) in %s", SPIN_TIMEOUT_S, what); \
            }                                                                         \
        }                                                                             \
    } while (0)

static void busy_wait_ns(uint64_t ns)
{
    uint64_t end = clock_ns(CLOCK_MONOTONIC) + ns;
    while (clock_ns(CLOCK_MONOTONIC) < end) { }
}

static struct timespec deadline_in(uint64_t ns)
{
    uint64_t t = clock_ns(CLOCK_MONOTONIC) + ns;
    struct timespec ts = { (time_t)(t / 1000000000ull), (long)(t % 1000000000ull) };
    return ts;
}

/* ---------------------------------------------------------------- output */

typedef struct { int exp, core, trial; double v; } sample_t;
static sample_t *samples;
static size_t nsamples, capsamples;

static void emit_raw(int e, int core, int trial, double v);

/* `trial` counts within the round; spinlock and syscall run 10 × trials a round. */
static void emit(int e, int core, int trial, double v)
{
    int per_round = (e == E_SPINLOCK || e == E_SYSCALL) ? trials * 10 : trials;
    emit_raw(e, core, round_index * per_round + trial, v);
}

static void emit_raw(int e, int core, int trial, double v)
{
    if (nsamples == capsamples) {
        capsamples = capsamples ? capsamples * 2 : 4096;
        samples = realloc(samples, capsamples * sizeof *samples);
        if (!samples) die("out of memory");
    }
    samples[nsamples++] = (sample_t){ e, core, trial, v };
}

static void flush_samples(void)
{
    for (size_t i = 0; i < nsamples; i++)
        printf("%s,%d,%d,%.15g\n", exp_names[samples[i].exp], samples[i].core, samples[i].trial, samples[i].v);
    nsamples = 0;
    fflush(stdout);
}

static void progress(int e, long done, long total)
{
    long step = total / 20 > 0 ? total / 20 : 1;
    if (show_progress && (done == total || done % step == 0))
        fprintf(stderr, "# progress %s %ld/%ld\n", exp_names[e], (long)round_index * total + done, total * rounds);
}

/* ---------------------------------------------------------------- pinning */

static void set_cpu(cpu_set_t *s, int logical) { CPU_ZERO(s); CPU_SET(cpu_ids[logical], s); }

static void pin_thread(pthread_t t, int logical)
{
    cpu_set_t s;
    set_cpu(&s, logical);
    int rc = pthread_setaffinity_np(t, sizeof s, &s);
    if (rc) die("pthread_setaffinity_np(cpu %d): %s", cpu_ids[logical], strerror(rc));
}

static void attr_on_cpu(pthread_attr_t *a, int logical)
{
    cpu_set_t s;
    pthread_attr_init(a);
    set_cpu(&s, logical);
    pthread_attr_setaffinity_np(a, sizeof s, &s);
}

static void check_create(int rc, const char *what)
{
    if (rc) die("pthread_create (%s): %s", what, strerror(rc));
}

static void *noop_func(void *in) { (void)in; return NULL; }

/* ---------------------------------------------------------------- thread-create/run/both */

static struct { _Alignas(CACHE_LINE) volatile int done; } run_flag;

static void *thread_run_func(void *in) { (void)in; STORE(&run_flag.done, 1); return NULL; }

/* sleep_us: the creator's idle time before the next trial (thread-create: 10 ms, as benchmark.c's
 * DELAY; the -sleep100us / -sleep1ms variants tell the path's warm cost from what a longer idle
 * adds: on a VM, a vCPU halted past KVM's halt-poll window sleeps on the host). */
static void exp_thread_create(int e, unsigned sleep_us)
{
    for (int i = 0; i < trials; i++) {
        pthread_t t;
        pthread_attr_t attr;
        uint64_t start = stamp();
        attr_on_cpu(&attr, 1);
        int rc = pthread_create(&t, &attr, noop_func, NULL);
        uint64_t end = stamp();
        check_create(rc, exp_names[e]);
        pthread_attr_destroy(&attr);
        usleep(sleep_us);
        pthread_join(t, NULL);
        emit(e, 1, i, delta(start, end));
        progress(e, i + 1, trials);
    }
}

/* both = 0: thread-run (stamp after create returns); both = 1: thread-both (before). */
static void exp_thread_run(int both)
{
    int e = both ? E_THREAD_BOTH : E_THREAD_RUN;
    for (int i = 0; i < trials; i++) {
        pthread_t t;
        pthread_attr_t attr;
        uint64_t start = 0, end;
        if (both) start = stamp();
        attr_on_cpu(&attr, 1);
        int rc = pthread_create(&t, &attr, thread_run_func, NULL);
        if (!both) start = stamp();
        SPIN_UNTIL(rc || LOAD(&run_flag.done), "thread-run: waiting for the child's flag");
        end = stamp();
        check_create(rc, exp_names[e]);
        pthread_attr_destroy(&attr);
        usleep(100);
        pthread_join(t, NULL);
        STORE(&run_flag.done, 0);
        emit(e, 1, i, delta(start, end));
        progress(e, i + 1, trials);
    }
}

/* ---------------------------------------------------------------- threads-long */

/* The children block on a gate until the end stamp is taken. benchmark.c's children
 * return at once; pthread_setaffinity_np() on a child that has already exited passes
 * tid 0 to sched_setaffinity() and so re-pins the *creator* (glibc clears the tid on
 * exit). The gate keeps each child alive until its affinity is set; it costs nothing
 * inside the timed loop. */
static sem_t long_gate;

static void *gated_func(void *in)
{
    (void)in;
    while (sem_wait(&long_gate) != 0 && errno == EINTR) { }
    return NULL;
}

static void exp_threads_long(void)
{
    int ks[64], nk = 0;
    for (int k = 2; k <= ncpu && nk < 63; k *= 2) ks[nk++] = k;
    if (nk == 0 || ks[nk - 1] != ncpu) ks[nk++] = ncpu; /* as the Phi's 228 */
    static pthread_t t[MAX_CPUS];
    long total = (long)nk * trials, done = 0;
    sem_init(&long_gate, 0, 0);
    for (int x = 0; x < nk; x++) {
        int k = ks[x];
        for (int i = 0; i < trials; i++) {
            int bad = 0;
            uint64_t start = stamp();
            for (int j = 1; j < k; j++) {
                cpu_set_t s;
                set_cpu(&s, j);
                bad |= pthread_create(&t[j], NULL, gated_func, NULL);
                pthread_setaffinity_np(t[j], sizeof s, &s);
            }
            uint64_t end = stamp();
            check_create(bad, "threads-long");
            for (int j = 1; j < k; j++) sem_post(&long_gate);
            usleep(10000);
            for (int j = 1; j < k; j++) pthread_join(t[j], NULL);
            usleep(10000);
            emit(E_THREADS_LONG, k, i, delta(start, end));
            progress(E_THREADS_LONG, ++done, total);
        }
    }
    sem_destroy(&long_gate);
}

/* ---------------------------------------------------------------- ctx-switch */

static struct {
    _Alignas(CACHE_LINE) volatile int ready[2];
    _Alignas(CACHE_LINE) volatile int done[2];
    _Alignas(CACHE_LINE) volatile int go;
} cs;

static void *ctx_switch_func(void *in)
{
    int id = (int)(intptr_t)in;
    STORE(&cs.ready[id], 1);
    sched_yield();
    uint64_t dl = clock_ns(CLOCK_MONOTONIC) + SPIN_TIMEOUT_S * 1000000000ull;
    while (!LOAD(&cs.go)) {
        sched_yield();
        if (clock_ns(CLOCK_MONOTONIC) > dl) die("timeout in ctx-switch: waiting for go");
    }
    for (int i = 0; i < YIELD_COUNT; i++) sched_yield();
    STORE(&cs.done[id], 1);
    return NULL;
}

static void exp_ctx_switch(void)
{
    for (int i = 0; i < trials; i++) {
        pthread_t t[2];
        for (int id = 0; id < 2; id++) {
            check_create(pthread_create(&t[id], NULL, ctx_switch_func, (void *)(intptr_t)id), "ctx-switch");
            pin_thread(t[id], 1);
        }
        usleep(10000);
        SPIN_UNTIL(LOAD(&cs.ready[0]) && LOAD(&cs.ready[1]), "ctx-switch: waiting for ready");
        STORE(&cs.go, 1);
        uint64_t start = stamp();
        SPIN_UNTIL(LOAD(&cs.done[0]) && LOAD(&cs.done[1]), "ctx-switch: waiting for done");
        uint64_t end = stamp();
        pthread_join(t[0], NULL);
        pthread_join(t[1], NULL);
        cs.ready[0] = cs.ready[1] = cs.done[0] = cs.done[1] = 0;
        STORE(&cs.go, 0);
        emit(E_CTX_SWITCH, 1, i, delta(start, end) / (YIELD_COUNT * 2));
        progress(E_CTX_SWITCH, i + 1, trials);
    }
}

/* ---------------------------------------------------------------- condvar, condvar-bcast */

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_cond;
static struct {
    _Alignas(CACHE_LINE) volatile int waiting;   /* waiters that have announced themselves */
    _Alignas(CACHE_LINE) volatile int go;        /* the predicate */
    _Alignas(CACHE_LINE) volatile int recvd;     /* bcast: waiters that have stamped */
    _Alignas(CACHE_LINE) uint64_t start;         /* condvar: signaller stamp */
} cv;
static struct { _Alignas(CACHE_LINE) uint64_t t; int late; } bc_slot[MAX_CPUS];

/* Wait on cv_cond (cv_lock held) until cv.go. Returns 1 if a wait timed out while the
 * predicate was already set (a lost wake-up: the trial is not a wake-up latency). */
static int wait_for_go(const char *what)
{
    int late = 0;
    uint64_t give_up = clock_ns(CLOCK_MONOTONIC) + SPIN_TIMEOUT_S * 1000000000ull;
    while (!LOAD(&cv.go)) {
        struct timespec ts = deadline_in(200000000ull);
        if (pthread_cond_timedwait(&cv_cond, &cv_lock, &ts) == ETIMEDOUT) {
            late = 1;
            if (clock_ns(CLOCK_MONOTONIC) > give_up) die("timeout in %s: no wake-up", what);
        }
    }
    return late;
}

static void poll_until_waiting(int n, const char *what)
{
    uint64_t give_up = clock_ns(CLOCK_MONOTONIC) + SPIN_TIMEOUT_S * 1000000000ull;
    while (LOAD(&cv.waiting) < n) {
        usleep(10);
        if (clock_ns(CLOCK_MONOTONIC) > give_up) die("timeout in %s: waiters never waited", what);
    }
}

/* The signaller's DELAY before signalling: 100 us (benchmark.c); condvar-sleep1ms: 1000 us, so the
 * waiting CPU idles past KVM's halt-poll window (the same path on the other side of it). */
static unsigned cv_delay_us = 100;

static void *cv_signaller(void *in)
{
    (void)in;
    poll_until_waiting(1, "condvar");
    usleep(cv_delay_us);
    STORE(&cv.go, 1);
    pthread_cond_signal(&cv_cond);
    cv.start = stamp();
    return NULL;
}

static void exp_condvar(int e, unsigned delay_us)
{
    cv_delay_us = delay_us;
    long total = (long)(ncpu - 1) * trials, done = 0;
    for (int j = 1; j < ncpu; j++) {
        for (int i = 0; i < trials; i++) {
            pthread_t t;
            cv.waiting = 0;
            STORE(&cv.go, 0);
            check_create(pthread_create(&t, NULL, cv_signaller, NULL), "condvar");
            pin_thread(t, j);
            pthread_mutex_lock(&cv_lock);
            STORE(&cv.waiting, 1);
            int late = wait_for_go("condvar");
            uint64_t end = stamp();
            pthread_mutex_unlock(&cv_lock);
            pthread_join(t, NULL);
            if (late) fprintf(stderr, "# warning %s cpu %d trial %d: lost wake-up, trial dropped\n", exp_names[e], j, i);
            else emit(e, j, i, delta(cv.start, end));
            progress(e, ++done, total);
        }
    }
}

static pthread_barrier_t bc_barrier;

static void *bc_waiter(void *in)
{
    int j = (int)(intptr_t)in;
    pthread_barrier_wait(&bc_barrier);
    usleep(10);
    pthread_mutex_lock(&cv_lock);
    __atomic_add_fetch(&cv.waiting, 1, __ATOMIC_ACQ_REL);
    bc_slot[j].late = wait_for_go("condvar-bcast");
    bc_slot[j].t = stamp();
    __atomic_add_fetch(&cv.recvd, 1, __ATOMIC_ACQ_REL);
    pthread_mutex_unlock(&cv_lock);
    return NULL;
}

static void exp_condvar_bcast(void)
{
    static pthread_t t[MAX_CPUS];
    for (int i = 0; i < trials; i++) {
        cv.waiting = 0;
        cv.recvd = 0;
        STORE(&cv.go, 0);
        pthread_barrier_init(&bc_barrier, NULL, (unsigned)ncpu);
        for (int j = 1; j < ncpu; j++) {
            check_create(pthread_create(&t[j], NULL, bc_waiter, (void *)(intptr_t)j), "condvar-bcast");
            pin_thread(t[j], j);
        }
        pthread_barrier_wait(&bc_barrier);
        usleep(1000);
        poll_until_waiting(ncpu - 1, "condvar-bcast");
        uint64_t start = stamp();
        STORE(&cv.go, 1);
        pthread_cond_broadcast(&cv_cond);
        SPIN_UNTIL(LOAD(&cv.recvd) == ncpu - 1, "condvar-bcast: waiting for the waiters");
        for (int j = 1; j < ncpu; j++) {
            pthread_join(t[j], NULL);
            if (bc_slot[j].late) fprintf(stderr, "# warning condvar-bcast cpu %d trial %d: lost wake-up, dropped\n", j, i);
            else emit(E_CONDVAR_BCAST, j, i, delta(start, bc_slot[j].t));
        }
        pthread_barrier_destroy(&bc_barrier);
        progress(E_CONDVAR_BCAST, i + 1, trials);
    }
}

/* ---------------------------------------------------------------- spinlock, syscall */

static void measure_stamp_overhead(void)
{
    uint64_t total = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t a = stamp();
        uint64_t b = stamp();
        total += b - a;
    }
    tsc_overhead = total / 1000;
}

static void exp_spinlock(void)
{
    pthread_spinlock_t l;
    int n = trials * 10;
    pthread_spin_init(&l, PTHREAD_PROCESS_PRIVATE);
    for (int i = 0; i < n; i++) {
        uint64_t start = stamp();
        pthread_spin_lock(&l);
        pthread_spin_unlock(&l);
        uint64_t end = stamp();
        uint64_t d = end - start;
        d = tsc_overhead > d ? 0 : d - tsc_overhead;
        emit(E_SPINLOCK, 0, i, (double)d);
        progress(E_SPINLOCK, i + 1, n);
    }
    pthread_spin_destroy(&l);
}

static void exp_syscall(void)
{
    int n = trials * 10;
    for (int i = 0; i < n; i++) {
        uint64_t start = stamp();
        long r = syscall(SYS_getppid);
        uint64_t end = stamp();
        if (r < 0) die("syscall(SYS_getppid) failed");
        emit(E_SYSCALL, 0, i, delta(start, end));
        progress(E_SYSCALL, i + 1, n);
    }
}

/* ---------------------------------------------------------------- sync-event, sync-roundtrip */

#define SYNC_QUIT UINT64_MAX
static struct {
    _Alignas(CACHE_LINE) volatile uint64_t flag;
    _Alignas(CACHE_LINE) volatile uint64_t ready;
    _Alignas(CACHE_LINE) volatile uint64_t ack;
    volatile uint64_t seen_at;
    _Alignas(CACHE_LINE) volatile int stamp_mode;
} sy;

static void *sync_remote(void *in)
{
    (void)in;
    for (uint64_t seq = 1;; seq++) {
        uint64_t f;
        STORE(&sy.ready, seq);
        SPIN_UNTIL((f = LOAD(&sy.flag)) >= seq, "sync: remote waiting for the flag");
        if (f == SYNC_QUIT) break;
        if (sy.stamp_mode) sy.seen_at = stamp();
        STORE(&sy.ack, seq);
    }
    return NULL;
}

static void exp_sync(void)
{
    int phases[2] = { selected[E_SYNC_EVENT], selected[E_SYNC_ROUNDTRIP] };
    for (int j = 1; j < ncpu; j++) {
        pthread_t t;
        pthread_attr_t attr;
        uint64_t seq = 0;
        sy.flag = sy.ready = sy.ack = 0;
        attr_on_cpu(&attr, j);
        check_create(pthread_create(&t, &attr, sync_remote, NULL), "sync");
        pthread_attr_destroy(&attr);
        for (int p = 0; p < 2; p++) {
            if (!phases[p]) continue;
            int e = p == 0 ? E_SYNC_EVENT : E_SYNC_ROUNDTRIP;
            sy.stamp_mode = p == 0;
            for (int i = 0; i < trials; i++) {
                seq++;
                SPIN_UNTIL(LOAD(&sy.ready) == seq, "sync: waiting for the remote");
                busy_wait_ns(20000);
                uint64_t start = stamp();
                STORE(&sy.flag, seq);
                SPIN_UNTIL(LOAD(&sy.ack) == seq, "sync: waiting for the ack");
                uint64_t end = stamp();
                emit(e, j, i, p == 0 ? delta(start, sy.seen_at) : delta(start, end) / 2);
                progress(e, (long)(j - 1) * trials + i + 1, (long)(ncpu - 1) * trials);
            }
        }
        STORE(&sy.flag, SYNC_QUIT);
        pthread_join(t, NULL);
    }
}

/* ---------------------------------------------------------------- fork-exec, posix-spawn */

static void check_child(pid_t pid, int status, const char *what)
{
    if (pid < 0) die("%s: waitpid: %s", what, strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("%s: %s did not exit 0 (status 0x%x)", what, hello_path, (unsigned)status);
}

static void exp_fork_exec(void)
{
    char *argv[] = { hello_path, NULL };
    for (int i = 0; i < trials; i++) {
        int status = 0;
        uint64_t start = stamp();
        pid_t pid = fork();
        if (pid == 0) {
            execve(hello_path, argv, environ);
            _exit(127);
        }
        if (pid < 0) die("fork: %s", strerror(errno));
        pid_t w = waitpid(pid, &status, 0);
        uint64_t end = stamp();
        check_child(w, status, "fork-exec");
        emit(E_FORK_EXEC, 0, i, delta(start, end));
        progress(E_FORK_EXEC, i + 1, trials);
    }
}

static void exp_posix_spawn(void)
{
    char *argv[] = { hello_path, NULL };
    for (int i = 0; i < trials; i++) {
        int status = 0;
        pid_t pid;
        uint64_t start = stamp();
        int rc = posix_spawn(&pid, hello_path, NULL, NULL, argv, environ);
        if (rc) die("posix_spawn(%s): %s", hello_path, strerror(rc));
        pid_t w = waitpid(pid, &status, 0);
        uint64_t end = stamp();
        check_child(w, status, "posix-spawn");
        emit(E_POSIX_SPAWN, 0, i, delta(start, end));
        progress(E_POSIX_SPAWN, i + 1, trials);
    }
}

/* ---------------------------------------------------------------- detour */

/* A selfish-detour loop (Beckman et al.'s noise benchmark, as LogGOPSim's noise traces come
 * from): the main thread, pinned to each CPU in turn, reads the clock back to back for
 * detour_seconds; every gap longer than DETOUR_MIN_NS is a detour (interrupt, kernel thread,
 * daemon, or the hypervisor taking the vCPU). Each detour is two samples with the same trial
 * index: `detour-start` (clock units since that CPU's loop began) and `detour` (its length). */
#define DETOUR_MIN_NS 250
static double detour_seconds = 2.0;

static int detour_count[MAX_CPUS];
static double detour_elapsed[MAX_CPUS];

/* Each round spins detour_seconds / rounds per CPU; a CPU's trace is one timeline with the
 * time between rounds cut out (starts are offset by the loop time of earlier rounds). */
static void exp_detour(double tsc_hz)
{
    uint64_t min_gap = (uint64_t)(tsc_hz * DETOUR_MIN_NS / 1e9);
    uint64_t length = (uint64_t)(tsc_hz * detour_seconds / rounds);
    for (int c = 0; c < ncpu; c++) {
        cpu_set_t s;
        set_cpu(&s, c);
        if (pthread_setaffinity_np(pthread_self(), sizeof s, &s)) die("detour: cannot pin to cpu %d", cpu_ids[c]);
        usleep(1000);
        int n = detour_count[c];
        double base = detour_elapsed[c];
        uint64_t begin = stamp(), prev = begin, now = begin;
        while (now - begin < length) {
            now = stamp();
            if (now - prev > min_gap) {
                emit_raw(E_DETOUR_START, c, n, base + delta(begin, prev));
                emit_raw(E_DETOUR, c, n, delta(prev, now));
                n++;
            }
            prev = now;
        }
        detour_count[c] = n;
        detour_elapsed[c] = base + delta(begin, now);
        progress(E_DETOUR, c + 1, ncpu);
    }
}

/* ---------------------------------------------------------------- set-up */

static const char *choose_clock(const char *want)
{
#if defined(__x86_64__)
    if (want && strcmp(want, "monotonic") == 0) return "forced by --clock monotonic";
    int mode = 0;
    if (prctl(PR_GET_TSC, &mode, 0, 0, 0) == 0 && mode == PR_TSC_SIGSEGV) return "rdtsc disabled (PR_TSC_SIGSEGV)";
    use_tsc = 1;
    return NULL;
#else
    (void)want;
    return "not x86_64";
#endif
}

/* TSC ticks per second against CLOCK_MONOTONIC over ~100 ms (tightest of 5 brackets). */
static void clock_pair(uint64_t *ns, uint64_t *ticks)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 5; i++) {
        uint64_t a = clock_ns(CLOCK_MONOTONIC), t = stamp(), b = clock_ns(CLOCK_MONOTONIC);
        if (b - a < best) { best = b - a; *ns = a + (b - a) / 2; *ticks = t; }
    }
}

static double measure_tsc_hz(void)
{
    uint64_t n0, t0, n1, t1;
    struct timespec nap = { 0, 100000000L };
    clock_pair(&n0, &t0);
    nanosleep(&nap, NULL);
    clock_pair(&n1, &t1);
    return (double)(t1 - t0) * 1e9 / (double)(n1 - n0);
}

static int tsc_invariant(void)
{
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (__get_cpuid(0x80000007, &a, &b, &c, &d)) return (d >> 8) & 1;
#endif
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: harness [--trials N] [--only name,name] [--progress] [--hello PATH]\n"
          "               [--clock rdtsc|monotonic] [--rounds R] [--detour-seconds S] [--list]\n", f);
}

static void parse_only(char *list)
{
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        int found = 0;
        for (int e = 0; e < E_COUNT; e++)
            if (strcmp(tok, exp_names[e]) == 0) { selected[e] = 1; found = 1; }
        if (!found) die("unknown experiment '%s' (--list shows the names)", tok);
    }
}

static void default_hello(void)
{
    char self[PATH_MAX - 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) die("cannot resolve /proc/self/exe; pass --hello");
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash) *slash = 0;
    snprintf(hello_path, sizeof hello_path, "%s/hello", self);
}

/* The integer value `v` of option `flag`, which must lie in lo..hi (else exit with a message). */
static int int_option(const char *flag, const char *v, long lo, long hi)
{
    char *endp;
    long n = strtol(v, &endp, 10);
    if (*endp || n < lo || n > hi) die("%s needs an integer in %ld..%ld, got '%s'", flag, lo, hi, v);
    return (int)n;
}

int main(int argc, char **argv)
{
    const char *clock_want = NULL;
    int any_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--trials") == 0 && v) {
            trials = int_option(a, v, 1, 1000000);
            i++;
        } else if (strcmp(a, "--only") == 0 && v) {
            char *copy = strdup(v);
            parse_only(copy);
            free(copy);
            any_only = 1;
            i++;
        } else if (strcmp(a, "--hello") == 0 && v) {
            snprintf(hello_path, sizeof hello_path, "%s", v);
            i++;
        } else if (strcmp(a, "--clock") == 0 && v) {
            if (strcmp(v, "rdtsc") && strcmp(v, "monotonic")) die("--clock is rdtsc or monotonic");
            clock_want = v;
            i++;
        } else if (strcmp(a, "--rounds") == 0 && v) {
            rounds = int_option(a, v, 1, 10000);
            i++;
        } else if (strcmp(a, "--detour-seconds") == 0 && v) {
            char *endp;
            detour_seconds = strtod(v, &endp);
            if (*endp || !(detour_seconds > 0 && detour_seconds <= 600)) die("--detour-seconds needs a number in (0, 600], got '%s'", v);
            i++;
        } else if (strcmp(a, "--progress") == 0) {
            show_progress = 1;
        } else if (strcmp(a, "--list") == 0) {
            for (int e = 0; e < E_COUNT; e++) puts(exp_names[e]);
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            die("bad argument '%s'", a);
        }
    }
    while (trials % rounds != 0) rounds--; /* whole trials per round: the largest divisor ≤ --rounds */
    if (!any_only)
        for (int e = 0; e < E_COUNT; e++) selected[e] = 1;
    selected[E_DETOUR] |= selected[E_DETOUR_START];
    selected[E_DETOUR_START] = 0;
    if (!hello_path[0]) default_hello();
    if ((selected[E_FORK_EXEC] || selected[E_POSIX_SPAWN]) && access(hello_path, X_OK) != 0)
        die("process start-up program %s is not executable (build hello.c beside the harness or pass --hello)", hello_path);

    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* never outlive the driver */

    if (sched_getaffinity(0, sizeof orig_mask, &orig_mask) != 0) die("sched_getaffinity: %s", strerror(errno));
    for (int c = 0; c < CPU_SETSIZE && ncpu < MAX_CPUS; c++)
        if (CPU_ISSET(c, &orig_mask)) cpu_ids[ncpu++] = c;

    const char *fallback = choose_clock(clock_want);
    double hz = 1e9;
    if (use_tsc) {
        hz = measure_tsc_hz();
        if (!(hz > 1e8 && hz < 1e11)) {
            use_tsc = 0;
            fallback = "TSC frequency implausible";
            hz = 1e9;
        }
    }
    measure_stamp_overhead();

    printf("# harness=hrtsim-native\n# harness_version=%d\n", HARNESS_VERSION);
    printf("# clock=%s\n", use_tsc ? "rdtsc" : "monotonic");
    if (!use_tsc) printf("# clock_note=%s: values are nanoseconds of CLOCK_MONOTONIC_RAW\n", fallback);
    printf("# tsc_hz=%.0f\n# tsc_ref=CLOCK_MONOTONIC over 100 ms\n", hz);
    printf("# tsc_invariant=%d\n# tsc_overhead=%" PRIu64 "\n", tsc_invariant(), tsc_overhead);
    printf("# ncpu=%d\n# cpus=", ncpu);
    for (int c = 0; c < ncpu; c++) printf(c ? ",%d" : "%d", cpu_ids[c]);
    printf("\n# trials=%d\n# spinlock_trials=%d\n# syscall_trials=%d\n# rounds=%d\n", trials, trials * 10, trials * 10, rounds);
    printf("# detour_seconds=%g\n# detour_min_ns=%d\n", detour_seconds, DETOUR_MIN_NS);
    printf("# hello=%s\n# pid=%d\n", hello_path, (int)getpid());
    puts("experiment,core,trial,cycles");
    fflush(stdout);

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv_cond, &ca);

    uint64_t t_begin = clock_ns(CLOCK_MONOTONIC);
    cpu_set_t cpu0;
    set_cpu(&cpu0, 0);

    /* Rounds: every experiment runs trials/rounds trials a round, the round's order rotated by
     * one each round. The host's interference drifts over seconds to minutes (neighbours on a
     * shared host): interleaved, every experiment sees the same mix of it, so fitted and held-out
     * experiments of one set are measured under the same conditions. */
    trials /= rounds;
    for (round_index = 0; round_index < rounds; round_index++)
    for (int k = 0; k < E_COUNT; k++) {
        int e = (k + round_index) % E_COUNT;
        if (!selected[e]) continue;
        int needs_two = e <= E_CONDVAR_BCAST || e == E_SYNC_EVENT || e == E_SYNC_ROUNDTRIP || e == E_THREAD_CREATE_100US || e == E_THREAD_CREATE_1MS || e == E_CONDVAR_1MS;
        if (needs_two && ncpu < 2) {
            if (round_index == 0) printf("# skipped=%s (needs 2 cpus)\n", exp_names[e]);
            continue;
        }
        /* main on CPU 0 (re-pinned each time), except for process start-up */
        int start_up = e == E_FORK_EXEC || e == E_POSIX_SPAWN;
        const cpu_set_t *mask = start_up ? &orig_mask : &cpu0;
        if (pthread_setaffinity_np(pthread_self(), sizeof *mask, mask)) die("cannot set the main thread's affinity");
        switch (e) {
        case E_THREAD_CREATE: exp_thread_create(e, 10000); break;
        case E_THREAD_CREATE_100US: exp_thread_create(e, 100); break;
        case E_THREAD_CREATE_1MS: exp_thread_create(e, 1000); break;
        case E_DETOUR: exp_detour(hz); break;
        case E_DETOUR_START: break; /* never selected: exp_detour writes its rows */
        case E_THREAD_RUN: exp_thread_run(0); break;
        case E_THREAD_BOTH: exp_thread_run(1); break;
        case E_THREADS_LONG: exp_threads_long(); break;
        case E_CTX_SWITCH: exp_ctx_switch(); break;
        case E_CONDVAR: exp_condvar(e, 100); break;
        case E_CONDVAR_1MS: exp_condvar(e, 1000); break;
        case E_CONDVAR_BCAST: exp_condvar_bcast(); break;
        case E_SPINLOCK: exp_spinlock(); break;
        case E_SYSCALL: exp_syscall(); break;
        case E_SYNC_EVENT: exp_sync(); break;
        case E_SYNC_ROUNDTRIP: if (!selected[E_SYNC_EVENT]) exp_sync(); break;
        case E_FORK_EXEC: exp_fork_exec(); break;
        case E_POSIX_SPAWN: exp_posix_spawn(); break;
        }
        cpu_set_t now;
        if (e == E_DETOUR && pthread_setaffinity_np(pthread_self(), sizeof cpu0, &cpu0)) die("cannot set the main thread's affinity");
        if (!start_up && (pthread_getaffinity_np(pthread_self(), sizeof now, &now) || !CPU_EQUAL(&now, &cpu0)))
            fprintf(stderr, "# warning %s: the main thread's affinity changed under it\n", exp_names[e]);
        flush_samples();
    }
    printf("# elapsed_s=%.3f\n", (double)(clock_ns(CLOCK_MONOTONIC) - t_begin) / 1e9);
    fflush(stdout);
    free(samples);
    return 0;
}
