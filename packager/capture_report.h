// The capture report written beside a package made by trace or install capture: every
// file packed with the reason it was included, every path left out with the rule that
// left it out, plus sizes. Text for people, JSON for tools.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "packager/file_set.h"

namespace appv {

struct CaptureReport {
  std::string kind;                  // "trace" or "install"
  std::vector<std::string> command;  // what ran (trace: the first run)
  int status = 0;                    // its exit status (trace: the first failing run's, else 0)
  struct Run {                       // trace: each traced run, in order (numbered from 1)
    std::vector<std::string> command;
    int status = 0;
    uint64_t processes = 0, stops = 0;
    std::string profile;  // the fresh HOME it ran with, "" in the user's own profile
  };
  std::vector<Run> runs;
  std::string package;               // the package written, "" if none
  std::string why_no_package;        // when `package` is ""
  std::vector<std::string> entry_points;
  struct Included {
    std::string path;
    std::string category;  // traced, installed, family, closure, manifest, generated
    std::string reason;
    std::string kind;      // file, dir, symlink
    uint64_t bytes = 0;
    std::vector<int> runs;  // traced: the runs that used it
  };
  struct Excluded {
    std::string path;
    std::string rule;
  };
  std::vector<Included> included;
  std::vector<Excluded> excluded;
  std::vector<std::string> unresolved;
  std::vector<std::string> hidden;  // install: host paths the installer deleted, hidden by the package
  uint64_t stops = 0;      // trace: system calls that stopped the tracee, every run
  uint64_t processes = 0;  // trace: processes and threads followed, every run
};

// The report's `included` from a file set's entries (category from each reason).
void fill_included(CaptureReport& report, const FileSet& files);

std::string report_text(const CaptureReport& report);
std::string report_json(const CaptureReport& report);

// Writes `text` to `path` atomically. Throws Exit::Io.
void write_report(const std::string& path, const std::string& text);

}  // namespace appv
