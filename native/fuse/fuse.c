// shmr's FUSE binding: libfuse 3's low-level API (fuse_lowlevel_ops), on inode numbers.
//
// The main thread reads the device when libuv's poll says it has requests (on_device_readable).
// libfuse decodes each and calls one of the ll_ callbacks, which copies it into a request_t
// (names included: libfuse reuses its buffer as soon as the callback returns), and the request is
// handed to JavaScript at once. A write's bytes are not copied: each request is read into one of
// a few receive buffers, and a write keeps the one it arrived in until JavaScript is done with it
// (see the receive buffers below). JavaScript answers later, with one of the reply functions and
// the request's id; nothing waits for it, so any number of requests can be in flight. A read of
// a file whose stored blocks JavaScript described at its open goes to one of the binding's own
// reading threads instead, which answers it (directReads.c).
//
// Numbers cross in two shared Float64Arrays instead of N-API values (one value each cost more
// than a small request's work): `args`, filled here before each dispatch, and `attr`, filled by
// JavaScript before a reply that carries attributes. Both are read or written only on the main
// thread. Names are bytes: they cross as Latin-1 strings, one character per byte.
#define FUSE_USE_VERSION 34
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <fuse_lowlevel.h>
#include <node_api.h>
#include <uv.h>

#include "directReads.h"

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, #call " failed"); return NULL; } } while (0)

// Operation codes, as src/lib/fuse/lowlevel/opcodes.ts lists them.
enum {
  OP_LOOKUP = 1, OP_GETATTR, OP_SETATTR, OP_READLINK, OP_MKNOD, OP_MKDIR, OP_UNLINK, OP_RMDIR,
  OP_SYMLINK, OP_RENAME, OP_LINK, OP_OPEN, OP_READ, OP_WRITE, OP_RELEASE, OP_FSYNC, OP_OPENDIR,
  OP_READDIR, OP_RELEASEDIR, OP_FSYNCDIR, OP_STATFS, OP_SETXATTR, OP_GETXATTR, OP_LISTXATTR,
  OP_REMOVEXATTR, OP_ACCESS, OP_CREATE, OP_READDIRPLUS, OP_LSEEK, OP_FALLOCATE, OP_COPY_FILE_RANGE,
};

// Slots of `args`, as src/lib/fuse/lowlevel/opcodes.ts names them.
enum {
  A_INO, A_INO2, A_FH, A_OFFSET, A_SIZE, A_FLAGS, A_MODE, A_UID, A_GID, A_PID,
  A_UMASK, A_RDEV, A_TO_SET, A_SET_MODE, A_SET_UID, A_SET_GID, A_SET_SIZE, A_SET_ATIME_S,
  A_SET_ATIME_NS, A_SET_MTIME_S, A_SET_MTIME_NS, A_DATASYNC, A_DATA_OFFSET, A_DATA_BUFFER,
  A_FH2, A_OFFSET2, A_COUNT
};

// Slots of `attr`.
enum {
  T_INO, T_MODE, T_NLINK, T_UID, T_GID, T_RDEV, T_SIZE, T_BLOCKS, T_BLKSIZE, T_ATIME_S, T_ATIME_NS,
  T_MTIME_S, T_MTIME_NS, T_CTIME_S, T_CTIME_NS, T_GENERATION, T_ENTRY_TIMEOUT, T_ATTR_TIMEOUT, T_COUNT
};

typedef struct request {
  struct request *next;
  fuse_req_t req;
  uint32_t op;
  double args[A_COUNT];
  char *name;
  char *name2;
  char *data;
  size_t data_len;
  // The receive buffer `data` lies in (a write's), or -1: `data` is the request's own copy. A
  // receive buffer is JavaScript's to give back once dispatched, not the reply's.
  int data_slot;
  // readdir: the reply being built (see direntsAdd)
  char *dirents;
  size_t dirents_size;
  size_t dirents_used;
} request_t;

typedef struct {
  napi_env env;
  napi_ref dispatch;
  napi_ref on_exit;
  struct fuse_session *se;
  // Requests are read on the main thread, when libuv's poll says the device has one.
  uv_poll_t device;
  // Keeps the loop from sleeping for a moment after each request (see on_device_readable).
  uv_idle_t awake;
  uint64_t awake_until_ns;
  uint64_t last_request_ns;
  bool serving;
  uv_async_t exited;
  // Requests libfuse's callbacks queued while a read was being handled, for dispatch_queued.
  request_t *head;
  request_t *tail;
  // Requests JavaScript holds, by id (an index): only the main thread touches these.
  request_t **slots;
  uint32_t slot_count;
  uint32_t *free_ids;
  uint32_t free_count;
  double *args;
  double *attr;
  napi_ref args_ref;
  napi_ref attr_ref;
  // Connection settings, applied in init.
  uint32_t max_write;
  uint32_t max_readahead;
  uint32_t max_background;
  bool writeback_cache;
  bool direct_io_write_only;
  // Extended attribute names the kernel asks for all the time (security.capability before every
  // write, the POSIX ACLs for every `ls -l`), given at mount, and a bit for each set from
  // JavaScript while no file carries that name: then the lookup is answered here, ENODATA,
  // without a round trip.
  char **shortcut_names;
  uint32_t shortcut_count;
  volatile uint32_t absent_xattrs;
  int loop_result;
  bool destroyed;
  // Replies being copied into the kernel on libuv's threads (replyBufLater): the session must
  // outlive them, so a destroy asked for meanwhile waits for the last.
  uint32_t replies_in_flight;
  bool destroy_pending;
} binding_t;

static binding_t *the_binding = NULL;

static char *copy_string(const char *text) {
  return text == NULL ? NULL : strdup(text);
}

static request_t *new_request(fuse_req_t req, uint32_t op, fuse_ino_t ino) {
  request_t *r = calloc(1, sizeof(request_t));
  r->req = req;
  r->op = op;
  r->data_slot = -1;
  r->args[A_INO] = (double) ino;
  const struct fuse_ctx *ctx = fuse_req_ctx(req);
  r->args[A_UID] = ctx->uid;
  r->args[A_GID] = ctx->gid;
  r->args[A_PID] = ctx->pid;
  r->args[A_UMASK] = ctx->umask;
  return r;
}

static void enqueue(request_t *r) {
  binding_t *b = the_binding;
  if (b->tail) b->tail->next = r; else b->head = r;
  b->tail = r;
}

