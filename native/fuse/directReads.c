// Reads the binding answers itself: a read of a file whose stored blocks JavaScript described at
// its open (a read plan: each block's files, their lengths and chunk checksums) is read and checked
// by one of a few threads of the binding's own, which replies to the kernel directly.
//
// Why: through JavaScript, a small read was a dispatch on the serving thread, a hop to libuv's
// pool for the file I/O and a hop back for the reply, each waking a CPU (4 KiB random reads of a
// cold file: ~185 us each on a demo mount, 48 us on the disk itself), and the serving thread's
// other work (a tar, a shift's bookkeeping) queued in front of them. Here the main thread only
// looks the plan up and queues the read; the reading thread reads the chunks it touches, checks
// them (as blockStore.readRange does) and replies.
//
// Measured on a demo mount, in one session, JavaScript's reads against these: 4 KiB random reads
// of a cold 1 GiB file at queue depth 1, 4,950-5,460 a second against 7,600-10,400; from 16
// readers, 11,400-12,500 against 24,100-24,300; reading every file of a tree of 20,000 small files
// cold, 6.7-7.6 s against 5.8-6.0.
//
// What stays with JavaScript: files with blocks written but not yet stored (no plan is made for
// them), a sequential reader's reads (its block cache and read-ahead serve it better), and any
// read that fails here (a file gone, a bad chunk, an I/O error): the reading thread gives it back,
// and JavaScript reads it again its own way, reading around what it can and reporting the rest.
//
// A plan is dropped by JavaScript before any change to its file's bytes or size takes effect
// (src/lib/fuse/readPlans.ts), on the main thread, where reads are taken: a read that arrives after
// a write was answered never uses the plan from before. Block and shard files are write-once and
// their names never reused (the generation is in the name), so a read still under way with a
// dropped plan reads what the file held when the read was sent, or finds the file gone.
#define _GNU_SOURCE
#include "directReads.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/checkedRead.h"

// Reading threads, asleep when there is nothing to read. 4 KiB random reads from 16 readers at
// once (a cold 1 GiB file, this 2-core machine): 19,500-20,500 a second with 4 threads,
// 24,100-24,300 with 8, 20,700-22,100 with 16. A thread that stayed awake for 100 us after each
// read, to spare a reader going from read to read the wake-up, changed nothing measurable.
#define READING_THREADS 8
// The largest read taken here (as JavaScript's small reads, SMALL_READ_MAX_BYTES in fileData.ts):
// a small file read whole, a random reader's. Larger reads are the kernel's read-ahead of a
// sequential reader, in whatever order it sends them; through here, the reads of a file read
// twice with cat (the second reading the pages the page cache had dropped) left the server
// 10-30 MiB larger.
#define MAX_READ_BYTES (128 * 1024)
// Drive ids below this are counted (readPlans.ts leaves files on others to JavaScript).
#define MAX_DRIVE_ID 4096
// Files the plans keep open at most, all together: past it, a read opens and closes its file. A
// quarter of the process's limit on open files at most (set at start), so that the store and the
// drives always have descriptors to spare.
#define MAX_OPEN_FILES 4096
enum { BLOCK_HOLE = 0, BLOCK_FILES = 1, BLOCK_ELSEWHERE = 2 };

typedef struct {
  const char *path;
  const uint8_t *sums;  // 4 little-endian bytes per chunk
  uint32_t sum_count;
  uint32_t drive;       // its drive's id, for the bytes read from each drive
  int fd;               // open once its first read needs it (-1 until then), closed with the plan
} plan_file_t;

typedef struct {
  uint8_t kind;
  uint32_t file_count;
  uint64_t length;      // the block's stored bytes
  uint64_t file_bytes;  // each file's length: file k holds the block's bytes [k * file_bytes, (k + 1) * file_bytes)
  plan_file_t *files;
} plan_block_t;

typedef struct plan {
  struct plan *next;  // in its table bucket
  uint64_t ino;
  uint64_t size;
  uint64_t block_bytes;
  uint32_t chunk_bytes;
  uint32_t block_count;
  plan_block_t *blocks;
  plan_file_t *files;
  uint8_t *bytes;     // the plan as JavaScript encoded it: paths and sums point into it
  int refs;           // the table's, and one per read under way
  uint64_t next_offset;  // where the last read of the file ended (main thread only; UINT64_MAX: none yet)
} plan_t;

