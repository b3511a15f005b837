#include "packager/pack.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cstdlib>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "manifests/paths.h"
#include "manifests/registry.h"
#include "packager/closure.h"
#include "packager/file_set.h"
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

// The directory part of the literal prefix of a glob: where walking must start.
std::string walk_root(const std::string& glob) {
  size_t wild = glob.find_first_of("*?[");
  if (wild == std::string::npos) return glob;
  size_t slash = glob.rfind('/', wild);
  return slash == 0 ? "/" : glob.substr(0, slash);
}

// The directory a link added by an include names, when its tree should come along:
// not the kernel's or the session's trees, not "/" nor anything holding the link
// (a link to an ancestor would include the ancestor's whole tree, itself again).
std::optional<std::string> linked_tree(const std::string& link) {
  namespace fs = boost::filesystem;
  boost::system::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(link, ec)) || !fs::is_directory(fs::status(link, ec))) return std::nullopt;
  const std::string target = fs::canonical(link, ec).string();
  if (ec || target == "/" || path_has_prefix(link, target)) return std::nullopt;
  for (const char* pseudo : {"/proc", "/sys", "/dev", "/run"}) {
    if (path_has_prefix(target, pseudo)) return std::nullopt;
  }
  return target;
}

// Adds every file under the host tree at `root` that matches `glob`, with closures.
// A matching link to a directory brings the link and the whole tree it names (as
// `/usr/share/perl/5.36 -> 5.36.0` or Java's `conf -> /etc/java-17-openjdk` need),
// once per tree, minus the excludes.
size_t add_matching(ClosureResolver& resolver, const std::string& glob, const std::vector<std::string>& excludes) {
  namespace fs = boost::filesystem;
  auto excluded = [&](const std::string& p) {
    for (const std::string& e : excludes) if (glob_match(e, p)) return true;
    return false;
  };
  const std::string reason = fmt::format("include {}", glob);
  std::vector<std::string> linked;  // trees named by links that were added
  std::set<std::string> walked;
  auto covered = [&](const std::string& tree) {
    for (const std::string& w : walked) if (path_has_prefix(tree, w)) return true;
    return false;
  };
  auto add = [&](const std::string& p) {
    resolver.add_file(p, reason);
    std::optional<std::string> tree = linked_tree(p);
    if (tree && !covered(*tree)) {
      walked.insert(*tree);
      linked.push_back(*tree);
    }
  };
  // Every non-directory below `dir` that `matches`; directories are implied by their files.
  auto walk = [&](const std::string& dir, const auto& matches) {
    size_t n = 0;
    boost::system::error_code ec;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string p = it->path().string();
      if (excluded(p)) {
        if (it->symlink_status().type() == fs::directory_file) it.disable_recursion_pending();
        continue;
      }
      if (it->symlink_status().type() == fs::directory_file || !matches(p)) continue;
      add(p);
      ++n;
    }
    if (ec) throw Error(Exit::Io, fmt::format("cannot walk '{}': {}", dir, ec.message()));
    return n;
  };

  const std::string root = walk_root(glob);
  boost::system::error_code ec;
  fs::file_status top = fs::symlink_status(root, ec);
  if (ec || !fs::exists(top)) return 0;
  size_t added = 0;
  if (!fs::is_directory(top)) {
    if (!glob_match(glob, root) || excluded(root)) return 0;
    add(root);
    added = 1;
  } else {
    walked.insert(fs::canonical(root, ec).string());
    added = walk(root, [&](const std::string& p) { return glob_match(glob, p); });
  }
  for (size_t i = 0; i < linked.size(); ++i) {
    added += walk(linked[i], [](const std::string&) { return true; });
  }
  return added;
}

// Libraries that read data at run time which no ELF header names, so closure capture
// misses it and the app fails (or, worse, runs without it: gnuplot writes a PNG with
// no text when fontconfig finds no fonts). A package that holds a file whose path
// contains `data` is taken to have it.
struct RunTimeData {
  std::string_view library;  // file name prefix
  std::string_view data;      // a path fragment of the data
  std::string_view what;
};
constexpr RunTimeData kRunTimeData[] = {
    {"libfontconfig.so", "/etc/fonts/", "fontconfig's configuration and the fonts"},
    {"libpython3", "/usr/lib/python3", "Python's standard library"},
    {"libperl.so", "/perl", "Perl's modules"},
    {"libgdk_pixbuf-2.0.so", "/gdk-pixbuf-2.0/", "gdk-pixbuf's image loaders"},
    {"libQt5Gui.so", "/plugins/platforms/", "Qt's platform plugins"},
    {"libQt6Gui.so", "/plugins/platforms/", "Qt's platform plugins"},
    {"libMagickCore", "/ImageMagick", "ImageMagick's configuration and coders"},
    {"libjvm.so", "/lib/modules", "the JVM's modules"},
    {"libgs.so", "/ghostscript/", "Ghostscript's resources"},
};

}  // namespace

void warn_run_time_data(FileSet& files) {
  for (const RunTimeData& d : kRunTimeData) {
    std::string library;
    bool has_data = false;
    for (const auto& [path, record] : files.entries()) {
      const std::string_view name = std::string_view(path).substr(path.rfind('/') + 1);
      if (library.empty() && name.substr(0, d.library.size()) == d.library) library = path;
      has_data = has_data || path.find(d.data) != std::string::npos;
    }
    if (!library.empty() && !has_data) {
      files.note(fmt::format("'{}' is packed, but {} it reads at run time are not: closure capture cannot see "
                                    "them; pack with --trace, or add them to files.include",
                                    library, d.what));
    }
  }
}


std::optional<int64_t> source_date_epoch() {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  if (!sde || !*sde) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(sde, &end, 10);
  if (*end != '\0' || v < 0) throw Error(Exit::Usage, fmt::format("SOURCE_DATE_EPOCH '{}' is not a non-negative integer", sde));
  return v;
}

Manifest manifest_for_programs(const std::vector<std::string>& programs, const std::string& version) {
  if (programs.empty()) throw Error(Exit::Usage, "nothing to pack: name a program or give --manifest");
  Manifest m;
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
  for (const std::string& glob : manifest.include) {
    size_t n = add_matching(resolver, glob, manifest.exclude);
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
  summary.unresolved = resolver.unresolved();
  summary.warnings = files.warnings();
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
  say(fmt::format("writing {} entries, {:.1f} MB", items.size(), static_cast<double>(files.total_bytes()) / 1e6));
  WriteOptions wo;
  if (options.source_date_epoch) {
    wo.mtime = *options.source_date_epoch;
    wo.clamp = *options.source_date_epoch;
  }
  wo.compression_level = options.compression_level;
  wo.stub = options.stub;
  WriteResult written = write_package(options.output, write_manifest(manifest), items, wo);
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
  warn_run_time_data(files);
  return write_captured(manifest, files, resolver, options);
}

}  // namespace appv
