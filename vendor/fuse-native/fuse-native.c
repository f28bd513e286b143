// shmr: ported from libfuse 2 (FUSE_USE_VERSION 29) to libfuse 3's high-level API. libfuse 3
// passes a change of one timestamp alone (UTIME_OMIT), lets the kernel send 1 MiB requests and
// offers the writeback cache; see README.md.
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE  // shmr: pthread_setname_np

#include <uv.h>
#include <node_api.h>
#include <napi-macros.h>

#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <errno.h>
#include <assert.h>

#include <fuse.h>
#include <fuse_opt.h>
#include <fuse_common.h>
#include <fuse_lowlevel.h>

#include <unistd.h>
#include <sys/wait.h>
#include <pthread.h>
#include <signal.h>

// shmr: the name of the thread running libfuse's loop, and of libfuse's workers (see start_fuse_thread)
#define FUSE_THREAD_NAME "fuse-native"

// shmr: names and paths are bytes on Linux, not UTF-8. They cross to JavaScript as Latin-1
// strings, one character per byte (napi_create_string_latin1), and come back the same way, so
// every byte value survives: decoded as UTF-8, b"caf\xe9" and b"caf\xe8" both became
// "caf\uFFFD", one name. A JavaScript character above 0xFF never reaches here (shmr's names are
// all byte strings).
#define NAPI_LATIN1(name, size, val) \
  char name[size]; \
  size_t name##_len; \
  if (napi_get_value_string_latin1(env, val, (char *) &name, size, &name##_len) != napi_ok) { \
    napi_throw_error(env, "EINVAL", "Expected string"); \
    return NULL; \
  }

static int IS_ARRAY_BUFFER_DETACH_SUPPORTED = 0;

napi_status napi_detach_arraybuffer(napi_env env, napi_value buf);

#define FUSE_NATIVE_CALLBACK(fn, blk)\
  napi_env env = ft->env;\
  napi_handle_scope scope;\
  napi_open_handle_scope(env, &scope);\
  napi_value ctx;\
  napi_get_reference_value(env, ft->ctx, &ctx);\
  napi_value callback;\
  napi_get_reference_value(env, fn, &callback);\
  blk\
  napi_close_handle_scope(env, scope);

// shmr: `after` runs on the FUSE thread once JavaScript has answered (see read)
#define FUSE_NATIVE_HANDLER_THEN(name, blk, after)\
  fuse_thread_locals_t *l = get_thread_locals();\
  {\
    struct fuse_context *caller = fuse_get_context();\
    l->caller[0] = caller->uid;\
    l->caller[1] = caller->gid;\
    l->caller[2] = caller->pid;\
  }\
  l->op = op_##name;\
  l->op_fn = fuse_native_dispatch_##name;\
  blk\
  uv_async_send(&(l->async));\
  uv_sem_wait(&(l->sem));\
  after\
  return l->res;

#define FUSE_NATIVE_HANDLER(name, blk) FUSE_NATIVE_HANDLER_THEN(name, blk, {})

#define FUSE_METHOD(name, callbackArgs, signalArgs, signature, callBlk, callbackBlk, signalBlk)\
  FUSE_METHOD_THEN(name, callbackArgs, signalArgs, signature, callBlk, callbackBlk, signalBlk, {})

#define FUSE_METHOD_THEN(name, callbackArgs, signalArgs, signature, callBlk, callbackBlk, signalBlk, afterBlk)\
  static void fuse_native_dispatch_##name (uv_async_t* handle, fuse_thread_locals_t* l, fuse_thread_t* ft) {\
    uint32_t op = op_##name;\
    FUSE_NATIVE_CALLBACK(ft->handlers[op], {\
      napi_value argv[callbackArgs + 2];\
      napi_get_reference_value(env, l->self, &(argv[0]));\
      napi_create_uint32(env, l->op, &(argv[1]));\
      callbackBlk\
      NAPI_MAKE_CALLBACK(env, NULL, ctx, callback, callbackArgs + 2, argv, NULL)\
    })\
  }\
  NAPI_METHOD(fuse_native_signal_##name) {\
    NAPI_ARGV(signalArgs + 2)\
    NAPI_ARGV_BUFFER_CAST(fuse_thread_locals_t *, l, 0);\
    NAPI_ARGV_INT32(res, 1);\
    signalBlk\
    l->res = res;\
    uv_sem_post(&(l->sem));\
    return NULL;\
  }\
  static int fuse_native_##name signature {\
    FUSE_NATIVE_HANDLER_THEN(name, callBlk, afterBlk)\
  }

#define FUSE_METHOD_VOID(name, callbackArgs, signalArgs, signature, callBlk, callbackBlk)\
  FUSE_METHOD(name, callbackArgs, signalArgs, signature, callBlk, callbackBlk, {})

