// shmr's block I/O addon: whole-file reads with their CRC32C check, write-once files, fsyncs and
// checksums, each as one job on libuv's thread pool. Done with node:fs, a checked shard read is
// four thread-pool round trips (open, fstat, read, close) plus a checksum on the JavaScript
// thread, which is also the thread that answers FUSE; here it is one job and the checksum runs
// beside it. See src/lib/blockio/blockIo.ts for the JavaScript side and its contract.
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// Outcomes besides an errno (which is positive): a file of the wrong size, or whose CRC32C differs.
#define STATUS_WRONG_SIZE (-1)
#define STATUS_CHECKSUM_MISMATCH (-2)

// ---- CRC32C (Castagnoli, reflected polynomial 0x82F63B78), continuing from a previous value ----

static uint32_t crc_table[8][256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void crc_table_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t crc = n;
    for (int k = 0; k < 8; k++) crc = crc & 1 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    crc_table[0][n] = crc;
  }
  for (uint32_t n = 0; n < 256; n++) {
    for (int t = 1; t < 8; t++) crc_table[t][n] = (crc_table[t - 1][n] >> 8) ^ crc_table[0][crc_table[t - 1][n] & 0xff];
  }
}

// Slicing-by-8, for CPUs without the CRC32 instruction.
static uint32_t crc32c_portable(uint32_t crc, const uint8_t *p, size_t n) {
  pthread_once(&crc_table_once, crc_table_init);
  while (n >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    word ^= crc;
    crc = crc_table[7][word & 0xff] ^ crc_table[6][(word >> 8) & 0xff] ^ crc_table[5][(word >> 16) & 0xff] ^
          crc_table[4][(word >> 24) & 0xff] ^ crc_table[3][(word >> 32) & 0xff] ^ crc_table[2][(word >> 40) & 0xff] ^
          crc_table[1][(word >> 48) & 0xff] ^ crc_table[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
  return crc;
}

#if defined(__x86_64__)
// SSE4.2's crc32 instruction computes exactly CRC32C: about 8 GB/s here on one stream, against
// 5 GB/s for @node-rs/crc32, so interleaved streams are left for when it shows in a profile.
__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = (uint32_t) c;
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

static uint32_t crc32c_raw(uint32_t crc, const uint8_t *p, size_t n) {
#if defined(__x86_64__)
  static int hardware = -1;
  if (hardware < 0) hardware = __builtin_cpu_supports("sse4.2") ? 1 : 0;
  if (hardware) return crc32c_sse42(crc, p, n);
#endif
  return crc32c_portable(crc, p, n);
}

static uint32_t crc32c(uint32_t previous, const uint8_t *p, size_t n) {
  return ~crc32c_raw(~previous, p, n);
}

// ---- jobs ----

typedef enum { OP_READ_CHECKED, OP_WRITE_NEW, OP_SYNC_PATH, OP_CRC32C } op_t;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref buffer;  // keeps the bytes alive while the job runs
  op_t op;
  char *path;
  uint8_t *data;
  size_t length;
  uint32_t crc;     // expected (read), or computed (crc32c)
  int sync;
  int32_t status;   // 0, an errno, or STATUS_*
} job_t;

static int32_t read_checked(job_t *job) {
  int fd = open(job->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int32_t status = 0;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    status = errno;
  } else if ((uint64_t) st.st_size != job->length) {
    status = STATUS_WRONG_SIZE;
  } else {
    size_t done = 0;
    while (done < job->length) {
      ssize_t got = pread(fd, job->data + done, job->length - done, (off_t) done);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) { status = errno; break; }
      if (got == 0) { status = STATUS_WRONG_SIZE; break; }
      done += (size_t) got;
    }
    if (status == 0 && crc32c(0, job->data, job->length) != job->crc) status = STATUS_CHECKSUM_MISMATCH;
  }
  close(fd);
  return status;
}

// A file that must not exist yet; on any failure nothing of it stays behind.
static int32_t write_new(job_t *job) {
  int fd = open(job->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return errno;
  int32_t status = 0;
  size_t done = 0;
  while (done < job->length) {
    ssize_t put = pwrite(fd, job->data + done, job->length - done, (off_t) done);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) { status = errno; break; }
    done += (size_t) put;
  }
  if (status == 0 && job->sync && fsync(fd) != 0) status = errno;
  if (close(fd) != 0 && status == 0) status = errno;
  if (status != 0) unlink(job->path);
  return status;
}