// Receive buffers. Every request is read into one; a write's bytes stay where they arrived, and
// the write keeps that buffer until JavaScript is done with the request and gives it back
// (releaseReceiveBuffer), which may be after its reply: shmr answers a write as soon as it can no
// longer fail and copies the bytes into its cache just after, while the writer is already on its
// way with the next one. Only then is the buffer free for another request. Copying each megabyte
// out of libfuse's one buffer instead cost a memcpy per write, and handing JavaScript a fresh
// external Buffer per write made V8 count a megabyte of external memory each time, which set off
// a full garbage collection every ~10 MiB written (59 in 640 MiB). Each buffer is wrapped in a JavaScript Buffer once, on first use,
// and both live as long as the process. RECEIVE_BUFFER_BYTES is libfuse 3.14's largest read
// (se->bufsize: FUSE_MAX_MAX_PAGES pages and a 4 KiB header); a buffer the size of its reads is
// all fuse_session_receive_buf needs (set at mount, from the page size).
static size_t RECEIVE_BUFFER_BYTES = 256 * 4096 + 4096;
// More writes in flight than this (the kernel sends at most max_background at once, plus one
// per writer waiting in direct I/O) and requests are read into a buffer of the binding's own, and
// a write's bytes copied out of it.
#define RECEIVE_BUFFERS 64
typedef struct {
  char *mem;
  bool busy;
  napi_ref buffer;  // main thread only
} receive_buffer_t;
static receive_buffer_t receive_buffers[RECEIVE_BUFFERS];
// The receive buffer the current request was read into (-1: the overflow buffer).
static int receiving = -1;
static char *overflow_buffer = NULL;

static void give_receive_buffer(int slot) {
  receive_buffers[slot].busy = false;
}

static int take_receive_buffer(void) {
  int found = -1;
  for (int i = 0; i < RECEIVE_BUFFERS && found < 0; i++) {
    if (!receive_buffers[i].busy) found = i;
  }
  if (found < 0) return -1;
  if (receive_buffers[found].mem == NULL) receive_buffers[found].mem = malloc(RECEIVE_BUFFER_BYTES);
  if (receive_buffers[found].mem == NULL) return -1;
  receive_buffers[found].busy = true;
  return found;
}

// A request's copy of bytes that arrived in the overflow buffer, or of setxattr's value.
static void copy_data(request_t *r, const char *bytes, size_t size) {
  r->data = malloc(size ? size : 1);
  memcpy(r->data, bytes, size);
  r->data_len = size;
}

static void free_request(request_t *r) {
  free(r->name);
  free(r->name2);
  if (r->data_slot < 0) free(r->data);
  free(r->dirents);
  free(r);
}

// --- libfuse's callbacks, during fuse_session_process_buf ------------------------------------

static void ll_init(void *userdata, struct fuse_conn_info *conn) {
  binding_t *b = userdata;
  conn->max_write = b->max_write;
  conn->max_readahead = b->max_readahead;
  // The congestion threshold moves with max_background, at the kernel's own ratio (9 of 12): past
  // it, the kernel's read-ahead drops the pages it had set aside to read early. Those pages are
  // read later one by one (4 KiB each, a round trip apiece), out of the reader's order.
  if (b->max_background) {
    conn->max_background = b->max_background;
    conn->congestion_threshold = b->max_background * 3 / 4;
  }
  conn->time_gran = 1;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  // Always readdirplus: a listing is followed by a stat of its entries (ls -l, find, rsync).
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  if (conn->capable & FUSE_CAP_PARALLEL_DIROPS) conn->want |= FUSE_CAP_PARALLEL_DIROPS;
  if (b->writeback_cache && (conn->capable & FUSE_CAP_WRITEBACK_CACHE)) conn->want |= FUSE_CAP_WRITEBACK_CACHE;
  else conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  // Splicing would hand requests over in a pipe; the queue needs them in memory.
  conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
}

static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
  request_t *r = new_request(req, OP_LOOKUP, parent);
  r->name = copy_string(name);
  enqueue(r);
}

static void ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  // shmr keeps no per-inode state for the kernel's references: nothing to do.
  fuse_reply_none(req);
}

static void ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets) {
  fuse_reply_none(req);
}

static void ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  request_t *r = new_request(req, OP_GETATTR, ino);
  r->args[A_FH] = fi ? (double) fi->fh : 0;
  enqueue(r);
}

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi) {
  request_t *r = new_request(req, OP_SETATTR, ino);
  r->args[A_FH] = fi ? (double) fi->fh : 0;
  r->args[A_TO_SET] = to_set;
  r->args[A_SET_MODE] = attr->st_mode;
  r->args[A_SET_UID] = attr->st_uid;
  r->args[A_SET_GID] = attr->st_gid;
  r->args[A_SET_SIZE] = (double) attr->st_size;
  r->args[A_SET_ATIME_S] = (double) attr->st_atim.tv_sec;
  r->args[A_SET_ATIME_NS] = (double) attr->st_atim.tv_nsec;
  r->args[A_SET_MTIME_S] = (double) attr->st_mtim.tv_sec;
  r->args[A_SET_MTIME_NS] = (double) attr->st_mtim.tv_nsec;
  enqueue(r);
}

static void ll_readlink(fuse_req_t req, fuse_ino_t ino) {
  enqueue(new_request(req, OP_READLINK, ino));
}

static void ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev) {
  request_t *r = new_request(req, OP_MKNOD, parent);
  r->name = copy_string(name);
  r->args[A_MODE] = mode;
  r->args[A_RDEV] = (double) rdev;
  enqueue(r);
}

static void ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode) {
  request_t *r = new_request(req, OP_MKDIR, parent);
  r->name = copy_string(name);
  r->args[A_MODE] = mode;
  enqueue(r);
}

static void ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name) {
  request_t *r = new_request(req, OP_UNLINK, parent);
  r->name = copy_string(name);
  enqueue(r);
}

static void ll_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name) {
  request_t *r = new_request(req, OP_RMDIR, parent);
  r->name = copy_string(name);
  enqueue(r);
}

static void ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name) {
  request_t *r = new_request(req, OP_SYMLINK, parent);
  r->name = copy_string(name);
  r->name2 = copy_string(link);
  enqueue(r);
}

static void ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname, unsigned int flags) {
  request_t *r = new_request(req, OP_RENAME, parent);
  r->name = copy_string(name);
  r->name2 = copy_string(newname);
  r->args[A_INO2] = (double) newparent;
  r->args[A_FLAGS] = flags;
  enqueue(r);
}

static void ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname) {
  request_t *r = new_request(req, OP_LINK, ino);
  r->name = copy_string(newname);
  r->args[A_INO2] = (double) newparent;
  enqueue(r);
}

static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  request_t *r = new_request(req, OP_OPEN, ino);
  r->args[A_FLAGS] = fi->flags;
  enqueue(r);
}

