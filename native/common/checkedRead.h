// Reads of block and shard files with their CRC32C checks, shared by shmr's two addons: the blocks
// addon (jobs JavaScript starts) and the FUSE binding (reads it answers itself, directReads.c).
#ifndef SHMR_CHECKED_READ_H
#define SHMR_CHECKED_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Outcomes besides an errno (which is positive): a file of the wrong size, or whose CRC32C differs.
#define STATUS_WRONG_SIZE (-1)
#define STATUS_CHECKSUM_MISMATCH (-2)

// Block and shard files are read and written with O_DIRECT where the buffer allows it (see
// checkedRead.c). DIRECT_ALIGN is the largest logical block size of common devices.
#define DIRECT_ALIGN 4096

// Loads ISA-L's CRC32C (libisal.so.2, deep-bound: see checkedRead.c); NULL, or what went wrong.
const char *crc32c_load(void);

// CRC32C continuing from a previous CRC32C (0 to start).
uint32_t crc32c(uint32_t previous, const uint8_t *bytes, size_t length);

// Opens `path` with `flags`, with O_DIRECT when `bytes` of `length` can use it and the
// filesystem takes it; *direct says which.
int open_for(const char *path, int flags, unsigned mode, const uint8_t *bytes, size_t length, bool *direct);

// Opens `path` for reading, with O_DIRECT when `try_direct` and the filesystem takes it (*direct
// says which), and checks that it is file_length bytes long: the descriptor, or -1 with *status
// an errno or STATUS_WRONG_SIZE.
int open_sized(const char *path, uint64_t file_length, bool try_direct, bool *direct, int32_t *status);

// Moves bytes[0, length) to or from the file's [base, base + length): 0, an errno, or
// STATUS_WRONG_SIZE when a read meets the end of the file early.
int32_t transfer(int fd, uint8_t *bytes, size_t length, uint64_t base, bool writing, bool direct);

// Called before each PACE_PIECE_BYTES a paced transfer moves; it may sleep (a task's I/O giving
// way to the mount, native/blocks/blocks.c). NULL: no pacing, the transfer goes whole.
typedef void (*pace_t)(void);
#define PACE_PIECE_BYTES ((size_t) 1 << 20)

// transfer(), with `pace` called before each PACE_PIECE_BYTES (or whole when `pace` is NULL).
int32_t transfer_paced(int fd, uint8_t *bytes, size_t length, uint64_t base, bool writing, bool direct, pace_t pace);

// Reads the file's [offset, offset + length) into data, paced by `pace` (may be NULL); the file
// must be file_length bytes long.
int32_t read_range(const char *path, uint8_t *data, size_t length, uint64_t offset, uint64_t file_length, pace_t pace);

// Checks data[0, length), chunk by chunk from a chunk boundary, against sums (sums[0] the first
// chunk's): 0 or STATUS_CHECKSUM_MISMATCH.
int32_t check_chunks(const uint8_t *data, size_t length, const uint8_t *sums, size_t chunk_bytes);

// Reads the chunks of a file that data[0, length) covers, from `offset` (a chunk boundary), and
// checks each against its CRC32C in sums (sums[0] is the first chunk read's); the file must be
// file_length bytes long, paced by `pace` (may be NULL). 0, an errno or a STATUS_.
int32_t read_chunks_checked(const char *path, uint8_t *data, size_t length, uint64_t offset, uint64_t file_length,
                            const uint8_t *sums, size_t chunk_bytes, pace_t pace);

#endif