#define FUSE_UINT64_TO_INTS_ARGV(n, pos)\
  uint32_t low##pos = n % 4294967296;\
  uint32_t high##pos = (n - low##pos) / 4294967296;\
  napi_create_uint32(env, low##pos, &(argv[pos]));\
  napi_create_uint32(env, high##pos, &(argv[pos + 1]));


// Opcodes

static const uint32_t op_init = 0;
static const uint32_t op_error = 1;
static const uint32_t op_access = 2;
static const uint32_t op_statfs = 3;
static const uint32_t op_fgetattr = 4;
static const uint32_t op_getattr = 5;
static const uint32_t op_flush = 6;
static const uint32_t op_fsync = 7;
static const uint32_t op_fsyncdir = 8;
static const uint32_t op_readdir = 9;
static const uint32_t op_truncate = 10;
static const uint32_t op_ftruncate = 11;
static const uint32_t op_utimens = 12;
static const uint32_t op_readlink = 13;
static const uint32_t op_chown = 14;
static const uint32_t op_chmod = 15;
static const uint32_t op_mknod = 16;
static const uint32_t op_setxattr = 17;
static const uint32_t op_getxattr = 18;
static const uint32_t op_listxattr = 19;
static const uint32_t op_removexattr = 20;
static const uint32_t op_open = 21;
static const uint32_t op_opendir = 22;
static const uint32_t op_read = 23;
static const uint32_t op_write = 24;
static const uint32_t op_release = 25;
static const uint32_t op_releasedir = 26;
static const uint32_t op_create = 27;
static const uint32_t op_unlink = 28;
static const uint32_t op_rename = 29;
static const uint32_t op_link = 30;
static const uint32_t op_symlink = 31;
static const uint32_t op_mkdir = 32;
static const uint32_t op_rmdir = 33;

// Data structures

typedef struct {
  napi_env env;
  pthread_t thread;
  pthread_attr_t attr;
  napi_ref ctx;
  napi_ref malloc;

  // Operation handlers
  napi_ref handlers[35];

  struct fuse *fuse;
  // shmr: kernel connection options (max_write=, writeback_cache, ...) parsed at mount, applied in init
  struct fuse_conn_info_opts *conn_opts;
  int has_fgetattr;
  // shmr: libfuse 3 made use_ino a field of struct fuse_config; the binding still takes it as -o use_ino
  int use_ino;
  // shmr: -o direct_io_write_only: files opened write-only bypass the mount's page cache (see open)
  int direct_io_write_only;
  // shmr: set from JS while no file carries security.capability (see fuse_native_getxattr_linux)
  int no_capabilities;
  int has_ftruncate;
  char mnt[1024];
  char mntopts[1024];
  int mounted;

  uv_async_t async;
  uv_mutex_t mut;
  uv_sem_t sem;

  // shmr: tokens of reads whose bytes the FUSE threads have copied, for the JavaScript thread
  napi_ref on_copied;
  uv_async_t copied_async;
  uv_mutex_t copied_mut;
  uint32_t *copied;
  size_t copied_count;
  size_t copied_capacity;
} fuse_thread_t;

typedef struct {
  napi_ref self;

  // shmr: who made the request (uid, gid, pid), from fuse_get_context() on the FUSE thread
  uint32_t caller[3];

  // Opcode
  uint32_t op;
  void *op_fn;

  // Payloads
  const char *path;
  const char *dest;
  char *linkname;
  struct fuse_file_info *info;
  const void *buf;
  off_t offset;
  size_t len;
  mode_t mode;
  dev_t dev;
  uid_t uid;
  gid_t gid;
  size_t atime;
  size_t mtime;
  // shmr: which of the two times utimens changes, and how (see UTIMENS_* below)
  uint32_t time_flags;
  int32_t res;
  // shmr: a read answered with where its bytes are, and the token to hand back (see read)
  bool lent;
  const uint8_t *copy_from;
  uint32_t copy_token;

  // Extended attributes
  const char *name;
  const char *value;
  char *list;
  size_t size;
  uint32_t position;
  int flags;

  // Stat + Statfs
  struct stat *stat;
  struct statvfs *statvfs;

  // Readdir
  fuse_fill_dir_t readdir_filler;

  // Internal bookkeeping
  fuse_thread_t *fuse;
  uv_sem_t sem;
  uv_async_t async;

} fuse_thread_locals_t;

static pthread_key_t thread_locals_key;
static fuse_thread_locals_t* get_thread_locals();

// Helpers
// TODO: Extract into a separate file.

static uint64_t uint32s_to_uint64 (uint32_t **ints) {
  uint64_t low = *((*ints)++);
  uint64_t high = *((*ints)++);
  return high * 4294967296 + low;
}

static void uint32s_to_timespec (struct timespec* ts, uint32_t** ints) {
  uint64_t ms = uint32s_to_uint64(ints);
  ts->tv_sec = ms / 1000;
  ts->tv_nsec = (ms % 1000) * 1000000;
}

// shmr: libfuse 3 passes UTIME_OMIT for a time that does not change and UTIME_NOW for "now".
static const uint32_t UTIMENS_ATIME_OMIT = 1;
static const uint32_t UTIMENS_ATIME_NOW = 2;
static const uint32_t UTIMENS_MTIME_OMIT = 4;
static const uint32_t UTIMENS_MTIME_NOW = 8;

static uint32_t timespec_flags (const struct timespec* ts, uint32_t omit, uint32_t now) {
  if (ts->tv_nsec == UTIME_OMIT) return omit;
  if (ts->tv_nsec == UTIME_NOW) return now;
  return 0;
}

static uint64_t timespec_to_uint64 (const struct timespec* ts) {
  uint64_t ms = (ts->tv_sec * 1000) + (ts->tv_nsec / 1000000);
  return ms;
}

static void populate_stat (uint32_t *ints, struct stat* stat) {
  stat->st_mode = *ints++;
  stat->st_uid = *ints++;
  stat->st_gid = *ints++;
  stat->st_size = uint32s_to_uint64(&ints);
  stat->st_dev = *ints++;
  stat->st_nlink = *ints++;
  stat->st_ino = *ints++;
  stat->st_rdev = *ints++;
  stat->st_blksize = *ints++;
  stat->st_blocks = uint32s_to_uint64(&ints);
#ifdef __APPLE__
  uint32s_to_timespec(&stat->st_atimespec, &ints);
  uint32s_to_timespec(&stat->st_mtimespec, &ints);
  uint32s_to_timespec(&stat->st_ctimespec, &ints);
#else
  uint32s_to_timespec(&stat->st_atim, &ints);
  uint32s_to_timespec(&stat->st_mtim, &ints);
  uint32s_to_timespec(&stat->st_ctim, &ints);
#endif
}

static void populate_statvfs (uint32_t *ints, struct statvfs* statvfs) {
  statvfs->f_bsize = *ints++;
  statvfs->f_frsize = *ints++;
  statvfs->f_blocks = *ints++;
  statvfs->f_bfree = *ints++;
  statvfs->f_bavail = *ints++;
  statvfs->f_files = *ints++;
  statvfs->f_ffree = *ints++;
  statvfs->f_favail = *ints++;
  statvfs->f_fsid = *ints++;
  statvfs->f_flag = *ints++;
  statvfs->f_namemax = *ints++;
}

// Methods

FUSE_METHOD(statfs, 1, 1, (const char * path, struct statvfs *statvfs), {
  l->path = path;
  l->statvfs = statvfs;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
}, {
  NAPI_ARGV_BUFFER_CAST(uint32_t*, ints, 2)
  populate_statvfs(ints, l->statvfs);
})

FUSE_METHOD(getattr, 1, 1, (const char *path, struct stat *stat, struct fuse_file_info *info), {
  l->path = path;
  l->stat = stat;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
}, {
  NAPI_ARGV_BUFFER_CAST(uint32_t*, ints, 2)
  populate_stat(ints, l->stat);
})

FUSE_METHOD(fgetattr, 2, 1, (const char *path, struct stat *stat, struct fuse_file_info *info), {
  l->path = path;
  l->stat = stat;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->fh, &(argv[3]));
  } else {
    napi_create_uint32(env, 0, &(argv[3]));
  }
}, {
  NAPI_ARGV_BUFFER_CAST(uint32_t*, ints, 2)
  populate_stat(ints, l->stat);
})

