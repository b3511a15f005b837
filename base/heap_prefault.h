// The heap a launch uses, its pages made in one call instead of one fault each.
#pragma once

#include <cstddef>

namespace appv {

// Leaves at least `bytes` free at the top of the heap (glibc's main arena), growing it
// in one step if needed, and has the kernel make every page of that free top in one
// call (MADV_POPULATE_WRITE, Linux 5.14), where each page would otherwise cost a page
// fault at its first write. Later growths take `bytes` more than they need. A launch writes a few hundred
// KiB of heap (the plan, the tree index, the translator's caches); on a VM where a
// fault costs ~10 µs and a populated page ~1.3 µs that is about half a millisecond.
// Best effort: with another allocator (a sanitizer's), or a kernel without the advice,
// nothing is done.
void prefault_heap(size_t bytes);

}  // namespace appv
