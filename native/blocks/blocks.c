// shmr's blocks addon: the work on whole blocks and shards, each piece one job off the JavaScript
// thread (which also answers FUSE), which only starts it and takes the result: whole-file reads
// with their CRC32C check, write-once files, fsyncs and checksums on libuv's thread pool, erasure
// coding on the addon's own coding threads (coders.c). Done with node:fs, a checked shard read
// was four thread-pool round trips (open, fstat, read, close) and a checksum on the JavaScript
// thread; erasure coding ran in WASM on worker threads, with the shards copied in and out. The
// arithmetic is Intel's ISA-L (crc32_iscsi is CRC32C; ec_encode_data multiplies by any GF(2^8)
// matrix, here the one of the Rust reed-solomon-erasure crate, so the shards are that crate's).
// src/lib/native/blocksAddon.ts loads it and states its contract.
#define NAPI_VERSION 8
#define _GNU_SOURCE  // syncfs
#include <node_api.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <time.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <isa-l/erasure_code.h>

#include "../common/checkedRead.h"
#include "coders.h"

// ISA-L, loaded with RTLD_DEEPBIND (its headers give the types). Node's own binary exports a
// `gf_mul` (from OpenSSL), and a libisal linked the ordinary way has its internal calls to its
// gf_mul bound to Node's: ec_init_tables and gf_invert_matrix compute garbage and the
// small-vector encoder crashes. Deep binding makes the library resolve its symbols in itself first.
static struct {
  __typeof__(ec_init_tables) *ec_init_tables;
  __typeof__(ec_encode_data) *ec_encode_data;
  __typeof__(gf_invert_matrix) *gf_invert_matrix;
} isal;

static const char *load_isal(void) {
  void *library = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!library) return dlerror();
  isal.ec_init_tables = (__typeof__(isal.ec_init_tables)) dlsym(library, "ec_init_tables");
  isal.ec_encode_data = (__typeof__(isal.ec_encode_data)) dlsym(library, "ec_encode_data");
  isal.gf_invert_matrix = (__typeof__(isal.gf_invert_matrix)) dlsym(library, "gf_invert_matrix");
  if (!isal.ec_init_tables || !isal.ec_encode_data || !isal.gf_invert_matrix) return "libisal.so.2 lacks a function shmr needs";
  return crc32c_load();
}

// The most input or output shards of one coding job: a bound for the arguments, at the format's
// limit (MAX_TOTAL_SHARDS in src/lib/format/constants.ts), which the codec checks first.
#define MAX_VECTORS 256

// ---- jobs ----

typedef enum { OP_READ_CHECKED, OP_READ_CHUNKS, OP_WRITE_NEW, OP_SYNC_PATH, OP_CRC32C, OP_CRC32C_CHUNKS, OP_EC_APPLY, OP_REMOVE_FILES } op_t;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref keep[4];  // the JavaScript values whose bytes the job uses, alive until it completes
  op_t op;
  char *path;
  uint8_t *data;
  size_t length;
  uint32_t crc;      // expected (read), or computed (crc32c)
  bool sync;
  bool idle;         // a task's file I/O: on the background lane (coders.c)
  int32_t status;    // 0, an errno, or STATUS_*
  // OP_EC_APPLY: outputs[r] = sum over j of matrix[r][j] * inputs[j], through ISA-L's tables.
  int sources;
  int rows;
  uint8_t *tables;
  uint8_t **vectors;  // sources input pointers, then rows output pointers
  // OP_READ_CHUNKS and OP_CRC32C_CHUNKS: the CRC32C of every chunk, little-endian, 4 bytes each.
  uint8_t *sums;
  size_t chunk_bytes;
  uint64_t offset;       // OP_READ_CHUNKS: where in the file `data` starts (a chunk boundary)
  uint64_t file_length;  // OP_READ_CHUNKS: the size the file must have
  // OP_REMOVE_FILES: `path` holds `path_bytes` of paths, each ended by a NUL; `removed` takes
  // three numbers per file (its size, its bytes on the drive, 0 or the errno of its removal).
  size_t path_bytes;
  double *removed;
} job_t;

// Whether the mount is busy serving its users (setMountBusy, from src/lib/blocks/mountTraffic.ts):
// a task's file I/O gives way meanwhile, a piece at a time (its transfers paced by give_way).
static atomic_bool mount_busy;

