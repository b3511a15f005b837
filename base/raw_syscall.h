// System calls made without glibc's wrappers: each returns the kernel's answer as is
// (a result, or -errno) and leaves errno alone. For code that runs where errno is not
// its own: a child cloned with CLONE_VM shares its parent's memory, thread-local
// storage included, and an errno it set could be read by the parent as its own.
#pragma once

// Marks a function such a child runs: not instrumented by the sanitizers, whose runtime
// keeps per-thread state the child would share with its parent.
#define APPV_CLONE_VM_CHILD __attribute__((no_sanitize("address", "undefined")))

namespace appv {

inline long raw_syscall(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
#if defined(__x86_64__)
  long ret;
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  register long r9 asm("r9") = f;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 asm("x8") = nr;
  register long x0 asm("x0") = a;
  register long x1 asm("x1") = b;
  register long x2 asm("x2") = c;
  register long x3 asm("x3") = d;
  register long x4 asm("x4") = e;
  register long x5 asm("x5") = f;
  asm volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
#else
#error "raw_syscall: no system call sequence for this architecture"
#endif
}

}  // namespace appv
