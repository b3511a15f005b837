// Closing what a process inherited.
#pragma once

#include <vector>

namespace appv {

// Closes every descriptor from 3 up but those in `keep` (close_range(2), Linux 5.9).
// For a process that has just forked and must not keep what it inherited open.
void close_fds_except(std::vector<int> keep);

}  // namespace appv