// Before each PACE_PIECE_BYTES (1 MiB) a task's job reads or writes: held back while the mount is
// busy, for at most GIVE_WAY_MAX_MS (mountTraffic.ts MAX_WAIT_MS), looking again every
// GIVE_WAY_STEP_MS. Why pieces: a move writes a 64 MiB block's six 16 MiB shards at once, and a
// reader that came during such a burst lost a third of its speed to it (LIMITATIONS.md, "Moving
// data while mounted").
#define GIVE_WAY_MAX_MS 1000
#define GIVE_WAY_STEP_MS 10

static void give_way(void) {
  const struct timespec step = {0, GIVE_WAY_STEP_MS * 1000000L};
  for (int waited = 0; waited < GIVE_WAY_MAX_MS && atomic_load_explicit(&mount_busy, memory_order_relaxed); waited += GIVE_WAY_STEP_MS) {
    nanosleep(&step, NULL);
  }
}

// A task's job (idle) gives way to the mount; the mount's own goes whole.
static pace_t pace_of(const job_t *job) {
  return job->idle ? give_way : NULL;
}

static int32_t read_checked(job_t *job) {
  int32_t status = read_range(job->path, job->data, job->length, 0, job->length, pace_of(job));
  if (status == 0 && crc32c(0, job->data, job->length) != job->crc) status = STATUS_CHECKSUM_MISMATCH;
  return status;
}

// The CRC32C of each chunk of data into sums, and of the whole into job->crc. Chunk by chunk, so
// that the second pass over a chunk finds it in the CPU's cache.
static void crc32c_chunks(job_t *job) {
  uint32_t whole = 0;
  for (size_t start = 0, k = 0; start < job->length; start += job->chunk_bytes, k++) {
    size_t length = job->length - start < job->chunk_bytes ? job->length - start : job->chunk_bytes;
    uint32_t crc = crc32c(0, job->data + start, length);
    whole = crc32c(whole, job->data + start, length);
    for (int byte = 0; byte < 4; byte++) job->sums[4 * k + byte] = (uint8_t) (crc >> (8 * byte));
  }
  job->crc = whole;
}

// A file that must not exist yet; on any failure nothing of it stays behind.
static int32_t write_new(job_t *job) {
  bool direct;
  // Mode 0600 whatever the umask: a block holds a file's bytes, whoever may read the file (the
  // mount decides that); src/lib/format/constants.ts PRIVATE_FILE_MODE.
  int fd = open_for(job->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, job->data, job->length, &direct);
  if (fd < 0) return errno;
  int32_t status = transfer_paced(fd, job->data, job->length, 0, true, direct, pace_of(job));
  if (status == 0 && job->sync && fsync(fd) != 0) status = errno;
  if (close(fd) != 0 && status == 0) status = errno;
  if (status != 0) unlink(job->path);
  return status;
}

