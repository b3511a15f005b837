// `appv pack`: from a manifest (or programs named on the command line) to a package.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/reporter.h"
#include "manifests/manifest.h"

namespace appv {

struct PackOptions {
  std::string output;
  bool strict = false;           // unresolved libraries fail the pack
  std::optional<int64_t> source_date_epoch;  // clamps file times, sets all others (else 0)
  int compression_level = 3;
  std::string stub;              // runtime stub to put in front (self-executing package)
  std::function<void(const std::string&)> progress;  // one line per phase, may be empty
  Reporter* reporter = nullptr;  // how writing the package goes (vfs WriteOptions::reporter); may be null
  bool report_only = false;      // capture: decide every file, write the report, but no package
};

struct PackSummary {
  size_t entries = 0;
  uint64_t unpacked_bytes = 0;
  uint64_t package_bytes = 0;
  size_t excluded = 0;
  std::string digest;
  std::vector<std::string> unresolved;
  std::vector<std::string> warnings;
};

// A manifest for `appv pack PROGRAM...`: id `id` (default: the first program's file
// name) and name the id, version `version` (default "0"), one entry point per
// program. Programs given without '/' are looked up on PATH. Throws Exit::Usage for
// an id that is not one.
Manifest manifest_for_programs(const std::vector<std::string>& programs, const std::string& version,
                               const std::string& id = "");

// Captures the manifest's entry points (closure) and includes, brings the file
// families closure capture applies (packager/families.h) and warns about the others,
// drops excludes, and writes the package atomically. Throws appv::Error; leaves no output on failure.
PackSummary pack(const Manifest& manifest, const PackOptions& options);

class ClosureResolver;
class FileSet;

// The two halves of pack(), for trace and install capture to add their own files in
// between: the manifest's entry points (with closures) and includes; then excludes,
// the registry defaults, the checks, and the package file.
void capture_manifest(const Manifest& manifest, ClosureResolver& resolver, const PackOptions& options);
PackSummary write_captured(const Manifest& manifest, FileSet& files, const ClosureResolver& resolver,
                           const PackOptions& options);

// SOURCE_DATE_EPOCH if set to a valid number. Throws Exit::Usage if set but invalid.
std::optional<int64_t> source_date_epoch();

}  // namespace appv