// A request about an open file or directory: its handle, and where and how much (read, readdir).
static void queue_open(fuse_req_t req, uint32_t op, fuse_ino_t ino, struct fuse_file_info *fi, size_t size, off_t off) {
  request_t *r = new_request(req, op, ino);
  r->args[A_FH] = fi ? (double) fi->fh : 0;
  r->args[A_SIZE] = (double) size;
  r->args[A_OFFSET] = (double) off;
  enqueue(r);
}

// Set when the request just read went to a reading thread (directReads.c): stay_awake_after must
// not keep the loop awake for it (see there).
static bool handed_to_reader;

static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  direct_read_t taken = direct_read_take(req, ino, fi->fh, size, off);
  handed_to_reader = taken == DIRECT_READ_HANDED;
  if (taken == DIRECT_READ_NOT_TAKEN) queue_open(req, OP_READ, ino, fi, size, off);
}

static void ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  request_t *r = new_request(req, OP_WRITE, ino);
  r->args[A_FH] = (double) fi->fh;
  r->args[A_SIZE] = (double) size;
  r->args[A_OFFSET] = (double) off;
  if (receiving >= 0 && buf >= receive_buffers[receiving].mem && buf + size <= receive_buffers[receiving].mem + RECEIVE_BUFFER_BYTES) {
    // The write takes the buffer it arrived in; the next request is read into another.
    r->data = (char *) buf;
    r->data_len = size;
    r->data_slot = receiving;
    receiving = -1;
  } else {
    copy_data(r, buf, size);
  }
  enqueue(r);
}

static void ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  queue_open(req, OP_RELEASE, ino, fi, 0, 0);
}

static void queue_sync(fuse_req_t req, uint32_t op, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  request_t *r = new_request(req, op, ino);
  r->args[A_FH] = fi ? (double) fi->fh : 0;
  r->args[A_DATASYNC] = datasync;
  enqueue(r);
}

static void ll_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  queue_sync(req, OP_FSYNC, ino, datasync, fi);
}

static void ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  request_t *r = new_request(req, OP_OPENDIR, ino);
  r->args[A_FLAGS] = fi->flags;
  enqueue(r);
}

static void ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  queue_open(req, OP_READDIR, ino, fi, size, off);
}

static void ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  queue_open(req, OP_READDIRPLUS, ino, fi, size, off);
}

static void ll_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  queue_open(req, OP_RELEASEDIR, ino, fi, 0, 0);
}

static void ll_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  queue_sync(req, OP_FSYNCDIR, ino, datasync, fi);
}

static void ll_statfs(fuse_req_t req, fuse_ino_t ino) {
  enqueue(new_request(req, OP_STATFS, ino));
}

static void ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size, int flags) {
  request_t *r = new_request(req, OP_SETXATTR, ino);
  r->name = copy_string(name);
  copy_data(r, value, size);
  r->args[A_SIZE] = (double) size;
  r->args[A_FLAGS] = flags;
  enqueue(r);
}

static void ll_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size) {
  uint32_t absent = __atomic_load_n(&the_binding->absent_xattrs, __ATOMIC_ACQUIRE);
  for (uint32_t i = 0; absent != 0 && i < the_binding->shortcut_count; i++) {
    if ((absent & (1u << i)) && strcmp(name, the_binding->shortcut_names[i]) == 0) {
      fuse_reply_err(req, ENODATA);
      return;
    }
  }
  request_t *r = new_request(req, OP_GETXATTR, ino);
  r->name = copy_string(name);
  r->args[A_SIZE] = (double) size;
  enqueue(r);
}

static void ll_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  request_t *r = new_request(req, OP_LISTXATTR, ino);
  r->args[A_SIZE] = (double) size;
  enqueue(r);
}

static void ll_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name) {
  request_t *r = new_request(req, OP_REMOVEXATTR, ino);
  r->name = copy_string(name);
  enqueue(r);
}

static void ll_access(fuse_req_t req, fuse_ino_t ino, int mask) {
  request_t *r = new_request(req, OP_ACCESS, ino);
  r->args[A_MODE] = mask;
  enqueue(r);
}

static void ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi) {
  request_t *r = new_request(req, OP_CREATE, parent);
  r->name = copy_string(name);
  r->args[A_MODE] = mode;
  r->args[A_FLAGS] = fi->flags;
  enqueue(r);
}

static void ll_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi) {
  request_t *r = new_request(req, OP_LSEEK, ino);
  r->args[A_FH] = (double) fi->fh;
  r->args[A_OFFSET] = (double) off;
  r->args[A_MODE] = whence;
  enqueue(r);
}

// fallocate(fh, offset, length, mode): mode in A_MODE, length in A_SIZE.
static void ll_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, struct fuse_file_info *fi) {
  request_t *r = new_request(req, OP_FALLOCATE, ino);
  r->args[A_FH] = (double) fi->fh;
  r->args[A_OFFSET] = (double) offset;
  r->args[A_SIZE] = (double) length;
  r->args[A_MODE] = mode;
  enqueue(r);
}

// copy_file_range: from (ino, fh, offset) to (ino2, fh2, offset2), A_SIZE bytes; answered with replyWrite.
static void ll_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in,
    fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len, int flags) {
  request_t *r = new_request(req, OP_COPY_FILE_RANGE, ino_in);
  r->args[A_FH] = (double) fi_in->fh;
  r->args[A_OFFSET] = (double) off_in;
  r->args[A_INO2] = (double) ino_out;
  r->args[A_FH2] = (double) fi_out->fh;
  r->args[A_OFFSET2] = (double) off_out;
  r->args[A_SIZE] = (double) len;
  r->args[A_FLAGS] = flags;
  enqueue(r);
}

static const struct fuse_lowlevel_ops OPS = {
  .init = ll_init,
  .lookup = ll_lookup,
  .forget = ll_forget,
  .forget_multi = ll_forget_multi,
  .getattr = ll_getattr,
  .setattr = ll_setattr,
  .readlink = ll_readlink,
  .mknod = ll_mknod,
  .mkdir = ll_mkdir,
  .unlink = ll_unlink,
  .rmdir = ll_rmdir,
  .symlink = ll_symlink,
  .rename = ll_rename,
  .link = ll_link,
  .open = ll_open,
  .read = ll_read,
  .write = ll_write,
  .release = ll_release,
  .fsync = ll_fsync,
  .opendir = ll_opendir,
  .readdir = ll_readdir,
  .readdirplus = ll_readdirplus,
  .releasedir = ll_releasedir,
  .fsyncdir = ll_fsyncdir,
  .statfs = ll_statfs,
  .setxattr = ll_setxattr,
  .getxattr = ll_getxattr,
  .listxattr = ll_listxattr,
  .removexattr = ll_removexattr,
  .access = ll_access,
  .create = ll_create,
  .lseek = ll_lseek,
  .fallocate = ll_fallocate,
  .copy_file_range = ll_copy_file_range,
};

