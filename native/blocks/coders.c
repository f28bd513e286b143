// The blocks addon's coding threads: erasure coding runs here, not on libuv's pool, for two
// reasons. libuv's pool (4 threads) also does all of node:fs's file I/O, so coding jobs held
// threads that fsyncs and shard reads waited for. And libuv wakes the JavaScript thread for every
// finished job: at 256 KiB shards a job is ~60 µs, and on two cores each wakeup took a core from a
// coding thread (4+2 encode scaled 1.45-1.85x from one core to two). Here a finished job wakes the
// JavaScript thread only when the threads are about to run out of queued work; until then
// results wait, and one wakeup delivers them all. No result waits longer than the queue ahead of
// it takes to drain, and with little queued (a single call, the read path) every result goes at once.
//
// Threads: SHMR_CODER_THREADS if set, else one per CPU this process may run on; started at the
// first job, stopped when the environment is torn down.
//
// The same pool, a second time, is the background lane: the file I/O, checksums and coding of
// tasks that move data while the mount serves (shift, tier, rewrite, drain, repair in the
// server). In libuv's pool a task's jobs queued ahead of the mount's: a shift keeps dozens of
// 1 MiB block reads and 16 MiB shard writes queued, and a 4 KiB read through the mount waited
// behind them (37-85 reads a second against 5300 alone, 15 ms each in shmr's handler). On threads of their own, at most
// BACKGROUND_THREADS of them run at once, at the idle I/O priority (an I/O scheduler with
// priorities serves the mount first) and nice 10 (the mount's threads get the CPUs first).
#define _GNU_SOURCE  // sched_getaffinity, CPU_COUNT
#include "coders.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_CODER_THREADS 64
// The background lane's threads (SHMR_BACKGROUND_THREADS overrides): as many as libuv's pool, so
// that a task moves data as fast inside the mount as offline when nothing else reads.
#define BACKGROUND_THREADS 4
// I/O priorities (linux/ioprio.h; glibc has no wrapper): the idle class, for the calling thread.
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_WHO_PROCESS 1
#define BACKGROUND_NICE 10

typedef struct task {
  struct task *next;
  void (*run)(void *data);
  void (*done)(napi_env env, void *data);
  void *data;
} task_t;

typedef struct {
  task_t *head, *tail;
} task_list_t;

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t work;
  task_list_t queued;  // not started yet
  size_t queued_count;
  task_list_t finished;  // waiting for the JavaScript thread
  bool delivery_pending;  // a call of `deliver` is on its way
  bool stopping;
  napi_threadsafe_function deliver;
  size_t outstanding;  // submitted and not yet done; the JavaScript thread's alone
  int thread_count;
  pthread_t threads[MAX_CODER_THREADS];
  bool unavailable;  // the pool could not be started: callers use libuv's
  lane_t lane;
} coders_t;

// The lanes of one environment (its instance data).
typedef struct {
  coders_t *lanes[LANE_COUNT];
} lanes_t;

static void push(task_list_t *list, task_t *task) {
  task->next = NULL;
  if (list->tail) list->tail->next = task;
  else list->head = task;
  list->tail = task;
}

static task_t *take_all(task_list_t *list) {
  task_t *all = list->head;
  list->head = list->tail = NULL;
  return all;
}

static void *coder_main(void *argument) {
  coders_t *coders = argument;
  if (coders->lane == LANE_BACKGROUND) {
    // For this thread alone (a thread id as `who`); best effort: a kernel that refuses leaves it as it was.
    syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT);
    setpriority(PRIO_PROCESS, (id_t) syscall(SYS_gettid), BACKGROUND_NICE);
  }
  pthread_mutex_lock(&coders->lock);
  for (;;) {
    while (!coders->queued.head && !coders->stopping) pthread_cond_wait(&coders->work, &coders->lock);
    if (coders->stopping) break;
    task_t *task = coders->queued.head;
    coders->queued.head = task->next;
    if (!coders->queued.head) coders->queued.tail = NULL;
    coders->queued_count--;
    pthread_mutex_unlock(&coders->lock);
    task->run(task->data);
    pthread_mutex_lock(&coders->lock);
    push(&coders->finished, task);
    // Wake the JavaScript thread while the threads still have about a job each queued ahead of
    // them, so that new calls arrive before they run dry. At least two: a lone thread must still
    // have one job to run while its results cross to the JavaScript thread on another core (with
    // one, it idled for every round trip: 10 GB/s against 18 for 4+2 at 256 KiB shards).
    size_t low_water = coders->thread_count < 2 ? 2 : (size_t) coders->thread_count;
    bool wake = !coders->delivery_pending && coders->queued_count < low_water;
    if (wake) coders->delivery_pending = true;
    pthread_mutex_unlock(&coders->lock);
    if (wake) napi_call_threadsafe_function(coders->deliver, NULL, napi_tsfn_nonblocking);
    pthread_mutex_lock(&coders->lock);
  }
  pthread_mutex_unlock(&coders->lock);
  return NULL;
}

