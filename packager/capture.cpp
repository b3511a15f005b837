#include "packager/capture.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include <fmt/format.h>

#include "base/error.h"
#include "manifests/paths.h"
#include "packager/closure.h"
#include "packager/noise.h"
#include "packager/tracer.h"
#include "base/fs_util.h"
#include "vfs/sandbox.h"

namespace appv {
namespace {

std::string output_for(const CaptureOptions& options, const Manifest& manifest) {
  return options.pack.output.empty() ? fmt::format("{}/{}.appv", options.cwd, manifest.id) : options.pack.output;
}

// Writes the text report beside the package (and the JSON one where asked), whether
// or not a package was written.
void publish(CaptureOutcome& out, const CaptureOptions& options, const std::string& output) {
  out.report_path = output + ".report.txt";
  write_report(out.report_path, report_text(out.report));
  if (!options.report_json.empty()) write_report(options.report_json, report_json(out.report));
}

bool no_package(CaptureOutcome& out, const CaptureOptions& options, const std::string& what) {
  if (out.status == 0 || options.allow_failure) return false;
  out.report.why_no_package = fmt::format("{} exited with status {}; --allow-failure packs anyway", what, out.status);
  return true;
}

void finish(CaptureOutcome& out, const Manifest& manifest, FileSet& files, ClosureResolver& resolver,
            const CaptureOptions& options, const std::string& output) {
  PackOptions pack = options.pack;
  pack.output = output;
  for (const auto& [name, entry] : manifest.entries) out.report.entry_points.push_back(fmt::format("{} -> {}", name, entry.path));
  capture_manifest(manifest, resolver, pack);
  out.summary = write_captured(manifest, files, resolver, pack);
  if (pack.report_only) {
    out.summary.reset();
    out.report.why_no_package = "--report-only";
  } else {
    out.report.package = output;
  }
  out.report.unresolved = out.summary->unresolved;
  fill_included(out.report, files);
  for (const FileSet::Guarded& g : files.guarded()) out.report.excluded.push_back({g.path, g.rule + ", reached through a link"});
}

}  // namespace

CaptureOutcome trace_pack(const CaptureOptions& options) {
  CaptureOutcome out;
  out.report.kind = "trace";
  out.report.command = options.command;
  Manifest manifest = options.manifest ? *options.manifest : manifest_for_programs({options.command.at(0)}, options.app_version);
  const std::string output = output_for(options, manifest);
  if (options.pack.progress) options.pack.progress(fmt::format("tracing: {}", fmt::join(options.command, " ")));

  const auto started = std::chrono::steady_clock::now();
  TraceResult trace = trace_command(options.command);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (options.pack.progress) {
    options.pack.progress(fmt::format("traced {} process(es) in {:.2f} s: {} path(s) used, {} written, {} system call stops",
                                      trace.processes, seconds, trace.used.size(), trace.written.size(), trace.stops));
  }
  out.status = trace.status;
  out.report.stops = trace.stops;
  out.report.processes = trace.processes;
  if (no_package(out, options, "the traced command")) {
    publish(out, options, output);
    return out;
  }

  FileSet files;
  ClosureResolver resolver(files, SearchConfig::from_host());
  const NoiseRules noise(CaptureKind::Trace, options.user, options.cwd, manifest);
  files.set_guard([&noise](const std::string& path) { return noise.excludes(path); });
  for (const auto& [path, how] : trace.written) out.report.excluded.push_back({path, fmt::format("written by the run ({})", how)});
  for (const auto& [path, how] : trace.used) {
    if (trace.written.count(path)) continue;
    if (std::optional<std::string> rule = noise.excludes(path)) {
      out.report.excluded.push_back({path, *rule});
      continue;
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;  // probed but absent: nothing to pack
    const std::string reason = fmt::format("traced ({})", how);
    if (S_ISDIR(st.st_mode)) files.add(path, reason);
    else if (how == "exec") resolver.add_program(path, reason);
    else resolver.add_file(path, reason);  // libraries and plugins get their closure too
  }
  finish(out, manifest, files, resolver, options, output);
  publish(out, options, output);
  return out;
}

namespace {

struct Installed {
  std::vector<std::string> paths;     // files and links the installer created or changed
  std::vector<std::string> deleted;   // host paths it deleted
  std::vector<std::string> programs;  // candidates for entry points
};

void walk_upper(const std::string& upper, const std::string& vdir, Installed& out) {
  for (const std::string& name : list_dir(vdir == "/" ? upper : upper + vdir)) {
    const std::string vpath = vdir == "/" ? "/" + name : vdir + "/" + name;
    struct stat st;
    if (::lstat((upper + vpath).c_str(), &st) != 0) continue;
    if (is_whiteout(st)) out.deleted.push_back(vpath);
    else if (S_ISDIR(st.st_mode)) walk_upper(upper, vpath, out);
    else out.paths.push_back(vpath);
  }
}

bool in_bin_dir(const std::string& vpath) {
  const std::string dir = parent_dir(vpath);
  const std::string base = dir.substr(dir.find_last_of('/') + 1);
  return base == "bin" || base == "sbin";
}

// The program a .desktop file's Exec line starts, if it is an absolute path.
std::string desktop_program(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  bool in_entry = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') in_entry = line == "[Desktop Entry]";
    if (in_entry && line.rfind("Exec=", 0) == 0) {
      std::string cmd = line.substr(5);
      cmd = cmd.substr(0, cmd.find_first_of(" \t"));
      if (cmd.size() > 1 && cmd.front() == '"' && cmd.back() == '"') cmd = cmd.substr(1, cmd.size() - 2);
      return cmd.size() > 1 && cmd[0] == '/' ? cmd : std::string();
    }
  }
  return {};
}

}  // namespace

CaptureOutcome pack_installed(const std::string& upper, int status, const CaptureOptions& options) {
  CaptureOutcome out;
  out.report.kind = "install";
  out.report.command = options.command;
  out.status = status;

  Installed installed;
  walk_upper(upper, "/", installed);
  Manifest manifest;
  if (options.manifest) manifest = *options.manifest;
  const NoiseRules noise(CaptureKind::Install, options.user, options.cwd, manifest);
  std::vector<std::string> kept;
  for (const std::string& path : installed.paths) {
    if (std::optional<std::string> rule = noise.excludes(path)) out.report.excluded.push_back({path, *rule});
    else kept.push_back(path);
  }
  std::vector<std::string> hidden;
  for (const std::string& path : installed.deleted) {
    std::optional<std::string> rule = noise.excludes(path);
    if (!rule && split_nonempty(path, '/').size() < 2) rule = "deleted at the top level (cannot be hidden)";
    if (rule) out.report.excluded.push_back({path, "deletion not reproduced: " + *rule});
    else hidden.push_back(path);
  }
  FileSet files;
  files.set_guard([&noise](const std::string& path) { return noise.excludes(path); });
  files.set_path_map([upper](const std::string& vpath) {
    const std::string p = upper + vpath;
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0 && !is_whiteout(st) ? p : vpath;
  });
  if (!options.manifest) {
    for (const std::string& path : kept) {
      struct stat st;
      if (in_bin_dir(path) && ::stat((upper + path).c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
        installed.programs.push_back(path);
      }
      if (path.size() > 8 && path.substr(path.size() - 8) == ".desktop") {
        std::string program = desktop_program(files.physical(path));
        if (!program.empty()) installed.programs.push_back(program);
      }
    }
    for (const std::string& program : installed.programs) {
      std::string name = program.substr(program.find_last_of('/') + 1);
      if (!valid_app_id(name) || manifest.entries.count(name)) continue;
      if (manifest.id.empty()) manifest.id = name;
      manifest.entries[name] = EntryPoint{program, {}};
    }
    manifest.name = manifest.id;
    manifest.version = options.app_version.empty() ? "0" : options.app_version;
    if (!manifest.entries.empty()) manifest.default_entry = manifest.entries.count(manifest.id) ? manifest.id : manifest.entries.begin()->first;
  }
  const std::string output = manifest.id.empty() ? options.pack.output : output_for(options, manifest);
  if (no_package(out, options, "the installer")) {
    publish(out, options, output.empty() ? options.cwd + "/capture.appv" : output);
    return out;
  }
  if (manifest.entries.empty()) {
    out.report.why_no_package = "the installer created no program in a bin/ or sbin/ directory and no .desktop file; "
                                "name the entry points with --manifest";
    publish(out, options, output.empty() ? options.cwd + "/capture.appv" : output);
    throw Error(Exit::NoInput, out.report.why_no_package + fmt::format(" (report: {}.report.txt)",
                                                                       output.empty() ? options.cwd + "/capture.appv" : output));
  }
  // The installer deleted these host files: the package hides them (files.hide).
  for (const std::string& path : hidden) {
    if (std::find(manifest.hide.begin(), manifest.hide.end(), path) == manifest.hide.end()) manifest.hide.push_back(path);
  }
  out.report.hidden = hidden;
  ClosureResolver resolver(files, SearchConfig::from_host());
  for (const std::string& path : kept) resolver.add_file(path, "installed");
  finish(out, manifest, files, resolver, options, output);
  publish(out, options, output);
  return out;
}

}  // namespace appv