// --- The main thread --------------------------------------------------------------------------

static uint32_t take_id(binding_t *b, request_t *r) {
  uint32_t id;
  if (b->free_count > 0) {
    id = b->free_ids[--b->free_count];
  } else {
    if (b->slot_count % 1024 == 0) {
      b->slots = realloc(b->slots, (b->slot_count + 1024) * sizeof(request_t *));
      b->free_ids = realloc(b->free_ids, (b->slot_count + 1024) * sizeof(uint32_t));
    }
    id = b->slot_count++;
  }
  b->slots[id] = r;
  return id;
}

// The request `id` names, taken out of its slot for its reply; NULL when it was answered already.
static request_t *take_request(binding_t *b, uint32_t id) {
  if (id >= b->slot_count || b->slots[id] == NULL) return NULL;
  request_t *r = b->slots[id];
  b->slots[id] = NULL;
  b->free_ids[b->free_count++] = id;
  return r;
}

static request_t *peek_request(binding_t *b, uint32_t id) {
  return id < b->slot_count ? b->slots[id] : NULL;
}

static void free_copy(napi_env env, void *data, void *hint) {
  free(data);
}

static void dispatch_queued(binding_t *b) {
  napi_env env = b->env;
  request_t *r = b->head;
  b->head = b->tail = NULL;
  if (r == NULL) return;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value dispatch, global, undefined;
  napi_get_reference_value(env, b->dispatch, &dispatch);
  napi_get_global(env, &global);
  napi_get_undefined(env, &undefined);
  while (r != NULL) {
    request_t *next = r->next;
    r->next = NULL;
    if (b->destroyed) {
      if (r->data_slot >= 0) give_receive_buffer(r->data_slot);
      free_request(r);
      r = next;
      continue;
    }
    uint32_t id = take_id(b, r);
    memcpy(b->args, r->args, sizeof(r->args));
    // Where the request's bytes are: a receive buffer and the offset in it, or (-1) a copy of their own.
    b->args[A_DATA_BUFFER] = r->data_slot;
    b->args[A_DATA_OFFSET] = r->data_slot >= 0 ? (double) (r->data - receive_buffers[r->data_slot].mem) : 0;
    napi_value argv[5];
    napi_create_uint32(env, r->op, &argv[0]);
    napi_create_uint32(env, id, &argv[1]);
    argv[2] = undefined;
    argv[3] = undefined;
    argv[4] = undefined;
    if (r->name) napi_create_string_latin1(env, r->name, NAPI_AUTO_LENGTH, &argv[2]);
    if (r->name2) napi_create_string_latin1(env, r->name2, NAPI_AUTO_LENGTH, &argv[3]);
    // A write's bytes are in a receive buffer, handed over whole with the offset of the bytes in
    // args, and JavaScript gives the buffer back when it is done with the request.
    if (r->data_slot >= 0) {
      receive_buffer_t *slot = &receive_buffers[r->data_slot];
      if (slot->buffer == NULL) {
        napi_value whole;
        napi_create_external_buffer(env, RECEIVE_BUFFER_BYTES, slot->mem, NULL, NULL, &whole);
        napi_create_reference(env, whole, 1, &slot->buffer);
      }
      napi_get_reference_value(env, slot->buffer, &argv[4]);
    } else if (r->data) {
      // A copy (setxattr's value, or a write that found every receive buffer taken) becomes the
      // Buffer's, freed when it is collected: a write may be answered before its bytes are
      // copied into the cache, so they must outlive the reply.
      if (napi_create_external_buffer(env, r->data_len, r->data, free_copy, NULL, &argv[4]) == napi_ok) r->data = NULL;
    }
    napi_value result;
    napi_status status = napi_call_function(env, global, dispatch, 5, argv, &result);
    if (status == napi_pending_exception) {
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);
    }
    r = next;
  }
  napi_close_handle_scope(env, scope);
}

// A read the reading threads gave back (directReads.c): JavaScript answers it.
static void read_given_back(fuse_req_t req, fuse_ino_t ino, uint64_t fh, size_t size, off_t off) {
  binding_t *b = the_binding;
  if (b == NULL || b->destroyed) {
    fuse_reply_err(req, EIO);
    return;
  }
  struct fuse_file_info fi = {.fh = fh};
  queue_open(req, OP_READ, ino, &fi, size, off);
  dispatch_queued(b);
}

// Requests read per poll event before the loop turns to its other work (I/O completions, timers).
#define READS_PER_TURN 64
// How long the loop stays awake after a request, in case the next comes soon: see below. Against
// 50 us, untarring 5,000 files took 2.7-3.0 s instead of 3.9 (and less CPU: fewer wake-ups).
#define AWAKE_AFTER_REQUEST_NS 200000

static uint64_t monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t) now.tv_sec * 1000000000ull + (uint64_t) now.tv_nsec;
}

// While active, libuv polls without sleeping: until AWAKE_AFTER_REQUEST_NS have passed without a request.
static void stay_awake(uv_idle_t *handle) {
  binding_t *b = handle->data;
  if (monotonic_ns() >= b->awake_until_ns) uv_idle_stop(handle);
}

// A write this long is a streaming writer's (dd, cp of a big file): its next one comes after it
// has copied the next megabyte, so staying awake for it only takes a core from the flushes.
#define STREAMING_WRITE_BYTES (64 * 1024)

// Stays awake after `r` (the request just read, or NULL when libfuse answered it itself) while
// requests come close together: one that follows the last within AWAKE_AFTER_REQUEST_NS (a
// caller going from request to request: tar, find, rm -r) keeps the loop polling; one after a
// pause does not start it, nor does a streaming write, nor a read handed to a reading thread.
// That thread is woken on this thread's CPU, and the scheduler let it wait there behind the
// polling loop until the loop gave up (traced: ~200 us of a 4 KiB read's ~320; the caller asleep
// meanwhile, the other CPU idle). 4 KiB random reads of a cold file at queue depth 1, on a demo
// mount, alternating: 4,600-8,000 a second (a third of runs near 4,600) against 8,600-9,700.
// A read answered from the page cache on this thread (directReads.c, read_cached) is like any
// other request: a random reader's next read, mostly another such, then finds the loop awake.
// The same reads, one pass over a cold 1 GiB file (85% of them from the page cache), taking
// turns in two sessions: 16,091-19,177 a second against 11,691-16,780 (mergerfs 18,123-19,804);
// half of them answered within 27-34 us against 36-41.
static void stay_awake_after(binding_t *b, const request_t *r) {
  uint64_t now = monotonic_ns();
  bool streaming = r != NULL && r->op == OP_WRITE && r->data_len >= STREAMING_WRITE_BYTES;
  bool handed = handed_to_reader;
  handed_to_reader = false;
  if (!streaming && !handed && now - b->last_request_ns <= AWAKE_AFTER_REQUEST_NS) {
    b->awake_until_ns = now + AWAKE_AFTER_REQUEST_NS;
    if (!uv_is_active((uv_handle_t *) &b->awake)) uv_idle_start(&b->awake, stay_awake);
  }
  b->last_request_ns = now;
}

