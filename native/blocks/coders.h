// Coding threads for the blocks addon: see coders.c.
#ifndef SHMR_CODERS_H
#define SHMR_CODERS_H

#include <node_api.h>
#include <stdbool.h>

// The addon's own thread pools besides libuv's: erasure coding, and everything of tasks that move
// data while the mount serves (at the idle I/O priority and nice 10).
typedef enum { LANE_CODING, LANE_BACKGROUND, LANE_COUNT } lane_t;

// `run(data)` on a thread of `lane`, then `done(env, data)` on the JavaScript thread. False when
// the pool cannot be had (the caller then uses libuv's pool).
bool coders_submit(napi_env env, lane_t lane, void (*run)(void *data), void (*done)(napi_env env, void *data), void *data);

#endif