// fsync of a file or directory; with `sync` set, syncfs of the filesystem holding it instead.
static int32_t sync_path(job_t *job) {
  int fd = open(job->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int32_t status = (job->sync ? syncfs(fd) : fsync(fd)) == 0 ? 0 : errno;
  close(fd);
  return status;
}

// Deletes each file of the list (gone already is fine), saying what each held. One job for many
// files: through node:fs each was a stat and an unlink, two round trips through the thread pool
// and two promises on the serving thread, which `rm -rf` of a tree of small files keeps busy.
static void remove_files(job_t *job) {
  size_t k = 0;
  for (const char *file = job->path; file < job->path + job->path_bytes; file += strlen(file) + 1, k++) {
    struct stat stats;
    bool found = stat(file, &stats) == 0;
    int32_t status = unlink(file) == 0 || errno == ENOENT ? 0 : errno;
    job->removed[3 * k] = found ? (double) stats.st_size : 0;
    job->removed[3 * k + 1] = found ? (double) stats.st_blocks * 512 : 0;
    job->removed[3 * k + 2] = status;
  }
}

static void execute(napi_env env, void *data) {
  (void) env;
  job_t *job = data;
  switch (job->op) {
    case OP_READ_CHECKED: job->status = read_checked(job); break;
    case OP_READ_CHUNKS: job->status = read_chunks_checked(job->path, job->data, job->length, job->offset, job->file_length, job->sums, job->chunk_bytes, pace_of(job)); break;
    case OP_CRC32C_CHUNKS: crc32c_chunks(job); break;
    case OP_WRITE_NEW: job->status = write_new(job); break;
    case OP_SYNC_PATH: job->status = sync_path(job); break;
    case OP_REMOVE_FILES: remove_files(job); break;
    case OP_CRC32C: job->crc = crc32c(job->crc, job->data, job->length); break;
    case OP_EC_APPLY:
      isal.ec_encode_data((int) job->length, job->sources, job->rows, job->tables, job->vectors, job->vectors + job->sources);
      break;
  }
}

static void complete(napi_env env, napi_status work_status, void *data) {
  job_t *job = data;
  napi_value result;
  if (job->op == OP_CRC32C || job->op == OP_CRC32C_CHUNKS) napi_create_uint32(env, job->crc, &result);
  else napi_create_int32(env, job->status, &result);
  if (work_status == napi_ok) {
    napi_resolve_deferred(env, job->deferred, result);
  } else {
    napi_value message, error;
    napi_create_string_utf8(env, "shmr blocks addon: job cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  for (size_t i = 0; i < sizeof(job->keep) / sizeof(job->keep[0]); i++) {
    if (job->keep[i]) napi_delete_reference(env, job->keep[i]);
  }
  if (job->work) napi_delete_async_work(env, job->work);
  free(job->path);
  free(job->vectors);
  free(job);
}

static void run_on_lane(void *data) {
  execute(NULL, data);
}

static void finish_on_lane(napi_env env, void *data) {
  complete(env, napi_ok, data);
}

static napi_value start(napi_env env, job_t *job) {
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  // A task's jobs go to the background lane (coders.c), the mount's coding to the coding threads
  // there; the rest (file I/O, fsyncs and checksums) to libuv's pool.
  if (job->idle && coders_submit(env, LANE_BACKGROUND, run_on_lane, finish_on_lane, job)) return promise;
  if (job->op == OP_EC_APPLY && coders_submit(env, LANE_CODING, run_on_lane, finish_on_lane, job)) return promise;
  napi_create_string_utf8(env, "shmr:block", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

// ---- arguments ----

static napi_value fail(napi_env env, job_t *job, const char *message) {
  if (job) {
    for (size_t i = 0; i < sizeof(job->keep) / sizeof(job->keep[0]); i++) {
      if (job->keep[i]) napi_delete_reference(env, job->keep[i]);
    }
    free(job->path);
    free(job->vectors);
    free(job);
  }
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

// The elements of a typed array of the type given, and how many.
static bool get_typed(napi_env env, napi_value value, napi_typedarray_type wanted, void **elements, size_t *length) {
  bool is_typed;
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t offset;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  return napi_get_typedarray_info(env, value, &type, length, elements, &arraybuffer, &offset) == napi_ok && type == wanted;
}

// The bytes of a Uint8Array (or Buffer).
static bool get_bytes(napi_env env, napi_value value, uint8_t **bytes, size_t *length) {
  return get_typed(env, value, napi_uint8_array, (void **) bytes, length);
}

static bool get_path(napi_env env, napi_value value, char **path) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return false;
  *path = malloc(length + 1);
  if (!*path) return false;
  napi_get_value_string_utf8(env, value, *path, length + 1, &length);
  return true;
}

// An array of Uint8Arrays, each exactly `length` bytes, into `pointers`; returns how many, or -1.
static int get_vectors(napi_env env, napi_value array, size_t length, uint8_t **pointers) {
  bool is_array;
  uint32_t count;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array) return -1;
  napi_get_array_length(env, array, &count);
  if (count == 0 || count > MAX_VECTORS) return -1;
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    size_t element_length;
    napi_get_element(env, array, i, &element);
    if (!get_bytes(env, element, &pointers[i], &element_length) || element_length != length) return -1;
  }
  return (int) count;
}

// A job's path and bytes (its first two arguments); the bytes stay alive until the job completes.
static const char *take_file_and_bytes(napi_env env, job_t *job, size_t argc, napi_value *argv) {
  if (argc < 2 || !get_path(env, argv[0], &job->path)) return "path must be a string";
  if (!get_bytes(env, argv[1], &job->data, &job->length)) return "bytes must be a Uint8Array";
  napi_create_reference(env, argv[1], 1, &job->keep[0]);
  return NULL;
}

static job_t *new_job(op_t op) {
  job_t *job = calloc(1, sizeof(job_t));
  if (job) job->op = op;
  return job;
}

#define ARGS(n) \
  size_t argc = n; \
  napi_value argv[n]; \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);

// An optional last argument: true for a task's I/O, which goes on the background lane.
static bool take_idle(napi_env env, job_t *job, size_t argc, napi_value *argv, size_t at) {
  job->idle = false;
  return argc <= at || napi_get_value_bool(env, argv[at], &job->idle) == napi_ok;
}

// readChecked(path, target, expectedCrc, idle?): Promise<status>
static napi_value read_checked_js(napi_env env, napi_callback_info info) {
  ARGS(4)
  job_t *job = new_job(OP_READ_CHECKED);
  if (!job) return fail(env, NULL, "out of memory");
  const char *problem = take_file_and_bytes(env, job, argc, argv);
  if (problem) return fail(env, job, problem);
  if (argc < 3 || napi_get_value_uint32(env, argv[2], &job->crc) != napi_ok) return fail(env, job, "expectedCrc must be a number");
  if (!take_idle(env, job, argc, argv, 3)) return fail(env, job, "idle must be a boolean");
  return start(env, job);
}

// writeNew(path, bytes, sync, idle?): Promise<status>
static napi_value write_new_js(napi_env env, napi_callback_info info) {
  ARGS(4)
  job_t *job = new_job(OP_WRITE_NEW);
  if (!job) return fail(env, NULL, "out of memory");
  const char *problem = take_file_and_bytes(env, job, argc, argv);
  if (problem) return fail(env, job, problem);
  if (argc < 3 || napi_get_value_bool(env, argv[2], &job->sync) != napi_ok) return fail(env, job, "sync must be a boolean");
  if (!take_idle(env, job, argc, argv, 3)) return fail(env, job, "idle must be a boolean");
  return start(env, job);
}

// syncPath(path, wholeFilesystem?, idle?): Promise<status>
static napi_value sync_path_js(napi_env env, napi_callback_info info) {
  ARGS(3)
  job_t *job = new_job(OP_SYNC_PATH);
  if (!job) return fail(env, NULL, "out of memory");
  if (argc < 1 || !get_path(env, argv[0], &job->path)) return fail(env, job, "path must be a string");
  job->sync = false;
  if (argc >= 2 && napi_get_value_bool(env, argv[1], &job->sync) != napi_ok) return fail(env, job, "wholeFilesystem must be a boolean");
  if (!take_idle(env, job, argc, argv, 2)) return fail(env, job, "idle must be a boolean");
  return start(env, job);
}

// removeFiles(paths, removed): Promise<0>; paths: each path followed by a NUL; removed: a
// Float64Array of three numbers per path (see remove_files).
static napi_value remove_files_js(napi_env env, napi_callback_info info) {
  ARGS(2)
  job_t *job = new_job(OP_REMOVE_FILES);
  if (!job) return fail(env, NULL, "out of memory");
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], NULL, 0, &job->path_bytes) != napi_ok) return fail(env, job, "paths must be a string");
  job->path = malloc(job->path_bytes + 1);
  if (!job->path) return fail(env, job, "out of memory");
  napi_get_value_string_utf8(env, argv[0], job->path, job->path_bytes + 1, &job->path_bytes);
  if (job->path_bytes > 0 && job->path[job->path_bytes - 1] != '\0') return fail(env, job, "paths must each end with a NUL");
  size_t files = 0;
  for (size_t i = 0; i < job->path_bytes; i++) files += job->path[i] == '\0';
  size_t length;
  if (!get_typed(env, argv[1], napi_float64_array, (void **) &job->removed, &length) || length < 3 * files) {
    return fail(env, job, "removed must be a Float64Array of three numbers per path");
  }
  napi_create_reference(env, argv[1], 1, &job->keep[0]);
  return start(env, job);
}