// The device has requests: each is read into a receive buffer (a write may keep it, see above),
// handled by libfuse (which calls the ll_ callbacks, queueing it) and dispatched at once. This
// is fuse_session_loop (libfuse 3.14's lib/fuse_loop.c) on the main thread with a non-blocking
// device, one poll event at a time. Before, a thread of its own read the device and woke the
// main thread for each request (a getxattr round trip: ~95 us; mergerfs ~17); now ~85 us.
//
// What is left is waking a sleeping CPU: a round trip costs ~10 us when the caller and this
// thread share a CPU and ~85 us when they do not, twice a wake-up of an idle virtual CPU (mergerfs
// pinned away from its caller: 80 us). So while requests come close together the loop stays
// awake (polls without sleeping, serving everything else meanwhile, see stay_awake_after): a
// caller that sends request after request (tar, find, rm -r) finds it awake, and only its own
// wake-up is paid: ~25-30 us.
static void on_device_readable(uv_poll_t *handle, int status, int events) {
  binding_t *b = handle->data;
  struct fuse_session *se = b->se;
  int result = 0;
  for (int reads = 0; reads < READS_PER_TURN && !fuse_session_exited(se); reads++) {
    if (receiving < 0) receiving = take_receive_buffer();
    if (receiving < 0 && overflow_buffer == NULL) overflow_buffer = malloc(RECEIVE_BUFFER_BYTES);
    struct fuse_buf buf = {.size = RECEIVE_BUFFER_BYTES, .mem = receiving >= 0 ? receive_buffers[receiving].mem : overflow_buffer};
    if (buf.mem == NULL) {
      result = -ENOMEM;
      break;
    }
    result = fuse_session_receive_buf(se, &buf);
    if (result == -EAGAIN || result == -EINTR) return;
    if (result <= 0) break;
    fuse_session_process_buf(se, &buf);
    stay_awake_after(b, b->tail);
    dispatch_queued(b);
    if (b->destroyed) return;
  }
  if (result > 0 && !fuse_session_exited(se)) return;
  // Unmounted (libfuse exits the session on ENODEV), or a read failed: the session is over.
  uv_poll_stop(&b->device);
  uv_idle_stop(&b->awake);
  if (receiving >= 0) give_receive_buffer(receiving);
  receiving = -1;
  fuse_session_reset(se);
  b->loop_result = result > 0 ? 0 : result;
  // With the device no longer watched, nothing else may keep the loop alive (a server waiting for
  // a lazily detached mount's last file to close): the notice itself must, until delivered.
  uv_ref((uv_handle_t *) &b->exited);
  uv_async_send(&b->exited);
}

static void notify_exited(uv_async_t *handle) {
  binding_t *b = handle->data;
  napi_env env = b->env;
  b->serving = false;
  uv_unref((uv_handle_t *) &b->exited);
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value on_exit, global, argv[1];
  napi_get_reference_value(env, b->on_exit, &on_exit);
  napi_get_global(env, &global);
  napi_create_int32(env, b->loop_result, &argv[0]);
  napi_value result;
  if (napi_call_function(env, global, on_exit, 1, argv, &result) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
}

static bool get_u32(napi_env env, napi_value object, const char *key, uint32_t *out) {
  napi_value value;
  if (napi_get_named_property(env, object, key, &value) != napi_ok) return false;
  return napi_get_value_uint32(env, value, out) == napi_ok;
}

static bool get_bool(napi_env env, napi_value object, const char *key) {
  napi_value value;
  bool out = false;
  if (napi_get_named_property(env, object, key, &value) == napi_ok) napi_get_value_bool(env, value, &out);
  return out;
}

// mount(mountpoint, fuseArgs: string[], settings, dispatch, onExit): {args, attr}
static napi_value mount_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (the_binding != NULL) {
    napi_throw_error(env, "EBUSY", "a filesystem is mounted already in this process");
    return NULL;
  }
  char mountpoint[4096];
  size_t length;
  CHECK(napi_get_value_string_latin1(env, argv[0], mountpoint, sizeof(mountpoint), &length));
  uint32_t count;
  CHECK(napi_get_array_length(env, argv[1], &count));
  char **fuse_argv = calloc(count + 2, sizeof(char *));
  fuse_argv[0] = strdup("shmr");
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    char text[4096];
    CHECK(napi_get_element(env, argv[1], i, &item));
    CHECK(napi_get_value_string_latin1(env, item, text, sizeof(text), &length));
    fuse_argv[i + 1] = strdup(text);
  }
  struct fuse_args args = FUSE_ARGS_INIT((int) count + 1, fuse_argv);

  binding_t *b = calloc(1, sizeof(binding_t));
  b->env = env;
  RECEIVE_BUFFER_BYTES = 256 * (size_t) getpagesize() + 4096;
  b->max_write = 1024 * 1024;
  b->max_readahead = 1024 * 1024;
  get_u32(env, argv[2], "maxWrite", &b->max_write);
  get_u32(env, argv[2], "maxReadahead", &b->max_readahead);
  get_u32(env, argv[2], "maxBackground", &b->max_background);
  b->writeback_cache = get_bool(env, argv[2], "writebackCache");
  napi_value names;
  bool has_names = false;
  if (napi_has_named_property(env, argv[2], "shortcutXattrs", &has_names) == napi_ok && has_names
      && napi_get_named_property(env, argv[2], "shortcutXattrs", &names) == napi_ok) {
    uint32_t name_count = 0;
    napi_get_array_length(env, names, &name_count);
    if (name_count > 32) name_count = 32;
    b->shortcut_names = calloc(name_count ? name_count : 1, sizeof(char *));
    for (uint32_t i = 0; i < name_count; i++) {
      napi_value item;
      char text[256];
      size_t text_length = 0;
      napi_get_element(env, names, i, &item);
      if (napi_get_value_string_latin1(env, item, text, sizeof(text), &text_length) != napi_ok) text[0] = '\0';
      b->shortcut_names[b->shortcut_count++] = strdup(text);
    }
  }
  b->se = fuse_session_new(&args, &OPS, sizeof(OPS), b);
  fuse_opt_free_args(&args);
  for (uint32_t i = 0; i <= count; i++) free(fuse_argv[i]);
  free(fuse_argv);
  if (b->se == NULL) {
    free(b);
    napi_throw_error(env, "EINVAL", "libfuse refused the mount options");
    return NULL;
  }
  if (fuse_session_mount(b->se, mountpoint) != 0) {
    fuse_session_destroy(b->se);
    free(b);
    napi_throw_error(env, "EIO", "libfuse could not mount (see the lines it printed)");
    return NULL;
  }
  CHECK(napi_create_reference(env, argv[3], 1, &b->dispatch));
  CHECK(napi_create_reference(env, argv[4], 1, &b->on_exit));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_async_init(loop, &b->exited, notify_exited);
  b->exited.data = b;
  // The exit notice alone does not keep the process alive; watching the device does, while
  // mounted, until JavaScript lets go of it (unref).
  uv_unref((uv_handle_t *) &b->exited);

  napi_value result, args_buffer, attr_buffer, args_array, attr_array;
  void *args_data, *attr_data;
  CHECK(napi_create_arraybuffer(env, A_COUNT * sizeof(double), &args_data, &args_buffer));
  CHECK(napi_create_arraybuffer(env, T_COUNT * sizeof(double), &attr_data, &attr_buffer));
  CHECK(napi_create_typedarray(env, napi_float64_array, A_COUNT, args_buffer, 0, &args_array));
  CHECK(napi_create_typedarray(env, napi_float64_array, T_COUNT, attr_buffer, 0, &attr_array));
  CHECK(napi_create_reference(env, args_array, 1, &b->args_ref));
  CHECK(napi_create_reference(env, attr_array, 1, &b->attr_ref));
  b->args = args_data;
  b->attr = attr_data;
  the_binding = b;

  int fd = fuse_session_fd(b->se);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (uv_poll_init(loop, &b->device, fd) != 0 || uv_poll_start(&b->device, UV_READABLE, on_device_readable) != 0) {
    napi_throw_error(env, "EIO", "cannot watch the FUSE device");
    return NULL;
  }
  b->device.data = b;
  uv_idle_init(loop, &b->awake);
  b->awake.data = b;
  // Staying awake does not keep the process alive.
  uv_unref((uv_handle_t *) &b->awake);
  // Without its reading threads, the binding hands every read to JavaScript.
  direct_reads_start(loop, read_given_back, b->max_readahead);
  b->serving = true;
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "args", args_array));
  CHECK(napi_set_named_property(env, result, "attr", attr_array));
  return result;
}