FUSE_METHOD_VOID(access, 2, 0, (const char *path, int mode), {
  l->path = path;
  l->mode = mode;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->mode, &(argv[3]));
})

// shmr: a file opened write-only cannot be mmapped (mmap needs read access), so what direct I/O
// costs through FUSE, shared mmap, cannot happen to it, and its writes skip the copy into the
// mount's page cache: they go from the writer's pages straight into the request. The kernel then
// leaves dropping setuid/setgid and security.capability on write to the server (shmr's write op
// does it), and keeps the page cache other opens read through coherent.
static void direct_io_if_write_only(fuse_thread_locals_t *l) {
  if (l->fuse->direct_io_write_only && (l->info->flags & O_ACCMODE) == O_WRONLY) l->info->direct_io = 1;
}

FUSE_METHOD(open, 2, 1, (const char *path, struct fuse_file_info *info), {
  l->path = path;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->flags, &(argv[3]));
  } else {
    napi_create_uint32(env, 0, &(argv[3]));
  }
}, {
  NAPI_ARGV_INT32(fd, 2)
  if (fd != 0) {
    l->info->fh = fd;
  }
  direct_io_if_write_only(l);
})

FUSE_METHOD(opendir, 3, 1, (const char *path, struct fuse_file_info *info), {
  l->path = path;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->fh, &(argv[3]));
    napi_create_uint32(env, l->info->flags, &(argv[4]));
  } else {
    napi_create_uint32(env, 0, &(argv[3]));
    napi_create_uint32(env, 0, &(argv[4]));
  }
}, {
  NAPI_ARGV_INT32(fd, 2)
  if (fd != 0) {
    l->info->fh = fd;
  }
})

FUSE_METHOD(create, 2, 1, (const char *path, mode_t mode, struct fuse_file_info *info), {
  l->path = path;
  l->mode = mode;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->mode, &(argv[3]));
}, {
  NAPI_ARGV_INT32(fd, 2)
  if (fd != 0) {
    l->info->fh = fd;
  }
  direct_io_if_write_only(l);
})

FUSE_METHOD_VOID(utimens, 6, 0, (const char *path, const struct timespec tv[2], struct fuse_file_info *info), {
  l->path = path;
  l->time_flags = timespec_flags(&tv[0], UTIMENS_ATIME_OMIT, UTIMENS_ATIME_NOW)
    | timespec_flags(&tv[1], UTIMENS_MTIME_OMIT, UTIMENS_MTIME_NOW);
  l->atime = (l->time_flags & (UTIMENS_ATIME_OMIT | UTIMENS_ATIME_NOW)) ? 0 : timespec_to_uint64(&tv[0]);
  l->mtime = (l->time_flags & (UTIMENS_MTIME_OMIT | UTIMENS_MTIME_NOW)) ? 0 : timespec_to_uint64(&tv[1]);
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  FUSE_UINT64_TO_INTS_ARGV(l->atime, 3)
  // shmr: was l->atime, which set every mtime to the atime (cp -a, rsync -a, tar)
  FUSE_UINT64_TO_INTS_ARGV(l->mtime, 5)
  napi_create_uint32(env, l->time_flags, &(argv[7]));
})

FUSE_METHOD_VOID(release, 2, 0, (const char *path, struct fuse_file_info *info), {
  l->path = path;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->fh, &(argv[3]));
  } else {
    napi_create_uint32(env, 0, &(argv[3]));
  }
})

FUSE_METHOD_VOID(releasedir, 2, 0, (const char *path, struct fuse_file_info *info), {
  l->path = path;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->fh, &(argv[3]));
  } else {
    napi_create_uint32(env, 0, &(argv[3]));
  }
})

// shmr: called on a FUSE thread once a lent read's bytes are in its reply; the JavaScript thread
// gets the token from dispatch_copied.
static void note_copied(fuse_thread_t *ft, uint32_t token) {
  uv_mutex_lock(&(ft->copied_mut));
  if (ft->copied_count == ft->copied_capacity) {
    size_t capacity = ft->copied_capacity ? ft->copied_capacity * 2 : 64;
    uint32_t *grown = realloc(ft->copied, capacity * sizeof(uint32_t));
    assert(grown != NULL);
    ft->copied = grown;
    ft->copied_capacity = capacity;
  }
  ft->copied[ft->copied_count++] = token;
  uv_mutex_unlock(&(ft->copied_mut));
  uv_async_send(&(ft->copied_async));
}

// shmr: hands the copied reads' tokens to JavaScript's on_copied, one call each, a batch at a time
// so that no lock is held while JavaScript runs.
static void dispatch_copied(uv_async_t *handle) {
  fuse_thread_t *ft = (fuse_thread_t *) handle->data;
  uint32_t batch[64];
  for (;;) {
    uv_mutex_lock(&(ft->copied_mut));
    size_t n = ft->copied_count < 64 ? ft->copied_count : 64;
    memcpy(batch, ft->copied + ft->copied_count - n, n * sizeof(uint32_t));
    ft->copied_count -= n;
    uv_mutex_unlock(&(ft->copied_mut));
    if (n == 0) return;
    FUSE_NATIVE_CALLBACK(ft->on_copied, {
      for (size_t i = 0; i < n; i++) {
        napi_value argv[1];
        napi_create_uint32(env, batch[i], &(argv[0]));
        NAPI_MAKE_CALLBACK(env, NULL, ctx, callback, 1, argv, NULL)
      }
    })
  }
}