static int32_t sync_path(job_t *job) {
  int fd = open(job->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int32_t status = fsync(fd) == 0 ? 0 : errno;
  close(fd);
  return status;
}

static void execute(napi_env env, void *data) {
  (void) env;
  job_t *job = data;
  switch (job->op) {
    case OP_READ_CHECKED: job->status = read_checked(job); break;
    case OP_WRITE_NEW: job->status = write_new(job); break;
    case OP_SYNC_PATH: job->status = sync_path(job); break;
    case OP_CRC32C: job->crc = crc32c(job->crc, job->data, job->length); break;
  }
}

static void complete(napi_env env, napi_status work_status, void *data) {
  job_t *job = data;
  napi_value result;
  if (job->op == OP_CRC32C) napi_create_uint32(env, job->crc, &result);
  else napi_create_int32(env, job->status, &result);
  if (work_status == napi_ok) {
    napi_resolve_deferred(env, job->deferred, result);
  } else {
    napi_value message, error;
    napi_create_string_utf8(env, "blockio job was cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  if (job->buffer) napi_delete_reference(env, job->buffer);
  napi_delete_async_work(env, job->work);
  free(job->path);
  free(job);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

// The bytes of a Uint8Array (or Buffer) argument.
static bool get_bytes(napi_env env, napi_value value, uint8_t **bytes, size_t *length) {
  bool is_typed;
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t offset;
  void *data;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  if (napi_get_typedarray_info(env, value, &type, length, &data, &arraybuffer, &offset) != napi_ok || type != napi_uint8_array) return false;
  *bytes = data;
  return true;
}

// Reads args: [path?] [bytes?] [number?] per op, and queues the job; returns its promise.
static napi_value queue(napi_env env, napi_callback_info info, op_t op) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  job_t *job = calloc(1, sizeof(job_t));
  if (!job) return fail(env, "out of memory");
  job->op = op;
  size_t next = 0;
  if (op != OP_CRC32C) {
    size_t length;
    if (argc <= next || napi_get_value_string_utf8(env, argv[next], NULL, 0, &length) != napi_ok) { free(job); return fail(env, "path must be a string"); }
    job->path = malloc(length + 1);
    napi_get_value_string_utf8(env, argv[next], job->path, length + 1, &length);
    next++;
  }
  if (op != OP_SYNC_PATH) {
    if (argc <= next || !get_bytes(env, argv[next], &job->data, &job->length)) {
      free(job->path);
      free(job);
      return fail(env, "bytes must be a Uint8Array or Buffer");
    }
    napi_create_reference(env, argv[next], 1, &job->buffer);
    next++;
  }
  if (op == OP_READ_CHECKED || op == OP_CRC32C) {
    if (argc > next) napi_get_value_uint32(env, argv[next], &job->crc);
  } else if (op == OP_WRITE_NEW) {
    bool sync = true;
    if (argc > next) napi_get_value_bool(env, argv[next], &sync);
    job->sync = sync;
  }
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "shmr:blockio", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

static napi_value read_checked_js(napi_env env, napi_callback_info info) { return queue(env, info, OP_READ_CHECKED); }
static napi_value write_new_js(napi_env env, napi_callback_info info) { return queue(env, info, OP_WRITE_NEW); }
static napi_value sync_path_js(napi_env env, napi_callback_info info) { return queue(env, info, OP_SYNC_PATH); }
static napi_value crc32c_js(napi_env env, napi_callback_info info) { return queue(env, info, OP_CRC32C); }

// The same checksum, on the calling thread: for small inputs, where a job costs more than it saves.
static napi_value crc32c_sync_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *bytes;
  size_t length;
  if (argc < 1 || !get_bytes(env, argv[0], &bytes, &length)) return fail(env, "bytes must be a Uint8Array or Buffer");
  uint32_t previous = 0;
  if (argc > 1) napi_get_value_uint32(env, argv[1], &previous);
  napi_value result;
  napi_create_uint32(env, crc32c(previous, bytes, length), &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"readChecked", NULL, read_checked_js, NULL, NULL, NULL, napi_default, NULL},
    {"writeNew", NULL, write_new_js, NULL, NULL, NULL, napi_default, NULL},
    {"syncPath", NULL, sync_path_js, NULL, NULL, NULL, napi_default, NULL},
    {"crc32c", NULL, crc32c_js, NULL, NULL, NULL, napi_default, NULL},
    {"crc32cSync", NULL, crc32c_sync_js, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  napi_value wrong_size, mismatch;
  napi_create_int32(env, STATUS_WRONG_SIZE, &wrong_size);
  napi_create_int32(env, STATUS_CHECKSUM_MISMATCH, &mismatch);
  napi_set_named_property(env, exports, "STATUS_WRONG_SIZE", wrong_size);
  napi_set_named_property(env, exports, "STATUS_CHECKSUM_MISMATCH", mismatch);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