// destroy(): after onExit, frees the session; requests still held are dropped unanswered.
static void destroy_session(napi_env env, binding_t *b);

static napi_value destroy_js(napi_env env, napi_callback_info info) {
  binding_t *b = the_binding;
  if (b == NULL || b->serving) return NULL;
  if (b->replies_in_flight > 0) {
    b->destroy_pending = true;
    return NULL;
  }
  destroy_session(env, b);
  return NULL;
}

static void destroy_session(napi_env env, binding_t *b) {
  b->destroyed = true;
  for (uint32_t id = 0; id < b->slot_count; id++) {
    if (b->slots[id]) free_request(b->slots[id]);
    b->slots[id] = NULL;
  }
  direct_reads_stop();
  fuse_session_unmount(b->se);
  fuse_session_destroy(b->se);
  uv_close((uv_handle_t *) &b->exited, NULL);
  uv_close((uv_handle_t *) &b->device, NULL);
  uv_close((uv_handle_t *) &b->awake, NULL);
  napi_delete_reference(env, b->dispatch);
  napi_delete_reference(env, b->on_exit);
  napi_delete_reference(env, b->args_ref);
  napi_delete_reference(env, b->attr_ref);
  the_binding = NULL;
  // b itself and the slot tables are left: a uv handle closes on the next loop turn.
}

static binding_t *binding_or_throw(napi_env env) {
  if (the_binding == NULL || the_binding->destroyed) napi_throw_error(env, "ENOTCONN", "no filesystem is mounted");
  return the_binding;
}

#define REPLY_PROLOGUE(n) \
  size_t argc = n; \
  napi_value argv[n > 0 ? n : 1]; \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL)); \
  binding_t *b = binding_or_throw(env); \
  if (b == NULL) return NULL; \
  uint32_t id; \
  CHECK(napi_get_value_uint32(env, argv[0], &id));

static napi_value answered(napi_env env, int status) {
  napi_value result;
  napi_get_boolean(env, status == 0, &result);
  return result;
}

// The request `id` names, taken for its reply; a request answered already (it timed out) returns false.
#define TAKE_REQUEST(r) \
  request_t *r = take_request(b, id); \
  if (r == NULL) return answered(env, -1);

// Frees a request once its reply (status) went out, and says whether it did.
static napi_value finish(napi_env env, request_t *r, int status) {
  free_request(r);
  return answered(env, status);
}

// The one 32-bit integer argument of a call (a bit mask comes back as its bits).
static bool only_int32(napi_env env, napi_callback_info info, int32_t *out) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return false;
  return napi_get_value_int32(env, argv[0], out) == napi_ok;
}

// releaseReceiveBuffer(index): a dispatched write is done with the receive buffer its bytes are
// in (args[DATA_BUFFER]); another request may be read into it.
static napi_value release_receive_buffer_js(napi_env env, napi_callback_info info) {
  int32_t index;
  if (only_int32(env, info, &index) && index >= 0 && index < RECEIVE_BUFFERS) give_receive_buffer(index);
  return NULL;
}

// replyErr(id, errno): false when the request was answered already (it timed out).
static napi_value reply_err_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(2)
  int32_t error;
  CHECK(napi_get_value_int32(env, argv[1], &error));
  TAKE_REQUEST(r)
  return finish(env, r, fuse_reply_err(r->req, error));
}

static void attr_to_stat(const double *t, struct stat *st) {
  memset(st, 0, sizeof(*st));
  st->st_ino = (ino_t) t[T_INO];
  st->st_mode = (mode_t) t[T_MODE];
  st->st_nlink = (nlink_t) t[T_NLINK];
  st->st_uid = (uid_t) t[T_UID];
  st->st_gid = (gid_t) t[T_GID];
  st->st_rdev = (dev_t) t[T_RDEV];
  st->st_size = (off_t) t[T_SIZE];
  st->st_blocks = (blkcnt_t) t[T_BLOCKS];
  st->st_blksize = (blksize_t) t[T_BLKSIZE];
  st->st_atim.tv_sec = (time_t) t[T_ATIME_S];
  st->st_atim.tv_nsec = (long) t[T_ATIME_NS];
  st->st_mtim.tv_sec = (time_t) t[T_MTIME_S];
  st->st_mtim.tv_nsec = (long) t[T_MTIME_NS];
  st->st_ctim.tv_sec = (time_t) t[T_CTIME_S];
  st->st_ctim.tv_nsec = (long) t[T_CTIME_NS];
}

