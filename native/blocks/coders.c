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
#define _GNU_SOURCE  // sched_getaffinity, CPU_COUNT
#include "coders.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#define MAX_CODER_THREADS 64

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
} coders_t;

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

static int thread_count(void) {
  const char *configured = getenv("SHMR_CODER_THREADS");
  int count = configured ? atoi(configured) : 0;
  if (count <= 0) {
    cpu_set_t cpus;
    count = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  }
  return count < 1 ? 1 : count > MAX_CODER_THREADS ? MAX_CODER_THREADS : count;
}

static coders_t *start(napi_env env) {
  coders_t *coders = NULL;
  if (napi_get_instance_data(env, (void **) &coders) == napi_ok && coders) return coders;
  coders = calloc(1, sizeof(coders_t));
  if (!coders) return NULL;
  pthread_mutex_init(&coders->lock, NULL);
  pthread_cond_init(&coders->work, NULL);
  napi_value name;
  napi_create_string_utf8(env, "shmr:coders", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, coders, deliver, &coders->deliver) != napi_ok) {
    coders->unavailable = true;
  } else {
    napi_unref_threadsafe_function(env, coders->deliver);
    int wanted = thread_count();
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
  napi_set_instance_data(env, coders, NULL, NULL);
  return coders;
}

bool coders_submit(napi_env env, void (*run)(void *data), void (*done)(napi_env env, void *data), void *data) {
  coders_t *coders = start(env);
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
