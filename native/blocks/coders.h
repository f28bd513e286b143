// Coding threads for the blocks addon: see coders.c.
#ifndef SHMR_CODERS_H
#define SHMR_CODERS_H

#include <node_api.h>
#include <stdbool.h>

// `run(data)` on a coding thread, then `done(env, data)` on the JavaScript thread. False when the
// pool cannot be had (the caller then uses libuv's pool).
bool coders_submit(napi_env env, void (*run)(void *data), void (*done)(napi_env env, void *data), void *data);

#endif