// crc32c(bytes): Promise<crc>
static napi_value crc32c_js(napi_env env, napi_callback_info info) {
  ARGS(1)
  job_t *job = new_job(OP_CRC32C);
  if (!job) return fail(env, NULL, "out of memory");
  if (argc < 1 || !get_bytes(env, argv[0], &job->data, &job->length)) return fail(env, job, "bytes must be a Uint8Array");
  napi_create_reference(env, argv[0], 1, &job->keep[0]);
  return start(env, job);
}

// crc32cChunks(bytes, chunkBytes, sums, idle?): Promise<crc of the whole>; sums receives each chunk's.
static napi_value crc32c_chunks_js(napi_env env, napi_callback_info info) {
  ARGS(4)
  job_t *job = new_job(OP_CRC32C_CHUNKS);
  if (!job) return fail(env, NULL, "out of memory");
  uint32_t chunk_bytes;
  size_t sums_length;
  if (argc < 3 || !get_bytes(env, argv[0], &job->data, &job->length) || napi_get_value_uint32(env, argv[1], &chunk_bytes) != napi_ok ||
      chunk_bytes == 0 || !get_bytes(env, argv[2], &job->sums, &sums_length) || sums_length != 4 * ((job->length + chunk_bytes - 1) / chunk_bytes)) {
    return fail(env, job, "crc32cChunks takes bytes, a chunk size and 4 bytes of sums per chunk");
  }
  job->chunk_bytes = chunk_bytes;
  napi_create_reference(env, argv[0], 1, &job->keep[0]);
  napi_create_reference(env, argv[2], 1, &job->keep[1]);
  if (!take_idle(env, job, argc, argv, 3)) return fail(env, job, "idle must be a boolean");
  return start(env, job);
}