static void attr_to_entry(const double *t, struct fuse_entry_param *e) {
  memset(e, 0, sizeof(*e));
  e->ino = (fuse_ino_t) t[T_INO];
  e->generation = (uint64_t) t[T_GENERATION];
  e->entry_timeout = t[T_ENTRY_TIMEOUT];
  e->attr_timeout = t[T_ATTR_TIMEOUT];
  attr_to_stat(t, &e->attr);
}

// replyEntry(id): the entry in `attr` (ino 0: a negative entry, cached for its entry timeout).
static napi_value reply_entry_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(1)
  TAKE_REQUEST(r)
  struct fuse_entry_param e;
  attr_to_entry(b->attr, &e);
  return finish(env, r, fuse_reply_entry(r->req, &e));
}

// replyAttr(id): the attributes in `attr`, cached for its attribute timeout.
static napi_value reply_attr_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(1)
  TAKE_REQUEST(r)
  struct stat st;
  attr_to_stat(b->attr, &st);
  return finish(env, r, fuse_reply_attr(r->req, &st, b->attr[T_ATTR_TIMEOUT]));
}

// The open file of a replyOpen or replyCreate (id, fh, flags): flags 1 direct_io, 2 keep_cache,
// 4 cache_readdir. False when the arguments are wrong (an exception is then pending).
static bool open_file_of(napi_env env, napi_value *argv, struct fuse_file_info *fi) {
  double fh;
  uint32_t flags;
  if (napi_get_value_double(env, argv[1], &fh) != napi_ok || napi_get_value_uint32(env, argv[2], &flags) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected (id, fh, flags)");
    return false;
  }
  memset(fi, 0, sizeof(*fi));
  fi->fh = (uint64_t) fh;
  fi->direct_io = (flags & 1) != 0;
  fi->keep_cache = (flags & 2) != 0;
  fi->cache_readdir = (flags & 4) != 0;
  return true;
}

static napi_value reply_open_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(3)
  struct fuse_file_info fi;
  if (!open_file_of(env, argv, &fi)) return NULL;
  TAKE_REQUEST(r)
  return finish(env, r, fuse_reply_open(r->req, &fi));
}

// replyCreate(id, fh, flags): the new entry in `attr`, opened as fh.
static napi_value reply_create_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(3)
  struct fuse_file_info fi;
  if (!open_file_of(env, argv, &fi)) return NULL;
  TAKE_REQUEST(r)
  struct fuse_entry_param e;
  attr_to_entry(b->attr, &e);
  fi.flags = (int) r->args[A_FLAGS];
  return finish(env, r, fuse_reply_create(r->req, &e, &fi));
}

// The bytes (buffer, offset, length) of a reply's arguments argv[1..3]; false, with an exception
// pending, when they are not a buffer and a range inside it.
static bool reply_bytes(napi_env env, napi_value *argv, const char **bytes, uint32_t *count) {
  char *data = NULL;
  size_t data_length = 0;
  uint32_t offset;
  if (napi_get_buffer_info(env, argv[1], (void **) &data, &data_length) != napi_ok
      || napi_get_value_uint32(env, argv[2], &offset) != napi_ok || napi_get_value_uint32(env, argv[3], count) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected (id, buffer, offset, length)");
    return false;
  }
  if ((size_t) offset + *count > data_length) {
    napi_throw_range_error(env, NULL, "offset and length lie past the buffer");
    return false;
  }
  *bytes = data + offset;
  return true;
}

// replyBuf(id, buffer, offset, length): the bytes are copied into the reply before it returns.
static napi_value reply_buf_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(4)
  const char *bytes;
  uint32_t count;
  if (!reply_bytes(env, argv, &bytes, &count)) return NULL;
  TAKE_REQUEST(r)
  return finish(env, r, fuse_reply_buf(r->req, bytes, count));
}

// A read's bytes copied into the kernel on one of libuv's threads, off the serving thread: a
// megabyte copied there was the serving thread's largest cost in a sequential read.
typedef struct {
  napi_async_work work;
  napi_ref buffer;
  napi_ref done;
  request_t *r;
  const char *bytes;
  size_t count;
} reply_job_t;

static void reply_job_execute(napi_env env, void *data) {
  reply_job_t *job = data;
  fuse_reply_buf(job->r->req, job->bytes, job->count);
}

static void reply_job_complete(napi_env env, napi_status status, void *data) {
  reply_job_t *job = data;
  binding_t *b = the_binding;
  free_request(job->r);
  napi_value done, global, result;
  napi_get_reference_value(env, job->done, &done);
  napi_get_global(env, &global);
  napi_delete_reference(env, job->buffer);
  napi_delete_reference(env, job->done);
  napi_delete_async_work(env, job->work);
  free(job);
  if (b) {
    b->replies_in_flight--;
    if (b->destroy_pending && b->replies_in_flight == 0) destroy_session(env, b);
  }
  if (napi_call_function(env, global, done, 0, NULL, &result) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

// replyBufLater(id, buffer, offset, length, done): as replyBuf, the bytes copied on another
// thread; done() once they are (the buffer must not change until then). False, and no done(),
// when the request was answered already.
static napi_value reply_buf_later_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(5)
  const char *bytes;
  uint32_t count;
  if (!reply_bytes(env, argv, &bytes, &count)) return NULL;
  TAKE_REQUEST(r)
  reply_job_t *job = calloc(1, sizeof(reply_job_t));
  job->r = r;
  job->bytes = bytes;
  job->count = count;
  napi_value name;
  CHECK(napi_create_reference(env, argv[1], 1, &job->buffer));
  CHECK(napi_create_reference(env, argv[4], 1, &job->done));
  CHECK(napi_create_string_utf8(env, "shmr-fuse-reply", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_async_work(env, NULL, name, reply_job_execute, reply_job_complete, job, &job->work));
  CHECK(napi_queue_async_work(env, job->work));
  b->replies_in_flight++;
  return answered(env, 0);
}

// A reply of one count, (id, count): replyWrite's bytes written, replyXattrSize's size probe.
static napi_value reply_count(napi_env env, napi_callback_info info, int (*reply)(fuse_req_t, size_t)) {
  REPLY_PROLOGUE(2)
  uint32_t count;
  CHECK(napi_get_value_uint32(env, argv[1], &count));
  TAKE_REQUEST(r)
  return finish(env, r, reply(r->req, count));
}

static napi_value reply_write_js(napi_env env, napi_callback_info info) {
  return reply_count(env, info, fuse_reply_write);
}

static napi_value reply_xattr_size_js(napi_env env, napi_callback_info info) {
  return reply_count(env, info, fuse_reply_xattr);
}

// replyReadlink(id, target)
static napi_value reply_readlink_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(2)
  char target[4097];
  size_t length;
  CHECK(napi_get_value_string_latin1(env, argv[1], target, sizeof(target), &length));
  TAKE_REQUEST(r)
  return finish(env, r, fuse_reply_readlink(r->req, target));
}

// replyStatfs(id, [bsize, frsize, blocks, bfree, bavail, files, ffree, favail, namemax])
static napi_value reply_statfs_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(2)
  double values[9];
  for (uint32_t i = 0; i < 9; i++) {
    napi_value item;
    CHECK(napi_get_element(env, argv[1], i, &item));
    CHECK(napi_get_value_double(env, item, &values[i]));
  }
  TAKE_REQUEST(r)
  struct statvfs st;
  memset(&st, 0, sizeof(st));
  st.f_bsize = (unsigned long) values[0];
  st.f_frsize = (unsigned long) values[1];
  st.f_blocks = (fsblkcnt_t) values[2];
  st.f_bfree = (fsblkcnt_t) values[3];
  st.f_bavail = (fsblkcnt_t) values[4];
  st.f_files = (fsfilcnt_t) values[5];
  st.f_ffree = (fsfilcnt_t) values[6];
  st.f_favail = (fsfilcnt_t) values[7];
  st.f_namemax = (unsigned long) values[8];
  return finish(env, r, fuse_reply_statfs(r->req, &st));
}

