// Reads the binding answers itself, on threads of its own, without JavaScript (directReads.c).
#ifndef SHMR_DIRECT_READS_H
#define SHMR_DIRECT_READS_H

#include <stdbool.h>
#include <stdint.h>

#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>
#include <node_api.h>
#include <uv.h>

// A read the reading threads gave back (a file gone, a bad chunk, a read error): JavaScript
// answers it as any other, and reports what it finds. Called on the main thread.
typedef void (*direct_read_fallback_t)(fuse_req_t req, fuse_ino_t ino, uint64_t fh, size_t size, off_t off);

// Starts the reading threads; false when they cannot be started (reads then all go to JavaScript).
// sequential_window: the kernel's read-ahead, within which a read counts as a sequential reader's.
bool direct_reads_start(uv_loop_t *loop, direct_read_fallback_t fallback, uint64_t sequential_window);

// Before the session is destroyed: waits for the reads under way, and gives back those queued.
void direct_reads_stop(void);

// What direct_read_take did with a read.
typedef enum {
  DIRECT_READ_NOT_TAKEN,  // JavaScript must answer it
  DIRECT_READ_ANSWERED,   // answered already, from the page cache (on the calling thread)
  DIRECT_READ_HANDED,     // a reading thread answers it
} direct_read_t;

// On the main thread, for each read request: taken when the file has a read plan covering it, and
// the read is not a sequential reader's next (which JavaScript's cache and read-ahead serve better).
direct_read_t direct_read_take(fuse_req_t req, fuse_ino_t ino, uint64_t fh, size_t size, off_t off);

// setReadPlan(ino, plan: Buffer), dropReadPlan(ino), directReadCounts(): [reads, bytes],
// directReadDriveBytes(): [drive id, bytes, ...] for each drive read from.
napi_value direct_reads_set_plan_js(napi_env env, napi_callback_info info);
napi_value direct_reads_drop_plan_js(napi_env env, napi_callback_info info);
napi_value direct_reads_counts_js(napi_env env, napi_callback_info info);
napi_value direct_reads_drive_bytes_js(napi_env env, napi_callback_info info);

#endif
