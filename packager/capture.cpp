#include "packager/capture.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/error.h"
#include "manifests/paths.h"
#include "packager/closure.h"
#include "packager/families.h"
#include "packager/noise.h"
#include "packager/trace_profile.h"
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

// The manifest's entry points and includes, the file families (brought as `use` says;
// `skip` is the noise rules'), then the package.
void finish(CaptureOutcome& out, const Manifest& manifest, FileSet& files, ClosureResolver& resolver,
            const CaptureOptions& options, const std::string& output, FamilyUse use,
            const std::function<bool(const std::string&)>& skip) {
  PackOptions pack = options.pack;
  pack.output = output;
  for (const auto& [name, entry] : manifest.entries) out.report.entry_points.push_back(fmt::format("{} -> {}", name, entry.path));
  capture_manifest(manifest, resolver, pack);
  for (const std::string& line : bring_families(family_rules(manifest), use, resolver, files, skip)) {
    if (pack.progress) pack.progress(line);
  }
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

// What the runs used and wrote, merged: the strongest use of each path and the runs
// (numbered from 1) that used it.
struct TracedRuns {
  struct Use {
    std::string how;
    std::vector<int> runs;
  };
  std::map<std::string, Use> used;
  std::map<std::string, std::string> written;
  // Files the run wrote into its fresh profile (or left there, renamed into place)
  // -> that run. Probes of absent files there are nothing at all.
  std::map<std::string, int> first_run_state;

  // Called while the run's profile (`profile`, "" for none) still exists.
  void merge(const TraceResult& trace, int run, const std::string& profile) {
    auto in_profile = [&](const std::string& path) { return !profile.empty() && path_has_prefix(path, profile); };
    for (const auto& [path, how] : trace.written) {
      if (in_profile(path)) first_run_state.emplace(path, run);
      else written.emplace(path, how);
    }
    for (const auto& [path, how] : trace.used) {
      if (in_profile(path)) {
        struct stat st;
        if (::lstat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) first_run_state.emplace(path, run);
        continue;
      }
      Use& u = used[path];
      if (u.how.empty() || rank(how) > rank(u.how)) u.how = how;
      u.runs.push_back(run);
    }
  }

  static int rank(std::string_view how) {
    return how == "exec" ? 4 : how == "list" ? 3 : how == "open" ? 2 : how == "readlink" ? 1 : 0;
  }
};

std::string traced_reason(const TracedRuns::Use& use, size_t run_count) {
  if (run_count < 2) return fmt::format("traced ({})", use.how);
  return fmt::format("traced ({}) in run{} {}", use.how, use.runs.size() == 1 ? "" : "s", fmt::join(use.runs, ", "));
}

// The command line's runs, then the manifest's.
std::vector<std::vector<std::string>> runs_of(const CaptureOptions& options) {
  std::vector<std::vector<std::string>> runs = options.runs;
  if (options.manifest) runs.insert(runs.end(), options.manifest->capture.runs.begin(), options.manifest->capture.runs.end());
  if (runs.empty()) {
    throw Error(Exit::Usage, "pack --trace: give the command to trace after --, with --trace-run, or in the manifest's "
                             "[capture] runs");
  }
  return runs;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

}  // namespace

CaptureOutcome trace_pack(const CaptureOptions& options) {
  CaptureOutcome out;
  out.report.kind = "trace";
  const std::vector<std::vector<std::string>> runs = runs_of(options);
  out.report.command = runs.front();
  Manifest manifest = options.manifest ? *options.manifest : manifest_for_programs({runs.front().at(0)}, options.app_version, options.app_id);
  const std::string output = output_for(options, manifest);

  TracedRuns traced;
  for (size_t i = 0; i < runs.size(); ++i) {
    const int run = static_cast<int>(i) + 1;
    std::optional<FreshProfile> profile;
    if (!options.keep_profile) profile.emplace();
    if (options.pack.progress) {
      options.pack.progress(fmt::format("tracing{}: {}{}", runs.size() > 1 ? fmt::format(" run {}", run) : "",
                                        fmt::join(runs[i], " "), profile ? " (in a fresh profile)" : ""));
    }
    const auto started = std::chrono::steady_clock::now();
    const TraceResult trace =
        trace_command(runs[i], profile ? std::optional(profile_environment(current_environment(), profile->home())) : std::nullopt);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (options.pack.progress) {
      options.pack.progress(fmt::format("traced {} process(es) in {:.2f} s: {} path(s) used, {} written, {} system call stops",
                                        trace.processes, seconds, trace.used.size(), trace.written.size(), trace.stops));
    }
    out.report.runs.push_back({runs[i], trace.status, trace.processes, trace.stops, profile ? profile->home() : ""});
    out.report.stops += trace.stops;
    out.report.processes += trace.processes;
    if (out.status == 0) out.status = trace.status;
    traced.merge(trace, run, profile ? profile->dir() : "");
  }
  out.report.status = out.status;
  const auto failed = std::find_if(out.report.runs.begin(), out.report.runs.end(), [](const auto& r) { return r.status != 0; });
  const std::string what = runs.size() < 2 || failed == out.report.runs.end()
                               ? "the traced command"
                               : fmt::format("traced run {} ({})", failed - out.report.runs.begin() + 1, fmt::join(failed->command, " "));
  if (no_package(out, options, what)) {
    publish(out, options, output);
    return out;
  }

  FileSet files;
  ClosureResolver resolver(files, SearchConfig::from_host());
  const NoiseRules noise(CaptureKind::Trace, options.user, options.cwd, manifest);
  files.set_guard([&noise](const std::string& path) { return noise.excludes(path); });
  for (const auto& [path, run] : traced.first_run_state) {
    out.report.excluded.push_back({path, fmt::format("first-run state in run {}'s fresh profile (dropped: every user's "
                                                     "first run writes its own)", run)});
  }
  for (const auto& [path, how] : traced.written) out.report.excluded.push_back({path, fmt::format("written by the run ({})", how)});
  for (const auto& [path, use] : traced.used) {
    if (traced.written.count(path)) continue;
    if (std::optional<std::string> rule = noise.excludes(path)) {
      out.report.excluded.push_back({path, *rule});
      continue;
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;  // probed but absent: nothing to pack
    const std::string reason = traced_reason(use, runs.size());
    if (S_ISDIR(st.st_mode)) files.add(path, reason);
    else if (use.how == "exec") resolver.add_program(path, reason);
    else resolver.add_file(path, reason);  // libraries and plugins get their closure too
  }
  const auto skip = [&](const std::string& path) {
    std::optional<std::string> rule = noise.excludes(path);
    if (rule) out.report.excluded.push_back({path, *rule});
    return rule.has_value();
  };
  finish(out, manifest, files, resolver, options, output, FamilyUse::Trace, skip);
  for (CaptureReport::Included& i : out.report.included) {
    if (auto it = traced.used.find(i.path); it != traced.used.end() && i.category == "traced") i.runs = it->second.runs;
  }
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
    if (!options.app_id.empty()) manifest.id = options.app_id;
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
  // Families as closure capture brings them: the installer wrote its own files; what
  // it left to the host (glibc's C.UTF-8, Python's codecs) comes from here.
  const auto skip = [&](const std::string& path) {
    std::optional<std::string> rule = noise.excludes(path);
    if (rule) out.report.excluded.push_back({path, *rule});
    return rule.has_value();
  };
  finish(out, manifest, files, resolver, options, output, FamilyUse::Closure, skip);
  publish(out, options, output);
  return out;
}

}  // namespace appv
