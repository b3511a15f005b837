// Taking a sandbox for a launch or for a change made from outside the app.
#pragma once

#include <string>

#include "base/unique_fd.h"

namespace appv::cli {

// Creates the sandbox (private, 0700) if needed and takes its lock: launches of one
// app enter its view one at a time, and `sandbox reset`/`import` and `registry set`
// wait for a launch in progress. The fd is close-on-exec.
UniqueFd lock_sandbox(const std::string& sandbox);

// lock_sandbox, then refuses (Exit::Busy) if the app is running: its overlay is
// mounted on the sandbox, and changing an upper directory under a mounted overlay
// is undefined behaviour. `doing` names the request in the message.
UniqueFd lock_stopped_sandbox(const std::string& sandbox, const std::string& app, const std::string& doing);

}  // namespace appv::cli