// replyLseek(id, offset)
static napi_value reply_lseek_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(2)
  double offset;
  CHECK(napi_get_value_double(env, argv[1], &offset));
  TAKE_REQUEST(r)
  return finish(env, r, fuse_reply_lseek(r->req, (off_t) offset));
}

// direntsAdd(id, name, nextOffset, plus): adds an entry to a readdir reply (its inode and mode,
// or for readdirplus every attribute and the timeouts, from `attr`); false when it does not fit.
static napi_value dirents_add_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(4)
  char name[1024];
  size_t length;
  double next;
  bool plus;
  CHECK(napi_get_value_string_latin1(env, argv[1], name, sizeof(name), &length));
  CHECK(napi_get_value_double(env, argv[2], &next));
  CHECK(napi_get_value_bool(env, argv[3], &plus));
  request_t *r = peek_request(b, id);
  napi_value result;
  if (r == NULL) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  if (r->dirents == NULL) {
    r->dirents_size = (size_t) r->args[A_SIZE];
    r->dirents = malloc(r->dirents_size ? r->dirents_size : 1);
    r->dirents_used = 0;
  }
  size_t room = r->dirents_size - r->dirents_used;
  size_t needed;
  if (plus) {
    struct fuse_entry_param e;
    attr_to_entry(b->attr, &e);
    needed = fuse_add_direntry_plus(r->req, r->dirents + r->dirents_used, room, name, &e, (off_t) next);
  } else {
    struct stat st;
    attr_to_stat(b->attr, &st);
    needed = fuse_add_direntry(r->req, r->dirents + r->dirents_used, room, name, &st, (off_t) next);
  }
  bool fits = needed <= room;
  if (fits) r->dirents_used += needed;
  napi_get_boolean(env, fits, &result);
  return result;
}

// replyDirents(id): the entries direntsAdd collected (none: the end of the directory).
static napi_value reply_dirents_js(napi_env env, napi_callback_info info) {
  REPLY_PROLOGUE(1)
  TAKE_REQUEST(r)
  return finish(env, r, fuse_reply_buf(r->req, r->dirents, r->dirents_used));
}

// invalidateInode(ino): the kernel drops its cached attributes of an inode.
static napi_value invalidate_inode_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  // Unmounted, the kernel keeps nothing to invalidate: blocks written out after the session ended
  // (files of a mount detached lazily, closed last) must not fail for it.
  binding_t *b = the_binding;
  if (b == NULL || b->destroyed) return answered(env, 0);
  double ino;
  CHECK(napi_get_value_double(env, argv[0], &ino));
  // A negative offset: the attributes only. Dropping pages could wait on a page lock that a read
  // this thread has yet to answer holds.
  return answered(env, fuse_lowlevel_notify_inval_inode(b->se, (fuse_ino_t) ino, -1, 0));
}

// unref(): the mount no longer keeps the process alive (a server that stopped while its mount,
// detached lazily, still has files open).
static napi_value unref_js(napi_env env, napi_callback_info info) {
  if (the_binding && !the_binding->destroyed) uv_unref((uv_handle_t *) &the_binding->device);
  return NULL;
}

// setAbsentXattrs(mask): bit i set while no file carries settings.shortcutXattrs[i].
static napi_value set_absent_xattrs_js(napi_env env, napi_callback_info info) {
  int32_t mask;
  if (only_int32(env, info, &mask) && the_binding) __atomic_store_n(&the_binding->absent_xattrs, (uint32_t) mask, __ATOMIC_RELEASE);
  return NULL;
}

static napi_value init_module(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"mount", NULL, mount_js, NULL, NULL, NULL, napi_default, NULL},
    {"destroy", NULL, destroy_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyErr", NULL, reply_err_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyEntry", NULL, reply_entry_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyAttr", NULL, reply_attr_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyOpen", NULL, reply_open_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyCreate", NULL, reply_create_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyBuf", NULL, reply_buf_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyBufLater", NULL, reply_buf_later_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyWrite", NULL, reply_write_js, NULL, NULL, NULL, napi_default, NULL},
    {"releaseReceiveBuffer", NULL, release_receive_buffer_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyXattrSize", NULL, reply_xattr_size_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyReadlink", NULL, reply_readlink_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyStatfs", NULL, reply_statfs_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyLseek", NULL, reply_lseek_js, NULL, NULL, NULL, napi_default, NULL},
    {"direntsAdd", NULL, dirents_add_js, NULL, NULL, NULL, napi_default, NULL},
    {"replyDirents", NULL, reply_dirents_js, NULL, NULL, NULL, napi_default, NULL},
    {"invalidateInode", NULL, invalidate_inode_js, NULL, NULL, NULL, napi_default, NULL},
    {"setAbsentXattrs", NULL, set_absent_xattrs_js, NULL, NULL, NULL, napi_default, NULL},
    {"unref", NULL, unref_js, NULL, NULL, NULL, napi_default, NULL},
    {"setReadPlan", NULL, direct_reads_set_plan_js, NULL, NULL, NULL, napi_default, NULL},
    {"dropReadPlan", NULL, direct_reads_drop_plan_js, NULL, NULL, NULL, napi_default, NULL},
    {"directReadCounts", NULL, direct_reads_counts_js, NULL, NULL, NULL, napi_default, NULL},
    {"directReadDriveBytes", NULL, direct_reads_drive_bytes_js, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init_module)