// shmr: a read is answered either with its bytes copied into libfuse's buffer by JavaScript (the
// original way), or with where the bytes are: a buffer of the handler's, an offset into it, and a
// token. Then the FUSE thread copies them into the reply after it wakes, and hands the token back
// (see note_copied), so the handler keeps that buffer's bytes unchanged until it gets the token.
// Copying a 1 MiB reply was the JavaScript thread's largest cost in a sequential read, faulting
// in libfuse's fresh buffer included; on the FUSE threads the copies run beside it.
FUSE_METHOD_THEN(read, 6, 5, (const char *path, char *buf, size_t len, off_t offset, struct fuse_file_info *info), {
  l->path = path;
  l->buf = buf;
  l->len = len;
  l->offset = offset;
  l->info = info;
  l->lent = false;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->info->fh, &(argv[3]));
  napi_create_external_buffer(env, l->len, (char *) l->buf, NULL, NULL, &(argv[4]));
  napi_create_uint32(env, l->len, &(argv[5]));
  FUSE_UINT64_TO_INTS_ARGV(l->offset, 6)
}, {
  if (IS_ARRAY_BUFFER_DETACH_SUPPORTED == 1) assert(napi_detach_arraybuffer(env, argv[3]) == napi_ok);
  bool lent = false;
  if (napi_is_buffer(env, argv[4], &lent) == napi_ok && lent) {
    uint8_t *source = NULL;
    size_t source_length = 0;
    uint32_t source_offset = 0;
    uint32_t token = 0;
    bool valid = napi_get_value_uint32(env, argv[6], &token) == napi_ok;
    valid = valid && napi_get_buffer_info(env, argv[4], (void **) &source, &source_length) == napi_ok;
    valid = valid && napi_get_value_uint32(env, argv[5], &source_offset) == napi_ok;
    if (!valid || (res > 0 && ((size_t) res > l->len || (size_t) source_offset + (size_t) res > source_length))) res = -EIO;
    // The token goes back whatever happens: the handler waits for it to reuse the buffer.
    l->lent = true;
    l->copy_from = valid ? source + source_offset : NULL;
    l->copy_token = token;
  }
}, {
  if (l->lent) {
    if (l->res > 0) memcpy((void *) l->buf, l->copy_from, (size_t) l->res);
    l->lent = false;
    note_copied(l->fuse, l->copy_token);
  }
})

FUSE_METHOD(write, 6, 2, (const char *path, const char *buf, size_t len, off_t offset, struct fuse_file_info *info), {
  l->path = path;
  l->buf = buf;
  l->len = len;
  l->offset = offset;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->info->fh, &(argv[3]));
  napi_create_external_buffer(env, l->len, (char *) l->buf, NULL, NULL, &(argv[4]));
  napi_create_uint32(env, l->len, &(argv[5]));
  FUSE_UINT64_TO_INTS_ARGV(l->offset, 6)
}, {
  if (IS_ARRAY_BUFFER_DETACH_SUPPORTED == 1) assert(napi_detach_arraybuffer(env, argv[3]) == napi_ok);
})

FUSE_METHOD(readdir, 1, 2, (const char *path, void *buf, fuse_fill_dir_t filler, off_t offset, struct fuse_file_info *info, enum fuse_readdir_flags readdir_flags), {
  l->buf = buf;
  l->path = path;
  l->offset = offset;
  l->info = info;
  l->readdir_filler = filler;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
}, {
  uint32_t stats_length;
  uint32_t names_length;
  napi_get_array_length(env, argv[3], &stats_length);
  napi_get_array_length(env, argv[2], &names_length);

  napi_value raw_names = argv[2];
  napi_value raw_stats = argv[3];

  if (names_length != stats_length) {
    NAPI_FOR_EACH(raw_names, raw_name) {
      NAPI_LATIN1(name, 1024, raw_name)
      int err = l->readdir_filler((char *) l->buf, name, NULL, 0, 0);
      if (err == 1) {
        break;
      }
    }
  } else {
    NAPI_FOR_EACH(raw_names, raw_name) {
      NAPI_LATIN1(name, 1024, raw_name)
      napi_value raw_stat;
      napi_get_element(env, raw_stats, i, &raw_stat);

      NAPI_BUFFER_CAST(uint32_t*, stats_array, raw_stat);
      struct stat st;
      populate_stat(stats_array, &st);

      // TODO: It turns out readdirplus likely won't work with FUSE 29...
      // Metadata caching between readdir/getattr will be enabled when we upgrade fuse-shared-library
      int err = l->readdir_filler((char *) l->buf, name, (struct stat *) &st, 0, 0);
      if (err == 1) {
        break;
      }
    }
  }
})

#ifdef __APPLE__

FUSE_METHOD(setxattr, 5, 1, (const char *path, const char *name, const char *value, size_t size, int flags, uint32_t position), {
  l->path = path;
  l->name = name;
  l->value = value;
  l->size = size;
  l->flags = flags;
  l->position = position;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_string_latin1(env, l->name, NAPI_AUTO_LENGTH, &(argv[3]));
  napi_create_external_buffer(env, l->size, (char *) l->value, NULL, NULL, &(argv[4]));
  napi_create_uint32(env, l->position, &(argv[5]));
  napi_create_uint32(env, l->flags, &(argv[6]));
}, {
  if (IS_ARRAY_BUFFER_DETACH_SUPPORTED == 1) assert(napi_detach_arraybuffer(env, argv[2]) == napi_ok);
})

FUSE_METHOD(getxattr, 4, 1, (const char *path, const char *name, char *value, size_t size, uint32_t position), {
  l->path = path;
  l->name = name;
  l->value = value;
  l->size = size;
  l->position = position;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_string_latin1(env, l->name, NAPI_AUTO_LENGTH, &(argv[3]));
  napi_create_external_buffer(env, l->size, (char *) l->value, NULL, NULL, &(argv[4]));
  napi_create_uint32(env, l->position, &(argv[5]));
}, {
  if (IS_ARRAY_BUFFER_DETACH_SUPPORTED == 1) assert(napi_detach_arraybuffer(env, argv[2]) == napi_ok);
})