// readChunks(path, target, offset, fileLength, sums, chunkBytes, idle?): Promise<status>.
static napi_value read_chunks_js(napi_env env, napi_callback_info info) {
  ARGS(7)
  job_t *job = new_job(OP_READ_CHUNKS);
  if (!job) return fail(env, NULL, "out of memory");
  const char *problem = take_file_and_bytes(env, job, argc, argv);
  if (problem) return fail(env, job, problem);
  double offset, file_length;
  uint32_t chunk_bytes;
  size_t sums_length;
  if (argc < 6 || napi_get_value_double(env, argv[2], &offset) != napi_ok || napi_get_value_double(env, argv[3], &file_length) != napi_ok ||
      !get_bytes(env, argv[4], &job->sums, &sums_length) || napi_get_value_uint32(env, argv[5], &chunk_bytes) != napi_ok || chunk_bytes == 0 ||
      offset < 0 || (uint64_t) offset % chunk_bytes != 0 || sums_length < 4 * ((job->length + chunk_bytes - 1) / chunk_bytes)) {
    return fail(env, job, "readChunks takes a path, a target, a chunk-aligned offset, the file's length, the chunks' sums and the chunk size");
  }
  if (!take_idle(env, job, argc, argv, 6)) return fail(env, job, "idle must be a boolean");
  job->offset = (uint64_t) offset;
  job->file_length = (uint64_t) file_length;
  job->chunk_bytes = chunk_bytes;
  napi_create_reference(env, argv[4], 1, &job->keep[1]);
  return start(env, job);
}

// crc32cSync(bytes, previous?): crc, on the calling thread (small inputs, where a job costs more).
static napi_value crc32c_sync_js(napi_env env, napi_callback_info info) {
  ARGS(2)
  uint8_t *bytes;
  size_t length;
  if (argc < 1 || !get_bytes(env, argv[0], &bytes, &length)) return fail(env, NULL, "bytes must be a Uint8Array");
  uint32_t previous = 0;
  if (argc > 1) napi_get_value_uint32(env, argv[1], &previous);
  napi_value result;
  napi_create_uint32(env, crc32c(previous, bytes, length), &result);
  return result;
}

// The few calls `shmr decode --tree` needs that Node has not (lsetxattr, mknod, utimensat to
// the nanosecond), on the calling thread: decode is a command, not the serving thread. Paths and
// names are bytes (a Uint8Array, no NUL), as the metadata keeps them. Each returns 0 or an errno.
static char *c_string(napi_env env, napi_value value) {
  uint8_t *bytes;
  size_t length;
  if (!get_bytes(env, value, &bytes, &length) || memchr(bytes, 0, length) != NULL) return NULL;
  char *copy = malloc(length + 1);
  if (copy == NULL) return NULL;
  memcpy(copy, bytes, length);
  copy[length] = 0;
  return copy;
}

static napi_value errno_result(napi_env env, int status) {
  napi_value result;
  napi_create_int32(env, status == 0 ? 0 : errno, &result);
  return result;
}