typedef struct job {
  struct job *next;
  fuse_req_t req;
  fuse_ino_t ino;
  uint64_t fh;
  size_t size;
  off_t off;
  plan_t *plan;
} job_t;

#define BUCKETS 1024
static plan_t *table[BUCKETS];  // main thread only

static struct {
  bool started;
  bool stopping;
  pthread_t threads[READING_THREADS];
  pthread_mutex_t lock;
  pthread_cond_t wake;
  job_t *head, *tail;
  int sleeping;  // threads waiting on `wake`
  job_t *given_back;
  uv_async_t give_back;
  direct_read_fallback_t fallback;
  uint64_t reads, bytes;
  uint64_t cached_reads;  // of `reads`, those read_cached answered
  uint64_t drive_bytes[MAX_DRIVE_ID];
  int open_files;
  int max_open_files;
  uint64_t sequential_window;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void unref_plan(plan_t *plan) {
  if (__atomic_sub_fetch(&plan->refs, 1, __ATOMIC_ACQ_REL) > 0) return;
  for (uint32_t i = 0; i < plan->block_count; i++) {
    for (uint32_t k = 0; plan->blocks[i].files && k < plan->blocks[i].file_count; k++) {
      if (plan->blocks[i].files[k].fd < 0) continue;
      close(plan->blocks[i].files[k].fd);
      __atomic_sub_fetch(&pool.open_files, 1, __ATOMIC_RELAXED);
    }
  }
  free(plan->blocks);
  free(plan->files);
  free(plan->bytes);
  free(plan);
}

static plan_t **slot_of(uint64_t ino) {
  plan_t **at = &table[ino % BUCKETS];
  while (*at && (*at)->ino != ino) at = &(*at)->next;
  return at;
}

static void drop_plan(uint64_t ino) {
  plan_t **at = slot_of(ino);
  plan_t *plan = *at;
  if (!plan) return;
  *at = plan->next;
  unref_plan(plan);
}

// --- Reading ----------------------------------------------------------------------------------

// A reading thread's buffers: the reply's bytes, and the chunks read. Kept between reads up to
// KEEP_BUFFER_BYTES (what a read of MAX_READ_BYTES needs); larger ones are given back after the
// read.
typedef struct {
  uint8_t *out;
  size_t out_bytes;
  uint8_t *scratch;
  size_t scratch_bytes;
} thread_buffers_t;

// The main thread's, for read_cached.
static thread_buffers_t main_buffers;

#define KEEP_BUFFER_BYTES (256 * 1024)

// *buffer holds at least `bytes`, page-aligned for direct I/O, or false. Mapped, not malloc'd: a
// large buffer freed through malloc stays in the thread's arena (glibc raises its mmap threshold
// after the first), and eight threads kept ~30 MiB that way after 15 large reads.
static bool ensure_buffer(uint8_t **buffer, size_t *have, size_t bytes) {
  if (bytes <= *have) return true;
  if (*buffer) munmap(*buffer, *have);
  *buffer = NULL;
  *have = 0;
  size_t rounded = (bytes + DIRECT_ALIGN - 1) / DIRECT_ALIGN * DIRECT_ALIGN;
  void *mapped = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return false;
  *buffer = mapped;
  *have = rounded;
  return true;
}

static void trim_buffer(uint8_t **buffer, size_t *have, size_t keep) {
  if (*have <= keep) return;
  munmap(*buffer, *have);
  *buffer = NULL;
  *have = 0;
}

// A block file of the plan, open for reading through the page cache, checked to be as long as the
// plan says. Not with O_DIRECT, as whole blocks are read (common/checkedRead.c): a read here is
// small, and reads a whole 16 KiB chunk to check it, of which its reader asked for 4 KiB; the page
// cache keeps the rest, and the kernel's own read-ahead of the block file, for the reads of the
// chunk's other pages, which then cost no disk read. 4 KiB random reads of a cold 1 GiB file, one
// pass at queue depth 1 (fio, a demo mount, taking turns): 15,200-15,250 a second against
// 8,750-9,040 with O_DIRECT (mergerfs: 22,300-24,500). Kept open with the plan, up to
// max_open_files: the open, fstat and close of each read cost about as much as the read of a
// chunk. *keep says whether the caller must close it; -1 and *status on failure.
static int file_fd(plan_file_t *file, uint64_t file_bytes, bool *keep, int32_t *status) {
  int fd = __atomic_load_n(&file->fd, __ATOMIC_ACQUIRE);
  *keep = true;
  if (fd >= 0) return fd;
  bool direct;
  fd = open_sized(file->path, file_bytes, false, &direct, status);
  if (fd < 0) return -1;
  // A read must not write: without it the first read of each new block file stamps its atime
  // (relatime), which a read on the main thread (see read_cached) must not wait for. Where the
  // server does not own the file (EPERM), reads stamp it as before.
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NOATIME);
  if (__atomic_add_fetch(&pool.open_files, 1, __ATOMIC_RELAXED) > pool.max_open_files) {
    __atomic_sub_fetch(&pool.open_files, 1, __ATOMIC_RELAXED);
    *keep = false;
    return fd;
  }
  int none = -1;
  if (__atomic_compare_exchange_n(&file->fd, &none, fd, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return fd;
  // Another thread opened it meanwhile.
  close(fd);
  __atomic_sub_fetch(&pool.open_files, 1, __ATOMIC_RELAXED);
  return none;
}

// What a read from the page cache only (read_cached) returns when the bytes are not all there, or
// anything else went wrong: a reading thread then does the read its usual way.
#define STATUS_NOT_CACHED (-100)

// Bytes [from, to) of one of a block's files into `out`, reading and checking the chunks they
// touch. `cached_only`: from the page cache or not at all (STATUS_NOT_CACHED), never waiting for a
// disk, and only from a file already open.
static int32_t read_file_rows(const plan_t *plan, const plan_block_t *block, plan_file_t *file, uint64_t from, uint64_t to,
                              uint8_t *out, thread_buffers_t *buffers, bool cached_only) {
  uint64_t chunk = plan->chunk_bytes;
  uint64_t first = from / chunk;
  uint64_t chunks = (to + chunk - 1) / chunk - first;
  if (first + chunks > file->sum_count) return STATUS_CHECKSUM_MISMATCH;
  uint64_t start = first * chunk;
  size_t bytes = (size_t) (chunks * chunk < block->file_bytes - start ? chunks * chunk : block->file_bytes - start);
  // Whole device blocks (a read past the end of the file stops there), as the buffer is sized.
  size_t aligned = (bytes + DIRECT_ALIGN - 1) / DIRECT_ALIGN * DIRECT_ALIGN;
  if (!ensure_buffer(&buffers->scratch, &buffers->scratch_bytes, aligned)) return ENOMEM;
  bool keep = true;
  int32_t status = 0;
  int fd = cached_only ? __atomic_load_n(&file->fd, __ATOMIC_ACQUIRE) : file_fd(file, block->file_bytes, &keep, &status);
  if (fd < 0) return cached_only ? STATUS_NOT_CACHED : status;
  size_t done = 0;
  while (status == 0 && done < bytes) {
    struct iovec into = {buffers->scratch + done, aligned - done};
    ssize_t got = preadv2(fd, &into, 1, (off_t) (start + done), cached_only ? RWF_NOWAIT : 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) status = cached_only ? STATUS_NOT_CACHED : errno;
    else if (got == 0) status = cached_only ? STATUS_NOT_CACHED : STATUS_WRONG_SIZE;
    else done += (size_t) got;
  }
  if (!keep) close(fd);
  // Bytes from the page cache are no drive's.
  if (!cached_only) __atomic_add_fetch(&pool.drive_bytes[file->drive], done, __ATOMIC_RELAXED);
  if (status == 0) status = check_chunks(buffers->scratch, bytes, file->sums + 4 * first, (size_t) chunk);
  if (status == STATUS_CHECKSUM_MISMATCH && cached_only) status = STATUS_NOT_CACHED;
  if (status == 0) memcpy(out, buffers->scratch + (from - start), (size_t) (to - from));
  return status;
}

// The job's bytes into buffers->out: 0, or why JavaScript must read them instead (with
// `cached_only`, see read_file_rows).
static int32_t read_job(const job_t *job, size_t *count, thread_buffers_t *buffers, bool cached_only) {
  const plan_t *plan = job->plan;
  uint64_t off = (uint64_t) job->off;
  uint64_t end = off + job->size < plan->size ? off + job->size : plan->size;
  *count = end > off ? (size_t) (end - off) : 0;
  if (!ensure_buffer(&buffers->out, &buffers->out_bytes, *count > 0 ? *count : 1)) return ENOMEM;
  for (uint64_t at = off; at < end;) {
    uint64_t index = at / plan->block_bytes;
    uint64_t base = index * plan->block_bytes;
    uint64_t from = at - base;
    uint64_t to = end - base < plan->block_bytes ? end - base : plan->block_bytes;
    uint8_t *out = buffers->out + (at - off);
    const plan_block_t *block = index < plan->block_count ? &plan->blocks[index] : NULL;
    uint64_t stored = 0;
    if (block && block->kind == BLOCK_ELSEWHERE) return EAGAIN;
    if (block && block->kind == BLOCK_FILES) {
      stored = block->length < to ? block->length : to;
      for (uint64_t k = from / block->file_bytes; k < block->file_count && k * block->file_bytes < stored; k++) {
        uint64_t lo = (from > k * block->file_bytes ? from : k * block->file_bytes) - k * block->file_bytes;
        uint64_t hi = (stored < (k + 1) * block->file_bytes ? stored : (k + 1) * block->file_bytes) - k * block->file_bytes;
        int32_t status = read_file_rows(plan, block, &block->files[k], lo, hi, out + (k * block->file_bytes + lo - from), buffers, cached_only);
        if (status != 0) return status;
      }
    }
    // A hole, or a short block's bytes past what it stores, read as zeros.
    if (stored < to) {
      uint64_t zero_from = stored > from ? stored : from;
      memset(out + (zero_from - from), 0, (size_t) (to - zero_from));
    }
    at = base + to;
  }
  return 0;
}

// Takes the next job, waiting for one; NULL once stopping with none left.
static job_t *next_job(void) {
  pthread_mutex_lock(&pool.lock);
  while (pool.head == NULL && !pool.stopping) {
    pool.sleeping++;
    pthread_cond_wait(&pool.wake, &pool.lock);
    pool.sleeping--;
  }
  job_t *job = pool.head;
  if (job) {
    pool.head = job->next;
    if (pool.head == NULL) pool.tail = NULL;
  }
  pthread_mutex_unlock(&pool.lock);
  return job;
}

static void give_back(job_t *job) {
  pthread_mutex_lock(&pool.lock);
  job->next = pool.given_back;
  pool.given_back = job;
  pthread_mutex_unlock(&pool.lock);
  uv_async_send(&pool.give_back);
}

// Replies with the `count` bytes read into buffers->out, and counts the read.
static void answer(fuse_req_t req, const thread_buffers_t *buffers, size_t count) {
  fuse_reply_buf(req, (const char *) buffers->out, count);
  __atomic_add_fetch(&pool.reads, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&pool.bytes, count, __ATOMIC_RELAXED);
}

static void trim_buffers(thread_buffers_t *buffers, size_t keep) {
  trim_buffer(&buffers->out, &buffers->out_bytes, keep);
  trim_buffer(&buffers->scratch, &buffers->scratch_bytes, keep);
}

static void *reading_thread(void *unused) {
  thread_buffers_t buffers = {0};
  for (job_t *job; (job = next_job()) != NULL;) {
    size_t count = 0;
    int32_t status = read_job(job, &count, &buffers, false);
    if (status == 0) {
      answer(job->req, &buffers, count);
      unref_plan(job->plan);
      free(job);
    } else {
      give_back(job);
    }
    trim_buffers(&buffers, KEEP_BUFFER_BYTES);
  }
  trim_buffers(&buffers, 0);
  return NULL;
}

// The reads given back, to JavaScript (the main thread).
static void on_given_back(uv_async_t *handle) {
  pthread_mutex_lock(&pool.lock);
  job_t *job = pool.given_back;
  pool.given_back = NULL;
  pthread_mutex_unlock(&pool.lock);
  while (job) {
    job_t *next = job->next;
    if (pool.stopping) fuse_reply_err(job->req, EIO);
    else pool.fallback(job->req, job->ino, job->fh, job->size, job->off);
    unref_plan(job->plan);
    free(job);
    job = next;
  }
}

bool direct_reads_start(uv_loop_t *loop, direct_read_fallback_t fallback, uint64_t sequential_window) {
  if (pool.started || crc32c_load() != NULL) return false;
  pool.fallback = fallback;
  pool.sequential_window = sequential_window;
  pool.stopping = false;
  struct rlimit files;
  pool.max_open_files = getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur / 4 < MAX_OPEN_FILES ? (int) (files.rlim_cur / 4) : MAX_OPEN_FILES;
  if (uv_async_init(loop, &pool.give_back, on_given_back) != 0) return false;
  // Giving back does not keep the process alive.
  uv_unref((uv_handle_t *) &pool.give_back);
  int started = 0;
  for (; started < READING_THREADS; started++) {
    if (pthread_create(&pool.threads[started], NULL, reading_thread, NULL) != 0) break;
  }
  pool.started = started > 0;
  if (!pool.started) {
    uv_close((uv_handle_t *) &pool.give_back, NULL);
    return false;
  }
  for (int i = started; i < READING_THREADS; i++) pool.threads[i] = 0;
  return true;
}

void direct_reads_stop(void) {
  if (!pool.started) return;
  pthread_mutex_lock(&pool.lock);
  __atomic_store_n(&pool.stopping, true, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  for (int i = 0; i < READING_THREADS; i++) {
    if (pool.threads[i]) pthread_join(pool.threads[i], NULL);
  }
  on_given_back(&pool.give_back);
  uv_close((uv_handle_t *) &pool.give_back, NULL);
  trim_buffers(&main_buffers, 0);
  for (uint32_t i = 0; i < BUCKETS; i++) {
    while (table[i]) drop_plan(table[i]->ino);
  }
  pool.started = false;
}

// Answers a read here, on the main thread, when every chunk it needs is in the page cache and
// checks out: read with RWF_NOWAIT, which fails rather than wait for a disk, from block files a
// reading thread has opened (opening one may wait). The hand-over to a reading thread and its
// wake-up cost more than such a read: 4 KiB random reads of a cold 1 GiB file, one pass at
// queue depth 1, where most reads find their chunk cached by an earlier one (see file_fd; about
// half of them in the first quarter of the pass): 18,870-19,360 a second against 13,900-14,940
// with every read handed over (mergerfs: 21,980-24,300; a demo mount, fio, taking turns).
// Anything else (a chunk not cached, a bad one, a file not yet open) is left to a reading
// thread, as before. On a miss RWF_NOWAIT still starts the read of what is missing (as
// read-ahead, submitted without waiting for it: preadv2(2) of a cold file, then fincore), so the
// reading thread's read waits for that one instead of reading the chunk a second time.
static bool read_cached(fuse_req_t req, fuse_ino_t ino, uint64_t fh, size_t size, off_t off, plan_t *plan) {
  // The plan cannot be dropped meanwhile: only the main thread drops plans.
  job_t job = {.req = req, .ino = ino, .fh = fh, .size = size, .off = off, .plan = plan};
  size_t count = 0;
  bool answered = read_job(&job, &count, &main_buffers, true) == 0;
  if (answered) {
    __atomic_add_fetch(&pool.cached_reads, 1, __ATOMIC_RELAXED);
    answer(req, &main_buffers, count);
  }
  trim_buffers(&main_buffers, KEEP_BUFFER_BYTES);
  return answered;
}

direct_read_t direct_read_take(fuse_req_t req, fuse_ino_t ino, uint64_t fh, size_t size, off_t off) {
  if (!pool.started) return DIRECT_READ_NOT_TAKEN;
  plan_t *plan = *slot_of(ino);
  if (!plan) return DIRECT_READ_NOT_TAKEN;
  // A sequential reader: a read within the kernel's read-ahead window of where the last ended (it
  // sends several at once, out of order by megabytes: with only a read starting exactly there
  // counted, 30 reads of two files read through with cat came here, a megabyte each), or the
  // first of a file longer than the read (head, file(1), a player starting: a read of the whole
  // small file is not one). A random reader lands that near its last read rarely (with the
  // default 4 MiB, 1 in 128 in a 1 GiB file).
  uint64_t at = (uint64_t) off;
  bool sequential = off == 0 ? size < plan->size
                             : at + pool.sequential_window >= plan->next_offset && at <= plan->next_offset + pool.sequential_window;
  plan->next_offset = (uint64_t) off + size;
  if (sequential || size > MAX_READ_BYTES) return DIRECT_READ_NOT_TAKEN;
  if (read_cached(req, ino, fh, size, off, plan)) return DIRECT_READ_ANSWERED;
  job_t *job = malloc(sizeof(job_t));
  if (!job) return DIRECT_READ_NOT_TAKEN;
  *job = (job_t) {.req = req, .ino = ino, .fh = fh, .size = size, .off = off, .plan = plan};
  __atomic_add_fetch(&plan->refs, 1, __ATOMIC_ACQ_REL);
  pthread_mutex_lock(&pool.lock);
  if (pool.tail) pool.tail->next = job; else pool.head = job;
  pool.tail = job;
  if (pool.sleeping > 0) pthread_cond_signal(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  return DIRECT_READ_HANDED;
}

// --- The plan, as src/lib/fuse/readPlans.ts encodes it ---------------------------------------
//
// Little-endian. Header: u32 block count, u32 chunk bytes, f64 file size, f64 block bytes. Each
// block: u32 kind (BLOCK_*), u32 file count, f64 stored bytes, f64 bytes per file; then each
// file: u32 path bytes (with its NUL, padded to 4), u32 chunk count, u32 drive id, the path, the
// chunk sums.

typedef struct {
  const uint8_t *at;
  const uint8_t *end;
} cursor_t;

static bool take(cursor_t *c, void *out, size_t bytes) {
  if ((size_t) (c->end - c->at) < bytes) return false;
  memcpy(out, c->at, bytes);
  c->at += bytes;
  return true;
}

static bool take_u32(cursor_t *c, uint32_t *out) { return take(c, out, 4); }

static bool take_size(cursor_t *c, uint64_t *out) {
  double value;
  if (!take(c, &value, 8) || !(value >= 0 && value <= 9007199254740992.0)) return false;
  *out = (uint64_t) value;
  return true;
}

static bool skip(cursor_t *c, const uint8_t **out, size_t bytes) {
  if ((size_t) (c->end - c->at) < bytes) return false;
  *out = c->at;
  c->at += bytes;
  return true;
}

// The plan in bytes[0, length) (taken over), or NULL when malformed.
static plan_t *parse_plan(uint64_t ino, uint8_t *bytes, size_t length) {
  plan_t *plan = calloc(1, sizeof(plan_t));
  if (!plan) return NULL;
  plan->ino = ino;
  plan->bytes = bytes;
  plan->refs = 1;
  plan->next_offset = UINT64_MAX;
  cursor_t c = {bytes, bytes + length};
  bool ok = take_u32(&c, &plan->block_count) && take_u32(&c, &plan->chunk_bytes) && take_size(&c, &plan->size) && take_size(&c, &plan->block_bytes)
            && plan->chunk_bytes > 0 && plan->chunk_bytes % DIRECT_ALIGN == 0 && plan->block_bytes > 0
            && (plan->blocks = calloc(plan->block_count ? plan->block_count : 1, sizeof(plan_block_t))) != NULL;
  // Files are counted in a first pass, so that one array holds them all.
  size_t file_total = 0;
  cursor_t first = c;
  for (uint32_t i = 0; ok && i < plan->block_count; i++) {
    plan_block_t *block = &plan->blocks[i];
    uint32_t kind = 0;
    ok = take_u32(&c, &kind) && take_u32(&c, &block->file_count) && take_size(&c, &block->length) && take_size(&c, &block->file_bytes) && kind <= BLOCK_ELSEWHERE;
    block->kind = (uint8_t) kind;
    if (ok && kind == BLOCK_FILES) ok = block->file_count > 0 && block->file_bytes > 0 && block->length <= block->file_bytes * block->file_count;
    for (uint32_t k = 0; ok && k < block->file_count; k++) {
      uint32_t path_bytes, sum_count;
      const uint8_t *skipped;
      uint32_t drive;
      ok = take_u32(&c, &path_bytes) && take_u32(&c, &sum_count) && take_u32(&c, &drive) && drive < MAX_DRIVE_ID
           && skip(&c, &skipped, path_bytes) && memchr(skipped, 0, path_bytes) != NULL && skip(&c, &skipped, 4 * (size_t) sum_count);
      file_total++;
    }
  }
  ok = ok && c.at == c.end && (plan->files = calloc(file_total ? file_total : 1, sizeof(plan_file_t))) != NULL;
  c = first;
  plan_file_t *file = plan->files;
  for (uint32_t i = 0; ok && i < plan->block_count; i++) {
    plan_block_t *block = &plan->blocks[i];
    c.at += 24;
    block->files = file;
    for (uint32_t k = 0; k < block->file_count; k++, file++) {
      uint32_t path_bytes = 0;
      const uint8_t *path = NULL;
      take_u32(&c, &path_bytes);
      take_u32(&c, &file->sum_count);
      take_u32(&c, &file->drive);
      skip(&c, &path, path_bytes);
      file->path = (const char *) path;
      file->fd = -1;
      skip(&c, &file->sums, 4 * (size_t) file->sum_count);
    }
  }
  if (ok) return plan;
  plan->refs = 0;
  free(plan->blocks);
  free(plan->files);
  free(plan);
  return NULL;
}

static bool get_ino(napi_env env, napi_value value, uint64_t *ino) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 1 && number <= 9007199254740992.0)) return false;
  *ino = (uint64_t) number;
  return true;
}

napi_value direct_reads_set_plan_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint64_t ino;
  void *data;
  size_t length;
  bool is_buffer = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || !get_ino(env, argv[0], &ino)
      || napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer || napi_get_buffer_info(env, argv[1], &data, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected (ino, plan: Buffer)");
    return NULL;
  }
  drop_plan(ino);
  if (!pool.started) return NULL;
  uint8_t *copy = malloc(length ? length : 1);
  if (!copy) return NULL;
  memcpy(copy, data, length);
  plan_t *plan = parse_plan(ino, copy, length);
  if (!plan) {
    free(copy);
    napi_throw_range_error(env, NULL, "the read plan is malformed");
    return NULL;
  }
  plan_t **at = slot_of(ino);
  *at = plan;
  return NULL;
}