#else

FUSE_METHOD(setxattr, 5, 1, (const char *path, const char *name, const char *value, size_t size, int flags), {
  l->path = path;
  l->name = name;
  l->value = value;
  l->size = size;
  l->flags = flags;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_string_latin1(env, l->name, NAPI_AUTO_LENGTH, &(argv[3]));
  napi_create_external_buffer(env, l->size, (char *) l->value, NULL, NULL, &(argv[4]));
  napi_create_uint32(env, 0, &(argv[5])); // normalize apis between mac and linux
  napi_create_uint32(env, l->flags, &(argv[6]));
}, {
  if (IS_ARRAY_BUFFER_DETACH_SUPPORTED == 1) assert(napi_detach_arraybuffer(env, argv[2]) == napi_ok);
})

FUSE_METHOD(getxattr, 4, 1, (const char *path, const char *name, char *value, size_t size), {
  l->path = path;
  l->name = name;
  l->value = value;
  l->size = size;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_string_latin1(env, l->name, NAPI_AUTO_LENGTH, &(argv[3]));
  napi_create_external_buffer(env, l->size, (char *) l->value, NULL, NULL, &(argv[4]));
  napi_create_uint32(env, 0, &(argv[5]));
}, {
  if (IS_ARRAY_BUFFER_DETACH_SUPPORTED == 1) assert(napi_detach_arraybuffer(env, argv[2]) == napi_ok);
})

#endif

// shmr: the kernel reads security.capability before every write to a file, to drop file
// capabilities; each read is a round trip to the JS thread, which costs more than handling the
// write. While JS says no file carries one, the answer (ENODATA) is given here.
static int fuse_native_getxattr_linux (const char *path, const char *name, char *value, size_t size) {
  fuse_thread_t *ft = (fuse_thread_t *) fuse_get_context()->private_data;
  if (__atomic_load_n(&ft->no_capabilities, __ATOMIC_ACQUIRE) && strcmp(name, "security.capability") == 0) return -ENODATA;
  return fuse_native_getxattr(path, name, value, size);
}

FUSE_METHOD(listxattr, 2, 1, (const char *path, char *list, size_t size), {
  l->path = path;
  l->list = list;
  l->size = size;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_external_buffer(env, l->size, l->list, NULL, NULL, &(argv[3]));
}, {
  if (IS_ARRAY_BUFFER_DETACH_SUPPORTED == 1) assert(napi_detach_arraybuffer(env, argv[2]) == napi_ok);
})

FUSE_METHOD_VOID(removexattr, 2, 0, (const char *path, const char *name), {
  l->path = path;
  l->name = name;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_string_latin1(env, l->name, NAPI_AUTO_LENGTH, &(argv[3]));
})

FUSE_METHOD_VOID(flush, 2, 0, (const char *path, struct fuse_file_info *info), {
  l->path = path;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->fh, &(argv[3]));
  } else {
    napi_create_uint32(env, 0, &(argv[3]));
  }
})

FUSE_METHOD_VOID(fsync, 3, 0, (const char *path, int datasync, struct fuse_file_info *info), {
  l->path = path;
  l->mode = datasync;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->mode, &(argv[3]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->fh, &(argv[4]));
  } else {
    napi_create_uint32(env, 0, &(argv[4]));
  }
})

FUSE_METHOD_VOID(fsyncdir, 3, 0, (const char *path, int datasync, struct fuse_file_info *info), {
  l->path = path;
  l->mode = datasync;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->mode, &(argv[3]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->fh, &(argv[4]));
  } else {
    napi_create_uint32(env, 0, &(argv[4]));
  }
})


FUSE_METHOD_VOID(truncate, 3, 0, (const char *path, off_t size, struct fuse_file_info *info), {
  l->path = path;
  l->offset = size;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  FUSE_UINT64_TO_INTS_ARGV(l->offset, 3)
})

FUSE_METHOD_VOID(ftruncate, 4, 0, (const char *path, off_t size, struct fuse_file_info *info), {
  l->path = path;
  l->offset = size;
  l->info = info;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  if (l->info != NULL) {
    napi_create_uint32(env, l->info->fh, &(argv[3]));
  } else {
    napi_create_uint32(env, 0, &(argv[3]));
  }
  FUSE_UINT64_TO_INTS_ARGV(l->offset, 4)
})

FUSE_METHOD(readlink, 1, 1, (const char *path, char *linkname, size_t len), {
  l->path = path;
  l->linkname = linkname;
  l->len = len;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
}, {
  NAPI_LATIN1(linkname, l->len, argv[2])
  strncpy(l->linkname, linkname, l->len);
})

FUSE_METHOD_VOID(chown, 3, 0, (const char *path, uid_t uid, gid_t gid, struct fuse_file_info *info), {
  l->path = path;
  l->uid = uid;
  l->gid = gid;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->uid, &(argv[3]));
  napi_create_uint32(env, l->gid, &(argv[4]));
})

FUSE_METHOD_VOID(chmod, 2, 0, (const char *path, mode_t mode, struct fuse_file_info *info), {
  l->path = path;
  l->mode = mode;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->mode, &(argv[3]));
})

FUSE_METHOD_VOID(mknod, 3, 0, (const char *path, mode_t mode, dev_t dev), {
  l->path = path;
  l->mode = mode;
  l->dev = dev;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->mode, &(argv[3]));
  napi_create_uint32(env, l->dev, &(argv[4]));
})

FUSE_METHOD_VOID(unlink, 1, 0, (const char *path), {
  l->path = path;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
})

// shmr: libfuse 3 passes renameat2's flags (RENAME_NOREPLACE, RENAME_EXCHANGE) as a third argument
FUSE_METHOD_VOID(rename, 3, 0, (const char *path, const char *dest, unsigned int rename_flags), {
  l->path = path;
  l->dest = dest;
  l->flags = rename_flags;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_string_latin1(env, l->dest, NAPI_AUTO_LENGTH, &(argv[3]));
  napi_create_uint32(env, l->flags, &(argv[4]));
})