// setXattrSync(path, name, value): lsetxattr(2), creating or replacing.
static napi_value set_xattr_sync_js(napi_env env, napi_callback_info info) {
  ARGS(3)
  uint8_t *value;
  size_t length;
  char *file = argc == 3 ? c_string(env, argv[0]) : NULL;
  char *name = argc == 3 ? c_string(env, argv[1]) : NULL;
  if (file == NULL || name == NULL || !get_bytes(env, argv[2], &value, &length)) {
    free(file);
    free(name);
    return fail(env, NULL, "setXattrSync takes a path, a name and a value, each bytes");
  }
  napi_value result = errno_result(env, lsetxattr(file, name, value, length, 0));
  free(file);
  free(name);
  return result;
}

// makeNodeSync(path, mode, rdev): mknod(2) of a FIFO, socket or device node.
static napi_value make_node_sync_js(napi_env env, napi_callback_info info) {
  ARGS(3)
  uint32_t mode;
  int64_t rdev;
  char *file = argc == 3 ? c_string(env, argv[0]) : NULL;
  if (file == NULL || napi_get_value_uint32(env, argv[1], &mode) != napi_ok || napi_get_value_int64(env, argv[2], &rdev) != napi_ok) {
    free(file);
    return fail(env, NULL, "makeNodeSync takes a path (bytes), a mode and a device number");
  }
  napi_value result = errno_result(env, mknod(file, (mode_t) mode, (dev_t) rdev));
  free(file);
  return result;
}

// setTimesSync(path, atimeSeconds, atimeNanoseconds, mtimeSeconds, mtimeNanoseconds): utimensat(2), not following a symlink.
static napi_value set_times_sync_js(napi_env env, napi_callback_info info) {
  ARGS(5)
  int64_t values[4];
  char *file = argc == 5 ? c_string(env, argv[0]) : NULL;
  bool ok = file != NULL;
  for (int i = 0; ok && i < 4; i++) ok = napi_get_value_int64(env, argv[i + 1], &values[i]) == napi_ok;
  if (!ok) {
    free(file);
    return fail(env, NULL, "setTimesSync takes a path (bytes) and two times as seconds and nanoseconds");
  }
  struct timespec times[2] = {{.tv_sec = values[0], .tv_nsec = values[1]}, {.tv_sec = values[2], .tv_nsec = values[3]}};
  napi_value result = errno_result(env, utimensat(AT_FDCWD, file, times, AT_SYMLINK_NOFOLLOW));
  free(file);
  return result;
}

// peerUidSync(fd): the user id of the process at the other end of a Unix socket (SO_PEERCRED), or
// -1 when it cannot be had. The control socket checks it: file permissions are one guard, this
// is the other (Node's net module does not expose the peer's credentials).
static napi_value peer_uid_sync_js(napi_env env, napi_callback_info info) {
  ARGS(1)
  int32_t fd;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return fail(env, NULL, "peerUidSync takes a file descriptor");
  struct ucred credentials;
  socklen_t length = sizeof(credentials);
  napi_value result;
  napi_create_int64(env, getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 ? (int64_t) credentials.uid : -1, &result);
  return result;
}

// ecTables(sources, rows, matrix): the tables ec_encode_data multiplies by matrix (rows × sources) with.
static napi_value ec_tables_js(napi_env env, napi_callback_info info) {
  ARGS(3)
  uint32_t sources, rows;
  uint8_t *matrix;
  size_t length;
  if (argc < 3 || napi_get_value_uint32(env, argv[0], &sources) != napi_ok || napi_get_value_uint32(env, argv[1], &rows) != napi_ok ||
      sources == 0 || rows == 0 || sources > MAX_VECTORS || rows > MAX_VECTORS || !get_bytes(env, argv[2], &matrix, &length) ||
      length != (size_t) sources * rows) {
    return fail(env, NULL, "ecTables takes sources, rows and a rows × sources matrix");
  }
  napi_value tables;
  void *bytes;
  napi_create_buffer(env, 32 * (size_t) sources * rows, &bytes, &tables);
  isal.ec_init_tables((int) sources, (int) rows, matrix, bytes);
  return tables;
}

