// Trace capture's recorder: runs a command under ptrace and notes every path it
// opens, executes, stats, reads as a link or lists, in every process and thread it
// starts. A seccomp filter makes only those system calls stop the tracee (PRoot's
// acceleration), so everything else runs at full speed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace appv {

struct TraceResult {
  int status = 0;  // the command's exit status, shell-style (128+N if signal N killed it)
  // Absolute, lexically normalised paths (symlinks not resolved) -> the strongest way
  // the run used them: "exec" over "list" over "open" over "readlink" over "stat".
  std::map<std::string, std::string> used;
  std::map<std::string, std::string> written;  // opened for writing or created
  uint64_t stops = 0;                          // system calls that stopped the tracee
  uint64_t processes = 0;                      // processes and threads traced
};

// Runs argv (argv[0] looked up on the caller's PATH) with `env` (NAME=VALUE; nullopt:
// the caller's environment) in the caller's working directory, stdin/stdout/stderr
// inherited, and waits for it and every descendant. The traced processes share one
// CPU with the tracer while they run (see tracer.cpp). Throws Exit::Environment if
// ptrace or seccomp is refused here, Exit::NotFound if the program cannot be found.
TraceResult trace_command(const std::vector<std::string>& argv,
                          const std::optional<std::vector<std::string>>& env = std::nullopt);

}  // namespace appv