// shmr: libfuse 3 folds fgetattr into getattr and ftruncate into truncate, with the open file
// (if any) as a last argument: route those calls to the file-handle handlers when JS has them.
static int fuse_native_getattr_any (const char *path, struct stat *stat, struct fuse_file_info *info) {
  fuse_thread_t *ft = (fuse_thread_t *) fuse_get_context()->private_data;
  if (info != NULL && ft->has_fgetattr) return fuse_native_fgetattr(path, stat, info);
  return fuse_native_getattr(path, stat, info);
}

static int fuse_native_truncate_any (const char *path, off_t size, struct fuse_file_info *info) {
  fuse_thread_t *ft = (fuse_thread_t *) fuse_get_context()->private_data;
  if (info != NULL && ft->has_ftruncate) return fuse_native_ftruncate(path, size, info);
  return fuse_native_truncate(path, size, info);
}

FUSE_METHOD_VOID(link, 2, 0, (const char *path, const char *dest), {
  l->path = path;
  l->dest = dest;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_string_latin1(env, l->dest, NAPI_AUTO_LENGTH, &(argv[3]));
})

FUSE_METHOD_VOID(symlink, 2, 0, (const char *path, const char *dest), {
  l->path = path;
  l->dest = dest;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_string_latin1(env, l->dest, NAPI_AUTO_LENGTH, &(argv[3]));
})

FUSE_METHOD_VOID(mkdir, 2, 0, (const char *path, mode_t mode), {
  l->path = path;
  l->mode = mode;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
  napi_create_uint32(env, l->mode, &(argv[3]));
})

FUSE_METHOD_VOID(rmdir, 1, 0, (const char *path), {
  l->path = path;
}, {
  napi_create_string_latin1(env, l->path, NAPI_AUTO_LENGTH, &(argv[2]));
})

static void fuse_native_dispatch_init (uv_async_t* handle, fuse_thread_locals_t* l, fuse_thread_t* ft) {\
  FUSE_NATIVE_CALLBACK(ft->handlers[op_init], {
    napi_value argv[2];

    napi_get_reference_value(env, l->self, &(argv[0]));
    napi_create_uint32(env, l->op, &(argv[1]));

    NAPI_MAKE_CALLBACK(env, NULL, ctx, callback, 2, argv, NULL);
  })
}

NAPI_METHOD(fuse_native_signal_init) {
  NAPI_ARGV(2)
  NAPI_ARGV_BUFFER_CAST(fuse_thread_locals_t *, l, 0);
  NAPI_ARGV_INT32(res, 1);
  l->res = res;
  uv_sem_post(&(l->sem));
  return NULL;
}

static void * fuse_native_init (struct fuse_conn_info *conn, struct fuse_config *cfg) {
  fuse_thread_locals_t *l = get_thread_locals();
  if (l->fuse->conn_opts != NULL) fuse_apply_conn_info_opts(l->fuse->conn_opts, conn);
  cfg->use_ino = l->fuse->use_ino;

  l->op = op_init;
  l->op_fn = fuse_native_dispatch_init;

  uv_async_send(&(l->async));
  uv_sem_wait(&(l->sem));

  return l->fuse;
}

// Top-level dispatcher

static void fuse_native_dispatch (uv_async_t* handle) {
  fuse_thread_locals_t *l = (fuse_thread_locals_t *) handle->data;
  fuse_thread_t *ft = l->fuse;
  void (*fn)(uv_async_t *, fuse_thread_locals_t *, fuse_thread_t *) = l->op_fn;

  fn(handle, l, ft);
}

static void fuse_native_async_init (uv_async_t* handle) {
  fuse_thread_t *ft = (fuse_thread_t *) handle->data;
  fuse_thread_locals_t *l;

  FUSE_NATIVE_CALLBACK(ft->malloc, {
    napi_value argv[1];
    napi_create_uint32(ft->env, (uint32_t) sizeof(fuse_thread_locals_t), &(argv[0]));

    napi_value buf;
    NAPI_MAKE_CALLBACK(ft->env, NULL, ctx, callback, 1, argv, &buf);

    size_t l_len;

    napi_get_buffer_info(env, buf, (void **) &l, &l_len);
    napi_create_reference(env, buf, 1, &(l->self));
  })


  int err = uv_async_init(uv_default_loop(), &(l->async), (uv_async_cb) fuse_native_dispatch);
  assert(err >= 0);

  uv_unref((uv_handle_t *) &(l->async));

  uv_sem_init(&(l->sem), 0);
  l->async.data = l;
  ft->async.data = l;
  l->fuse = ft;

  uv_sem_post(&(ft->sem));
}

static fuse_thread_locals_t* get_thread_locals () {
  struct fuse_context *ctx = fuse_get_context();
  fuse_thread_t *ft = (fuse_thread_t *) ctx->private_data;

  void *data = pthread_getspecific(thread_locals_key);

  if (data != NULL) {
    return (fuse_thread_locals_t *) data;
  }

  // Need to lock the mutation of l->async.
  uv_mutex_lock(&(ft->mut));
  ft->async.data = ft;

  // Notify the main thread to uv_async_init l->async.
  uv_async_send(&(ft->async));
  uv_sem_wait(&(ft->sem));

  fuse_thread_locals_t *l = (fuse_thread_locals_t*) ft->async.data;

  pthread_setspecific(thread_locals_key, (void *) l);
  uv_mutex_unlock(&(ft->mut));

  return l;
}

static void* start_fuse_thread (void *data) {
  fuse_thread_t *ft = (fuse_thread_t *) data;
  // shmr: a name for `top -H` and /proc; libfuse's workers, started from this thread, inherit it.
  pthread_setname_np(pthread_self(), FUSE_THREAD_NAME);
  fuse_loop_mt(ft->fuse, 0);

  fuse_unmount(ft->fuse);
  fuse_destroy(ft->fuse);
  free(ft->conn_opts);
  ft->conn_opts = NULL;

  return NULL;
}