// ecApply(tables, sources, rows, inputs[], outputs[], idle?): Promise<0>: outputs = matrix × inputs, on
// the coding threads (a task's, idle, on the background lane).
static napi_value ec_apply_js(napi_env env, napi_callback_info info) {
  ARGS(6)
  job_t *job = new_job(OP_EC_APPLY);
  if (!job) return fail(env, NULL, "out of memory");
  uint32_t sources, rows;
  size_t tables_length;
  if (argc < 5 || napi_get_value_uint32(env, argv[1], &sources) != napi_ok || napi_get_value_uint32(env, argv[2], &rows) != napi_ok ||
      !get_bytes(env, argv[0], &job->tables, &tables_length) || tables_length != 32 * (size_t) sources * rows) {
    return fail(env, job, "ecApply takes tables from ecTables, sources and rows");
  }
  napi_value first;
  uint8_t *ignored;
  job->vectors = sources <= MAX_VECTORS && rows <= MAX_VECTORS ? malloc(sizeof(uint8_t *) * (sources + rows)) : NULL;
  if (!job->vectors || napi_get_element(env, argv[3], 0, &first) != napi_ok || !get_bytes(env, first, &ignored, &job->length) ||
      job->length == 0 || job->length > INT32_MAX || get_vectors(env, argv[3], job->length, job->vectors) != (int) sources ||
      get_vectors(env, argv[4], job->length, job->vectors + sources) != (int) rows) {
    return fail(env, job, "ecApply takes as many inputs as sources and outputs as rows, all non-empty and of one length");
  }
  job->sources = (int) sources;
  job->rows = (int) rows;
  if (!take_idle(env, job, argc, argv, 5)) return fail(env, job, "idle must be a boolean");
  napi_create_reference(env, argv[0], 1, &job->keep[0]);
  napi_create_reference(env, argv[3], 1, &job->keep[1]);
  napi_create_reference(env, argv[4], 1, &job->keep[2]);
  return start(env, job);
}

// gfInvert(matrix, n): the inverse of an n × n matrix over GF(2^8), or null when it is singular.
static napi_value gf_invert_js(napi_env env, napi_callback_info info) {
  ARGS(2)
  uint32_t n;
  uint8_t *matrix;
  size_t length;
  if (argc < 2 || !get_bytes(env, argv[0], &matrix, &length) || napi_get_value_uint32(env, argv[1], &n) != napi_ok || n == 0 ||
      n > MAX_VECTORS || length != (size_t) n * n) {
    return fail(env, NULL, "gfInvert takes an n × n matrix and n");
  }
  uint8_t *scratch = malloc(length);
  if (!scratch) return fail(env, NULL, "out of memory");
  memcpy(scratch, matrix, length);  // gf_invert_matrix destroys its input
  napi_value inverse;
  void *bytes;
  napi_create_buffer(env, length, &bytes, &inverse);
  int singular = isal.gf_invert_matrix(scratch, bytes, (int) n);
  free(scratch);
  if (singular) napi_get_null(env, &inverse);
  return inverse;
}

// Buffers of at least this many bytes (block and shard buffers) are mapped, not taken from
// malloc, so that freeing one gives its memory back to the system (see aligned_buffer_js).
#define MAPPED_BUFFER_BYTES (64 * 1024)

static void free_aligned(napi_env env, void *data, void *hint) {
  (void) env;
  size_t size = (size_t) (uintptr_t) hint;
  if (size >= MAPPED_BUFFER_BYTES) munmap(data, size);
  else free(data);
}

// alignedBuffer(size): a Buffer of `size` bytes (contents unspecified) at a DIRECT_ALIGN boundary,
// so that reads and writes of it can bypass the page cache. A large one is a mapping of its own:
// from malloc it would come from the heap once glibc's mmap threshold has risen past it (it rises
// to the largest mapping freed, so after one 16 MiB archived block every 1 MiB block buffer
// did), and a heap returns little of what is freed in its middle.
static napi_value aligned_buffer_js(napi_env env, napi_callback_info info) {
  ARGS(1)
  double size;
  // napi_get_value_uint32 would wrap a larger size around, and make NaN 0, silently.
  if (argc < 1 || napi_get_value_double(env, argv[0], &size) != napi_ok || !(size >= 0 && size <= UINT32_MAX) || size != (double) (size_t) size) {
    return fail(env, NULL, "size must be a whole number of bytes from 0 to 4294967295");
  }
  size_t length = (size_t) size;
  void *bytes;
  if (length >= MAPPED_BUFFER_BYTES) {
    bytes = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bytes == MAP_FAILED) return fail(env, NULL, "out of memory");
  } else if (posix_memalign(&bytes, DIRECT_ALIGN, length > 0 ? length : 1) != 0) {
    return fail(env, NULL, "out of memory");
  }
  napi_value buffer;
  if (napi_create_external_buffer(env, length, bytes, free_aligned, (void *) (uintptr_t) length, &buffer) != napi_ok) {
    free_aligned(env, bytes, (void *) (uintptr_t) length);
    return NULL;
  }
  return buffer;
}

