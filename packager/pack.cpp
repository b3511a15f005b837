#include "packager/pack.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "base/error.h"
#include "base/text.h"
#include "manifests/paths.h"
#include "manifests/registry.h"
#include "packager/closure.h"
#include "packager/desktop_check.h"
#include "packager/families.h"
#include "packager/file_set.h"
#include "packager/matching.h"
#include "base/fs_util.h"
#include "vfs/package.h"

namespace appv {
namespace {

std::string find_on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    char real[PATH_MAX];
    // Keep the name the user gave (it may be a symlink such as /usr/bin/python3),
    // only made absolute.
    if (program[0] == '/') return normalize_absolute(program);
    if (!::realpath(parent_dir(program).c_str(), real)) throw_sys("cannot find", program, errno, Exit::NoInput);
    return normalize_absolute(std::string(real) + "/" + program.substr(program.find_last_of('/') + 1));
  }
  const char* path_env = std::getenv("PATH");
  std::string found = find_executable(program, path_env ? path_env : kSystemPath);
  if (!found.empty()) return normalize_absolute(found);
  throw Error(Exit::NoInput, fmt::format("program '{}' not found on PATH", program));
}

bool matches_any(const std::vector<std::string>& globs, const std::string& path) {
  for (const std::string& g : globs) {
    if (glob_match(g, path)) return true;
  }
  return false;
}

}  // namespace

std::optional<int64_t> source_date_epoch() {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  if (!sde || !*sde) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(sde, &end, 10);
  if (*end != '\0' || v < 0) throw Error(Exit::Usage, fmt::format("SOURCE_DATE_EPOCH '{}' is not a non-negative integer", sde));
  return v;
}

Manifest manifest_for_programs(const std::vector<std::string>& programs, const std::string& version, const std::string& id) {
  if (programs.empty()) throw Error(Exit::Usage, "nothing to pack: name a program or give --manifest");
  if (!id.empty() && !valid_app_id(id)) {
    throw Error(Exit::Usage, fmt::format("--id '{}' is not an app id (letters, digits, '.', '_', '-'; e.g. org.example.tool)", printable(id)));
  }
  Manifest m;
  m.id = id;
  for (const std::string& program : programs) {
    std::string path = find_on_path(program);
    std::string name = path.substr(path.find_last_of('/') + 1);
    if (!valid_app_id(name)) throw Error(Exit::Usage, fmt::format("'{}': cannot derive an entry name from '{}'; write a manifest", program, name));
    if (m.id.empty()) m.id = name;
    m.entries[name] = EntryPoint{path, {}};
  }
  m.name = m.id;
  m.version = version.empty() ? "0" : version;
  m.default_entry = m.entries.count(m.id) ? m.id : m.entries.begin()->first;
  return m;
}

void capture_manifest(const Manifest& manifest, ClosureResolver& resolver, const PackOptions& options) {
  auto say = [&](const std::string& line) { if (options.progress) options.progress(line); };
  say(fmt::format("capturing the closure of {} entry point(s)", manifest.entries.size()));
  for (const auto& [name, entry] : manifest.entries) resolver.add_program(entry.path, fmt::format("entry point {}", name));
  const auto excluded = [&](const std::string& path) { return matches_any(manifest.exclude, path); };
  for (const std::string& glob : manifest.include) {
    size_t n = add_matching(resolver, glob, fmt::format("include {}", glob), excluded);
    say(fmt::format("include {}: {} file(s)", glob, n));
    if (n == 0) throw Error(Exit::NoInput, fmt::format("include '{}' matches nothing on this host", glob));
  }
}

PackSummary write_captured(const Manifest& manifest, FileSet& files, const ClosureResolver& resolver,
                           const PackOptions& options) {
  validate_manifest(manifest, "manifest");
  auto say = [&](const std::string& line) { if (options.progress) options.progress(line); };
  PackSummary summary;
  summary.excluded = files.remove_matching(manifest.exclude);
  for (const auto& [name, entry] : manifest.entries) {
    if (!files.provides(entry.path)) throw Error(Exit::Usage, fmt::format("entry point '{}' ({}) is excluded by files.exclude", name, entry.path));
  }
  // Menu entries and icons are checked now, against what the package holds, so that
  // an install never finds them wrong; the icon files found are recorded in the
  // manifest the package stores.
  Manifest stored = manifest;
  std::vector<std::string> desktop_notes =
      check_desktop(stored, files, {"", [&](const std::string& path) { return matches_any(manifest.exclude, path); }});
  summary.unresolved = resolver.unresolved();
  summary.warnings = files.warnings();
  summary.warnings.insert(summary.warnings.end(), desktop_notes.begin(), desktop_notes.end());
  if (options.strict && !summary.unresolved.empty()) {
    throw Error(Exit::NoInput, fmt::format("{} librar{} not found, first: {}", summary.unresolved.size(),
                                           summary.unresolved.size() == 1 ? "y" : "ies", summary.unresolved.front()));
  }

  if (!manifest.registry.empty()) {
    // GLib's keyfile GSettings backend, which appv selects inside the view, reads its
    // system defaults from this file: the packaged values sit under the user's own.
    RegistryValues defaults;
    for (const auto& [key, value] : manifest.registry) defaults[key] = gvariant_text(value);
    files.add_generated(kRegistryDefaultsPath, format_keyfile(defaults), "manifest [registry]");
  }
  if (options.report_only) return summary;
  std::vector<PayloadItem> items = files.payload_items();
  // The counts come once, in the summary: the package holds more entries than the
  // captured files (its manifest), and hard links add no bytes.
  say(fmt::format("writing {}", options.output.substr(options.output.find_last_of('/') + 1)));
  WriteOptions wo;
  if (options.source_date_epoch) {
    wo.mtime = *options.source_date_epoch;
    wo.clamp = *options.source_date_epoch;
  }
  wo.compression_level = options.compression_level;
  wo.stub = options.stub;
  wo.reporter = options.reporter;
  WriteResult written = write_package(options.output, write_manifest(stored), items, wo);
  summary.entries = written.header.file_count;
  summary.unpacked_bytes = written.header.unpacked_bytes;
  summary.package_bytes = written.file_size;
  summary.digest = to_hex(written.trailer.payload_digest);
  return summary;
}

PackSummary pack(const Manifest& manifest, const PackOptions& options) {
  validate_manifest(manifest, "manifest");
  FileSet files;
  ClosureResolver resolver(files, SearchConfig::from_host());
  capture_manifest(manifest, resolver, options);
  const auto excluded = [&](const std::string& path) { return matches_any(manifest.exclude, path); };
  for (const std::string& line : bring_families(family_rules(manifest), FamilyUse::Closure, resolver, files, excluded)) {
    if (options.progress) options.progress(line);
  }
  return write_captured(manifest, files, resolver, options);
}

}  // namespace appv
