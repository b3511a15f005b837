// base/heap_prefault.h: the free top of the heap as large as asked, every page of it resident.
#include <malloc.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "base/heap_prefault.h"

TEST_CASE("prefault_heap leaves the free top of the heap as large as asked, every page resident") {
  // In a child: the allocator's settings it changes stay out of the other tests.
  int result[2];
  REQUIRE(::pipe(result) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    constexpr size_t kAsked = size_t{8} << 20;  // more than the test's heap has free
    appv::prefault_heap(kAsked);
    // -1: glibc's allocator is not the one in use (a sanitizer's replaces it); else the
    // pages of the free top not resident (mincore), or -2 if it is smaller than asked.
    long grown = -1;
    if (::mallinfo2().arena != 0) {
      const uintptr_t end = reinterpret_cast<uintptr_t>(::sbrk(0));
      const size_t top = ::mallinfo2().keepcost;
      const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
      const uintptr_t start = (end - top + page - 1) & ~(page - 1);
      std::vector<unsigned char> resident((end - start) / page);
      grown = top < kAsked ? -2 : 0;
      if (grown == 0 && ::mincore(reinterpret_cast<void*>(start), end - start, resident.data()) == 0) {
        for (unsigned char r : resident) grown += (r & 1) ? 0 : 1;
      }
    }
    (void)!::write(result[1], &grown, sizeof grown);
    ::_exit(0);
  }
  ::close(result[1]);
  long missing = 0;
  REQUIRE(::read(result[0], &missing, sizeof missing) == sizeof missing);
  ::close(result[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (missing == -1) {
    WARN("glibc's allocator is not in use here: prefault_heap does nothing, as documented");
  } else {
    CHECK(missing != -2);  // the free top is at least as large as asked
    CHECK(missing == 0);   // and no page of it is left to a fault
  }
}
