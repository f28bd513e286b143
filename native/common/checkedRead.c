// Reads of block and shard files with their CRC32C checks (checkedRead.h), shared by both addons.
#define _GNU_SOURCE  // O_DIRECT
#include "checkedRead.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <isa-l/crc.h>

// ISA-L's CRC32C, loaded with RTLD_DEEPBIND: Node's own binary exports a `gf_mul` (from OpenSSL),
// and a libisal linked the ordinary way has its internal calls bound to Node's symbols. Deep
// binding makes the library resolve its symbols in itself first.
static __typeof__(crc32_iscsi) *isal_crc32_iscsi;

const char *crc32c_load(void) {
  if (isal_crc32_iscsi) return NULL;
  void *library = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!library) return dlerror();
  isal_crc32_iscsi = (__typeof__(isal_crc32_iscsi)) dlsym(library, "crc32_iscsi");
  return isal_crc32_iscsi ? NULL : "libisal.so.2 lacks crc32_iscsi";
}

// crc32_iscsi works on the uninverted register, and takes an int length: long inputs go in pieces.
uint32_t crc32c(uint32_t previous, const uint8_t *bytes, size_t length) {
  uint32_t crc = ~previous;
  while (length > 0) {
    int piece = length > (1u << 30) ? (1 << 30) : (int) length;
    crc = isal_crc32_iscsi((unsigned char *) bytes, piece, crc);
    bytes += piece;
    length -= (size_t) piece;
  }
  return ~crc;
}

// Block and shard files are read and written with O_DIRECT where the buffer allows it: shmr keeps
// its own block cache, so the page cache would hold every byte a second time, and the kernel's
// copy into and out of it was most of the serving process's CPU (1 GiB through dd here: 0.6-1.4 s
// of system time buffered, 0.1 s direct). The aligned bulk goes direct, a tail that is not a
// multiple of DIRECT_ALIGN through the page cache; a filesystem without O_DIRECT (tmpfs, some
// FUSE ones) or with a larger alignment falls back to buffered I/O.
static bool is_aligned(const void *pointer, size_t offset) {
  return ((uintptr_t) pointer % DIRECT_ALIGN) == 0 && offset % DIRECT_ALIGN == 0;
}

// Opens a file, with O_DIRECT when `try_direct` and the filesystem takes it.
static int open_direct_if(const char *path, int flags, mode_t mode, bool try_direct, bool *direct) {
  *direct = try_direct;
  if (*direct) {
    int fd = open(path, flags | O_DIRECT, mode);
    if (fd >= 0 || errno != EINVAL) return fd;
    *direct = false;
  }
  return open(path, flags, mode);
}

int open_for(const char *path, int flags, unsigned mode, const uint8_t *bytes, size_t length, bool *direct) {
  return open_direct_if(path, flags, (mode_t) mode, is_aligned(bytes, 0) && length >= DIRECT_ALIGN, direct);
}

int open_sized(const char *path, uint64_t file_length, bool try_direct, bool *direct, int32_t *status) {
  int fd = open_direct_if(path, O_RDONLY | O_CLOEXEC, 0, try_direct, direct);
  if (fd < 0) {
    *status = errno;
    return -1;
  }
  struct stat st;
  *status = fstat(fd, &st) != 0 ? errno : (uint64_t) st.st_size != file_length ? STATUS_WRONG_SIZE : 0;
  if (*status == 0) return fd;
  close(fd);
  return -1;
}

static void stop_direct(int fd, bool *direct) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_DIRECT);
  *direct = false;
}

int32_t transfer(int fd, uint8_t *bytes, size_t length, uint64_t base, bool writing, bool direct) {
  size_t done = 0;
  while (done < length) {
    size_t chunk = length - done;
    if (direct && (chunk < DIRECT_ALIGN || !is_aligned(bytes + done, base + done))) stop_direct(fd, &direct);
    if (direct) chunk -= chunk % DIRECT_ALIGN;
    ssize_t moved = writing ? pwrite(fd, bytes + done, chunk, (off_t) (base + done)) : pread(fd, bytes + done, chunk, (off_t) (base + done));
    if (moved < 0 && errno == EINTR) continue;
    if (moved < 0 && errno == EINVAL && direct) {  // the device wants a larger alignment
      stop_direct(fd, &direct);
      continue;
    }
    if (moved < 0) return errno;
    if (moved == 0) return writing ? EIO : STATUS_WRONG_SIZE;
    done += (size_t) moved;
  }
  return 0;
}

int32_t transfer_paced(int fd, uint8_t *bytes, size_t length, uint64_t base, bool writing, bool direct, pace_t pace) {
  if (!pace) return transfer(fd, bytes, length, base, writing, direct);
  for (size_t done = 0; done < length; done += PACE_PIECE_BYTES) {
    pace();
    size_t piece = length - done < PACE_PIECE_BYTES ? length - done : PACE_PIECE_BYTES;
    int32_t status = transfer(fd, bytes + done, piece, base + done, writing, direct);
    if (status != 0) return status;
  }
  return 0;
}

int32_t read_range(const char *path, uint8_t *data, size_t length, uint64_t offset, uint64_t file_length, pace_t pace) {
  bool direct;
  int32_t status;
  int fd = open_sized(path, file_length, is_aligned(data, 0) && length >= DIRECT_ALIGN, &direct, &status);
  if (fd < 0) return status;
  status = transfer_paced(fd, data, length, offset, false, direct, pace);
  close(fd);
  return status;
}

// The chunk sum k of `sums` (4 little-endian bytes each).
static uint32_t chunk_sum(const uint8_t *sums, size_t k) {
  return (uint32_t) sums[4 * k] | (uint32_t) sums[4 * k + 1] << 8 | (uint32_t) sums[4 * k + 2] << 16 | (uint32_t) sums[4 * k + 3] << 24;
}

int32_t check_chunks(const uint8_t *data, size_t length, const uint8_t *sums, size_t chunk_bytes) {
  for (size_t start = 0, k = 0; start < length; start += chunk_bytes, k++) {
    size_t piece = length - start < chunk_bytes ? length - start : chunk_bytes;
    if (crc32c(0, data + start, piece) != chunk_sum(sums, k)) return STATUS_CHECKSUM_MISMATCH;
  }
  return 0;
}

int32_t read_chunks_checked(const char *path, uint8_t *data, size_t length, uint64_t offset, uint64_t file_length,
                            const uint8_t *sums, size_t chunk_bytes, pace_t pace) {
  int32_t status = read_range(path, data, length, offset, file_length, pace);
  return status != 0 ? status : check_chunks(data, length, sums, chunk_bytes);
}