NAPI_METHOD(fuse_native_mount) {
  NAPI_ARGV(8)

  NAPI_ARGV_UTF8(mnt, 1024, 0);
  NAPI_ARGV_UTF8(mntopts, 1024, 1);
  NAPI_ARGV_BUFFER_CAST(fuse_thread_t *, ft, 2);
  napi_create_reference(env, argv[3], 1, &(ft->ctx));
  napi_create_reference(env, argv[4], 1, &(ft->malloc));
  napi_value handlers = argv[5];
  NAPI_ARGV_BUFFER_CAST(uint32_t *, implemented, 6)
  napi_create_reference(env, argv[7], 1, &(ft->on_copied));

  for (int i = 0; i < 35; i++) {
    ft->handlers[i] = NULL;
  }

  NAPI_FOR_EACH(handlers, handler) {
    napi_create_reference(env, handler, 1, &ft->handlers[i]);
  }

  ft->env = env;

  struct fuse_operations ops = { };
  if (implemented[op_access]) ops.access = fuse_native_access;
  ft->has_fgetattr = implemented[op_fgetattr];
  ft->has_ftruncate = implemented[op_ftruncate];
  if (implemented[op_truncate] || implemented[op_ftruncate]) ops.truncate = fuse_native_truncate_any;
  if (implemented[op_getattr] || implemented[op_fgetattr]) ops.getattr = fuse_native_getattr_any;
  if (implemented[op_flush]) ops.flush = fuse_native_flush;
  if (implemented[op_fsync]) ops.fsync = fuse_native_fsync;
  if (implemented[op_fsyncdir]) ops.fsyncdir = fuse_native_fsyncdir;
  if (implemented[op_readdir]) ops.readdir = fuse_native_readdir;
  if (implemented[op_readlink]) ops.readlink = fuse_native_readlink;
  if (implemented[op_chown]) ops.chown = fuse_native_chown;
  if (implemented[op_chmod]) ops.chmod = fuse_native_chmod;
  if (implemented[op_mknod]) ops.mknod = fuse_native_mknod;
  if (implemented[op_setxattr]) ops.setxattr = fuse_native_setxattr;
  if (implemented[op_getxattr]) ops.getxattr = fuse_native_getxattr_linux;
  if (implemented[op_listxattr]) ops.listxattr = fuse_native_listxattr;
  if (implemented[op_removexattr]) ops.removexattr = fuse_native_removexattr;
  if (implemented[op_statfs]) ops.statfs = fuse_native_statfs;
  if (implemented[op_open]) ops.open = fuse_native_open;
  if (implemented[op_opendir]) ops.opendir = fuse_native_opendir;
  if (implemented[op_read]) ops.read = fuse_native_read;
  if (implemented[op_write]) ops.write = fuse_native_write;
  if (implemented[op_release]) ops.release = fuse_native_release;
  if (implemented[op_releasedir]) ops.releasedir = fuse_native_releasedir;
  if (implemented[op_create]) ops.create = fuse_native_create;
  if (implemented[op_utimens]) ops.utimens = fuse_native_utimens;
  if (implemented[op_unlink]) ops.unlink = fuse_native_unlink;
  if (implemented[op_rename]) ops.rename = fuse_native_rename;
  if (implemented[op_link]) ops.link = fuse_native_link;
  if (implemented[op_symlink]) ops.symlink = fuse_native_symlink;
  if (implemented[op_mkdir]) ops.mkdir = fuse_native_mkdir;
  if (implemented[op_rmdir]) ops.rmdir = fuse_native_rmdir;
  if (implemented[op_init]) ops.init = fuse_native_init;

  int _argc = (strcmp(mntopts, "-o") <= 0) ? 1 : 2;
  char *_argv[] = {
    (char *) "fuse_bindings_dummy",
    (char *) mntopts
  };

  struct fuse_args args = FUSE_ARGS_INIT(_argc, _argv);
  // shmr: libfuse 3 takes connection options only through this parser; fuse_new rejects them
  ft->conn_opts = fuse_parse_conn_info_opts(&args);
  static const struct fuse_opt config_opts[] = {
    { "use_ino", offsetof(fuse_thread_t, use_ino), 1 },
    { "direct_io_write_only", offsetof(fuse_thread_t, direct_io_write_only), 1 },
    FUSE_OPT_END
  };
  ft->use_ino = 0;
  ft->direct_io_write_only = 0;
  if (ft->conn_opts != NULL && fuse_opt_parse(&args, ft, config_opts, NULL) != 0) {
    free(ft->conn_opts);
    ft->conn_opts = NULL;
  }
  struct fuse *fuse = ft->conn_opts == NULL ? NULL : fuse_new(&args, &ops, sizeof(struct fuse_operations), ft);
  fuse_opt_free_args(&args);

  if (fuse == NULL) {
    free(ft->conn_opts);
    ft->conn_opts = NULL;
    napi_throw_error(env, "fuse failed", "fuse failed: libfuse rejected the options (see its message above)");
    return NULL;
  }

  if (fuse_mount(fuse, mnt) != 0) {
    fuse_destroy(fuse);
    free(ft->conn_opts);
    ft->conn_opts = NULL;
    napi_throw_error(env, "fuse failed", "fuse failed: could not mount (see libfuse's message above)");
    return NULL;
  }

  uv_mutex_init(&(ft->mut));
  uv_sem_init(&(ft->sem), 0);

  strncpy(ft->mnt, mnt, 1024);
  strncpy(ft->mntopts, mntopts, 1024);
  ft->fuse = fuse;
  ft->mounted++;

  int err = uv_async_init(uv_default_loop(), &(ft->async), (uv_async_cb) fuse_native_async_init);

  if (err < 0) {
    napi_throw_error(env, "fuse failed", "fuse failed");
    return NULL;
  }

  // shmr: like ft->async, never closed: a FUSE thread may still hand back a token after unmount.
  uv_mutex_init(&(ft->copied_mut));
  ft->copied = NULL;
  ft->copied_count = ft->copied_capacity = 0;
  err = uv_async_init(uv_default_loop(), &(ft->copied_async), dispatch_copied);
  if (err < 0) {
    napi_throw_error(env, "fuse failed", "fuse failed");
    return NULL;
  }
  ft->copied_async.data = ft;
  uv_unref((uv_handle_t *) &(ft->copied_async));

  pthread_attr_init(&(ft->attr));
  // shmr: the FUSE threads take no signals; they start with all of them blocked, and libfuse's
  // workers inherit the mask. A process-directed signal (SIGCHLD when a child exits) goes to any
  // thread that does not block it, and Node's handler for it, libuv's, takes libuv's signal lock.
  // At unmount libfuse cancels its workers (pthread_cancel); a worker that took SIGCHLD then
  // hung inside the handler, in glibc's cancellation, holding that lock, and the JavaScript
  // thread waited for it for good the next time it added a signal listener (execa does, for every
  // child): the server hung after unmounting, its data written out but its lock held.
  sigset_t all_signals, previous;
  sigfillset(&all_signals);
  pthread_sigmask(SIG_SETMASK, &all_signals, &previous);
  pthread_create(&(ft->thread), &(ft->attr), start_fuse_thread, ft);
  pthread_sigmask(SIG_SETMASK, &previous, NULL);

  return NULL;
}

