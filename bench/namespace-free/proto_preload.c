// Prototype (c): an LD_PRELOAD interposer rewriting a path prefix in-process.
// APPV_FROM / APPV_TO name the prefix and its replacement.
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *from, *to;
static size_t from_len, to_len;

__attribute__((constructor)) static void init(void) {
  from = getenv("APPV_FROM"), to = getenv("APPV_TO");
  if (from && to) from_len = strlen(from), to_len = strlen(to);
}

static const char* tr(const char* p, char* buf) {
  if (!from_len || !p || strncmp(p, from, from_len) != 0 || (p[from_len] && p[from_len] != '/')) return p;
  size_t rest = strlen(p + from_len);
  if (to_len + rest + 1 > 4096) return p;
  memcpy(buf, to, to_len);
  memcpy(buf + to_len, p + from_len, rest + 1);
  return buf;
}

#define REAL(name) static __typeof__(name)* real_##name; if (!real_##name) real_##name = dlsym(RTLD_NEXT, #name)

int open(const char* p, int flags, ...) {
  REAL(open); char b[4096]; va_list ap; va_start(ap, flags); int mode = va_arg(ap, int); va_end(ap);
  return real_open(tr(p, b), flags, mode);
}
int open64(const char* p, int flags, ...) {
  REAL(open64); char b[4096]; va_list ap; va_start(ap, flags); int mode = va_arg(ap, int); va_end(ap);
  return real_open64(tr(p, b), flags, mode);
}
int openat(int d, const char* p, int flags, ...) {
  REAL(openat); char b[4096]; va_list ap; va_start(ap, flags); int mode = va_arg(ap, int); va_end(ap);
  return real_openat(d, tr(p, b), flags, mode);
}
int openat64(int d, const char* p, int flags, ...) {
  REAL(openat64); char b[4096]; va_list ap; va_start(ap, flags); int mode = va_arg(ap, int); va_end(ap);
  return real_openat64(d, tr(p, b), flags, mode);
}
int stat(const char* p, struct stat* s) { REAL(stat); char b[4096]; return real_stat(tr(p, b), s); }
int stat64(const char* p, struct stat64* s) { REAL(stat64); char b[4096]; return real_stat64(tr(p, b), s); }
int lstat(const char* p, struct stat* s) { REAL(lstat); char b[4096]; return real_lstat(tr(p, b), s); }
int lstat64(const char* p, struct stat64* s) { REAL(lstat64); char b[4096]; return real_lstat64(tr(p, b), s); }
int fstatat(int d, const char* p, struct stat* s, int f) { REAL(fstatat); char b[4096]; return real_fstatat(d, tr(p, b), s, f); }
int fstatat64(int d, const char* p, struct stat64* s, int f) { REAL(fstatat64); char b[4096]; return real_fstatat64(d, tr(p, b), s, f); }
int access(const char* p, int m) { REAL(access); char b[4096]; return real_access(tr(p, b), m); }
int faccessat(int d, const char* p, int m, int f) { REAL(faccessat); char b[4096]; return real_faccessat(d, tr(p, b), m, f); }
ssize_t readlink(const char* p, char* o, size_t n) { REAL(readlink); char b[4096]; return real_readlink(tr(p, b), o, n); }
DIR* opendir(const char* p) { REAL(opendir); char b[4096]; return real_opendir(tr(p, b)); }
FILE* fopen(const char* p, const char* m) { REAL(fopen); char b[4096]; return real_fopen(tr(p, b), m); }
FILE* fopen64(const char* p, const char* m) { REAL(fopen64); char b[4096]; return real_fopen64(tr(p, b), m); }

