#include "base/heap_prefault.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <iterator>

namespace appv {

void prefault_heap(size_t bytes) {
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)
  if (::mallinfo2().arena == 0) return;  // another allocator (a sanitizer's) is in use
  // The heap's growths take `bytes` more than they need, and a free leaves the top of
  // the heap in place up to twice that. While the free top is smaller, blocks below
  // the size from which glibc maps memory of its own (128 KiB) are taken until the
  // heap has grown, then freed.
  ::mallopt(M_TOP_PAD, static_cast<int>(bytes));
  ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * bytes));
  if (::mallinfo2().keepcost < bytes) {
    void* const before = ::sbrk(0);
    void* taken[64];
    size_t n = 0;
    while (n < std::size(taken) && ::sbrk(0) == before) {
      taken[n] = ::malloc(64 << 10);
      if (!taken[n]) break;
      ++n;
    }
    while (n > 0) ::free(taken[--n]);
  }
  // The free top of the heap (keepcost: the top chunk's size), its pages made.
  const uintptr_t end = reinterpret_cast<uintptr_t>(::sbrk(0));
  const size_t top = ::mallinfo2().keepcost;
  if (top == 0 || top > end) return;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t start = (end - top + page - 1) & ~(page - 1);
  if (start < end) (void)::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE);
#else
  (void)bytes;
#endif
}

}  // namespace appv