// pinMmapThreshold(): fixes glibc's mmap threshold at MAPPED_BUFFER_BYTES for the whole process.
// Left dynamic, it rises to the largest mapped chunk freed (up to 32 MiB), and the heap's trim
// threshold to twice that: after the runtime or a library freed one big buffer, every later one
// up to that size came from the main heap, and up to 64 MiB of freed memory stayed at its top.
// Measured on the memory test's steps (archived 16 MiB blocks read, then 1 MiB ones): the heap
// grew 18-25 MiB and stayed; pinned, it stayed at 6-7. A fixed threshold also turns off the
// trim threshold's rise (mallopt(3)). Its cost: every allocation past it is a mapping of its own,
// so code that allocates and frees large buffers often pays for it (LMDB's child transactions
// map 3 MiB each: the mount's committer takes plain ones, see src/lib/meta/writeBehind.ts).
static napi_value pin_mmap_threshold_js(napi_env env, napi_callback_info info) {
  (void) info;
  napi_value result;
  napi_get_boolean(env, mallopt(M_MMAP_THRESHOLD, MAPPED_BUFFER_BYTES) == 1, &result);
  return result;
}

// setMountBusy(busy): whether a task's file I/O gives way from now on (see give_way).
static napi_value set_mount_busy_js(napi_env env, napi_callback_info info) {
  ARGS(1)
  bool busy;
  if (argc < 1 || napi_get_value_bool(env, argv[0], &busy) != napi_ok) {
    napi_throw_type_error(env, NULL, "setMountBusy takes a boolean");
    return NULL;
  }
  atomic_store_explicit(&mount_busy, busy, memory_order_relaxed);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  const char *problem = load_isal();
  if (problem) {
    napi_throw_error(env, NULL, problem);
    return NULL;
  }
  napi_property_descriptor properties[] = {
    {"readChecked", NULL, read_checked_js, NULL, NULL, NULL, napi_default, NULL},
    {"writeNew", NULL, write_new_js, NULL, NULL, NULL, napi_default, NULL},
    {"syncPath", NULL, sync_path_js, NULL, NULL, NULL, napi_default, NULL},
    {"removeFiles", NULL, remove_files_js, NULL, NULL, NULL, napi_default, NULL},
    {"crc32c", NULL, crc32c_js, NULL, NULL, NULL, napi_default, NULL},
    {"crc32cChunks", NULL, crc32c_chunks_js, NULL, NULL, NULL, napi_default, NULL},
    {"readChunks", NULL, read_chunks_js, NULL, NULL, NULL, napi_default, NULL},
    {"crc32cSync", NULL, crc32c_sync_js, NULL, NULL, NULL, napi_default, NULL},
    {"ecTables", NULL, ec_tables_js, NULL, NULL, NULL, napi_default, NULL},
    {"ecApply", NULL, ec_apply_js, NULL, NULL, NULL, napi_default, NULL},
    {"gfInvert", NULL, gf_invert_js, NULL, NULL, NULL, napi_default, NULL},
    {"alignedBuffer", NULL, aligned_buffer_js, NULL, NULL, NULL, napi_default, NULL},
    {"setXattrSync", NULL, set_xattr_sync_js, NULL, NULL, NULL, napi_default, NULL},
    {"makeNodeSync", NULL, make_node_sync_js, NULL, NULL, NULL, napi_default, NULL},
    {"setTimesSync", NULL, set_times_sync_js, NULL, NULL, NULL, napi_default, NULL},
    {"peerUidSync", NULL, peer_uid_sync_js, NULL, NULL, NULL, napi_default, NULL},
    {"pinMmapThreshold", NULL, pin_mmap_threshold_js, NULL, NULL, NULL, napi_default, NULL},
    {"setMountBusy", NULL, set_mount_busy_js, NULL, NULL, NULL, napi_default, NULL},
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