napi_value direct_reads_drop_plan_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint64_t ino;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || !get_ino(env, argv[0], &ino)) {
    napi_throw_type_error(env, NULL, "expected (ino)");
    return NULL;
  }
  drop_plan(ino);
  return NULL;
}

napi_value direct_reads_drive_bytes_js(napi_env env, napi_callback_info info) {
  napi_value result, value;
  napi_create_array(env, &result);
  uint32_t at = 0;
  for (uint32_t id = 0; id < MAX_DRIVE_ID; id++) {
    uint64_t bytes = __atomic_load_n(&pool.drive_bytes[id], __ATOMIC_RELAXED);
    if (bytes == 0) continue;
    napi_create_uint32(env, id, &value);
    napi_set_element(env, result, at++, value);
    napi_create_double(env, (double) bytes, &value);
    napi_set_element(env, result, at++, value);
  }
  return result;
}

napi_value direct_reads_counts_js(napi_env env, napi_callback_info info) {
  napi_value result, value;
  napi_create_array_with_length(env, 3, &result);
  uint64_t counts[3] = {__atomic_load_n(&pool.reads, __ATOMIC_RELAXED), __atomic_load_n(&pool.bytes, __ATOMIC_RELAXED),
                        __atomic_load_n(&pool.cached_reads, __ATOMIC_RELAXED)};
  for (uint32_t i = 0; i < 3; i++) {
    napi_create_double(env, (double) counts[i], &value);
    napi_set_element(env, result, i, value);
  }
  return result;
}