// On the JavaScript thread: every finished task's `done`.
static void deliver(napi_env env, napi_value callback, void *context, void *data) {
  (void) callback;
  (void) data;
  coders_t *coders = context;
  if (!env) return;  // torn down
  pthread_mutex_lock(&coders->lock);
  task_t *task = take_all(&coders->finished);
  coders->delivery_pending = false;
  pthread_mutex_unlock(&coders->lock);
  while (task) {
    task_t *next = task->next;
    task->done(env, task->data);
    free(task);
    task = next;
    if (--coders->outstanding == 0) napi_unref_threadsafe_function(env, coders->deliver);
  }
}

static void stop(void *argument) {
  coders_t *coders = argument;
  pthread_mutex_lock(&coders->lock);
  coders->stopping = true;
  pthread_cond_broadcast(&coders->work);
  pthread_mutex_unlock(&coders->lock);
  for (int i = 0; i < coders->thread_count; i++) pthread_join(coders->threads[i], NULL);
  if (coders->deliver) napi_release_threadsafe_function(coders->deliver, napi_tsfn_abort);
  // Tasks still queued or undelivered belong to an environment that is gone: left as they are.
}

static int thread_count(lane_t lane) {
  const char *configured = getenv(lane == LANE_BACKGROUND ? "SHMR_BACKGROUND_THREADS" : "SHMR_CODER_THREADS");
  int count = configured ? atoi(configured) : 0;
  if (count <= 0 && lane == LANE_BACKGROUND) count = BACKGROUND_THREADS;
  if (count <= 0) {
    cpu_set_t cpus;
    count = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  }
  return count < 1 ? 1 : count > MAX_CODER_THREADS ? MAX_CODER_THREADS : count;
}

static coders_t *start(napi_env env, lane_t lane) {
  lanes_t *lanes = NULL;
  if (napi_get_instance_data(env, (void **) &lanes) != napi_ok || !lanes) {
    lanes = calloc(1, sizeof(lanes_t));
    if (!lanes) return NULL;
    // No finalizer: see below.
    napi_set_instance_data(env, lanes, NULL, NULL);
  }
  if (lanes->lanes[lane]) return lanes->lanes[lane];
  coders_t *coders = calloc(1, sizeof(coders_t));
  if (!coders) return NULL;
  coders->lane = lane;
  pthread_mutex_init(&coders->lock, NULL);
  pthread_cond_init(&coders->work, NULL);
  napi_value name;
  napi_create_string_utf8(env, lane == LANE_BACKGROUND ? "shmr:background" : "shmr:coders", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, coders, deliver, &coders->deliver) != napi_ok) {
    coders->unavailable = true;
  } else {
    napi_unref_threadsafe_function(env, coders->deliver);
    int wanted = thread_count(lane);
    while (coders->thread_count < wanted && pthread_create(&coders->threads[coders->thread_count], NULL, coder_main, coders) == 0) coders->thread_count++;
    if (coders->thread_count > 0) {
      napi_add_env_cleanup_hook(env, stop, coders);
    } else {
      napi_release_threadsafe_function(coders->deliver, napi_tsfn_abort);
      coders->unavailable = true;
    }
  }
  // No finalizer: the cleanup hook joins the threads, and the struct stays, as the threadsafe
  // function may still name it while it is finalized.
  lanes->lanes[lane] = coders;
  return coders;
}

bool coders_submit(napi_env env, lane_t lane, void (*run)(void *data), void (*done)(napi_env env, void *data), void *data) {
  coders_t *coders = start(env, lane);
  if (!coders || coders->unavailable) return false;
  task_t *task = malloc(sizeof(task_t));
  if (!task) return false;
  task->run = run;
  task->done = done;
  task->data = data;
  if (coders->outstanding++ == 0) napi_ref_threadsafe_function(env, coders->deliver);
  pthread_mutex_lock(&coders->lock);
  push(&coders->queued, task);
  coders->queued_count++;
  pthread_cond_signal(&coders->work);
  pthread_mutex_unlock(&coders->lock);
  return true;
}