// shmr: copies the caller of the request behind `l` into a Uint32Array(3): uid, gid, pid.
NAPI_METHOD(fuse_native_caller) {
  NAPI_ARGV(2)
  NAPI_ARGV_BUFFER_CAST(fuse_thread_locals_t *, l, 0);
  NAPI_ARGV_BUFFER_CAST(uint32_t *, out, 1);
  out[0] = l->caller[0];
  out[1] = l->caller[1];
  out[2] = l->caller[2];
  return NULL;
}

// shmr: whether the binding may answer security.capability lookups itself (see above)
NAPI_METHOD(fuse_native_set_no_capabilities) {
  NAPI_ARGV(2)
  NAPI_ARGV_BUFFER_CAST(fuse_thread_t *, ft, 0);
  NAPI_ARGV_INT32(absent, 1);
  __atomic_store_n(&ft->no_capabilities, absent, __ATOMIC_RELEASE);
  return NULL;
}

NAPI_METHOD(fuse_native_unmount) {
  NAPI_ARGV(2)
  NAPI_ARGV_UTF8(mnt, 1024, 0);
  NAPI_ARGV_BUFFER_CAST(fuse_thread_t *, ft, 1);

  if (ft != NULL && ft->mounted) {
    // TODO: Investigate why the FUSE thread is not always killed after fusermount.
    // pthread_join(ft->thread, NULL);
  }

  // TODO: fix the async holding the loop
  uv_unref((uv_handle_t *) &(ft->async));
  ft->mounted--;

  return NULL;
}

NAPI_INIT() {
  const napi_node_version* version;
  assert(napi_get_node_version(env, &version) == napi_ok);

  if (version->major > 12 || (version->major == 12 && version->minor >= 16)) {
    IS_ARRAY_BUFFER_DETACH_SUPPORTED = 1;
  }

  pthread_key_create(&(thread_locals_key), NULL); // TODO: add destructor

  NAPI_EXPORT_SIZEOF(fuse_thread_t)

  NAPI_EXPORT_FUNCTION(fuse_native_mount)
  NAPI_EXPORT_FUNCTION(fuse_native_unmount)
  NAPI_EXPORT_FUNCTION(fuse_native_caller)
  NAPI_EXPORT_FUNCTION(fuse_native_set_no_capabilities)

  NAPI_EXPORT_FUNCTION(fuse_native_signal_getattr)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_init)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_access)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_statfs)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_fgetattr)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_getattr)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_flush)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_fsync)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_fsyncdir)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_readdir)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_truncate)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_ftruncate)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_utimens)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_readlink)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_chown)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_chmod)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_mknod)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_setxattr)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_getxattr)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_listxattr)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_removexattr)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_open)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_opendir)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_read)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_write)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_release)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_releasedir)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_create)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_unlink)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_rename)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_link)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_symlink)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_mkdir)
  NAPI_EXPORT_FUNCTION(fuse_native_signal_rmdir)

  NAPI_EXPORT_UINT32(op_getattr)
  NAPI_EXPORT_UINT32(op_init)
  NAPI_EXPORT_UINT32(op_error)
  NAPI_EXPORT_UINT32(op_access)
  NAPI_EXPORT_UINT32(op_statfs)
  NAPI_EXPORT_UINT32(op_fgetattr)
  NAPI_EXPORT_UINT32(op_getattr)
  NAPI_EXPORT_UINT32(op_flush)
  NAPI_EXPORT_UINT32(op_fsync)
  NAPI_EXPORT_UINT32(op_fsyncdir)
  NAPI_EXPORT_UINT32(op_readdir)
  NAPI_EXPORT_UINT32(op_truncate)
  NAPI_EXPORT_UINT32(op_ftruncate)
  NAPI_EXPORT_UINT32(op_utimens)
  NAPI_EXPORT_UINT32(op_readlink)
  NAPI_EXPORT_UINT32(op_chown)
  NAPI_EXPORT_UINT32(op_chmod)
  NAPI_EXPORT_UINT32(op_mknod)
  NAPI_EXPORT_UINT32(op_setxattr)
  NAPI_EXPORT_UINT32(op_getxattr)
  NAPI_EXPORT_UINT32(op_listxattr)
  NAPI_EXPORT_UINT32(op_removexattr)
  NAPI_EXPORT_UINT32(op_open)
  NAPI_EXPORT_UINT32(op_opendir)
  NAPI_EXPORT_UINT32(op_read)
  NAPI_EXPORT_UINT32(op_write)
  NAPI_EXPORT_UINT32(op_release)
  NAPI_EXPORT_UINT32(op_releasedir)
  NAPI_EXPORT_UINT32(op_create)
  NAPI_EXPORT_UINT32(op_unlink)
  NAPI_EXPORT_UINT32(op_rename)
  NAPI_EXPORT_UINT32(op_link)
  NAPI_EXPORT_UINT32(op_symlink)
  NAPI_EXPORT_UINT32(op_mkdir)
  NAPI_EXPORT_UINT32(op_rmdir)
}
