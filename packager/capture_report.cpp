#include "packager/capture_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/human_bytes.h"
#include "base/text.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

std::string category_of(const std::string& reason) {
  if (reason.rfind("traced", 0) == 0) return "traced";
  if (reason.rfind("family ", 0) == 0) return "family";
  if (reason.rfind("installed", 0) == 0) return "installed";
  if (reason.rfind("include ", 0) == 0 || reason.rfind("entry point", 0) == 0) return "manifest";
  if (reason.rfind("manifest", 0) == 0) return "generated";
  return "closure";
}

std::string human(uint64_t n) { return human_bytes(n); }

// The kernel's trees: a traced run touches hundreds of their paths (every /proc/PID/*
// it reads), none of which can be packed. The text report counts them per tree with a
// few examples; the JSON report lists every one.
constexpr const char* kKernelTrees[] = {"/proc", "/sys", "/dev"};
constexpr size_t kExamplesPerTree = 3;

const char* kernel_tree_of(const std::string& path) {
  for (const char* tree : kKernelTrees) {
    const std::string_view t(tree);
    if (path.compare(0, t.size(), t) == 0 && (path.size() == t.size() || path[t.size()] == '/')) return tree;
  }
  return nullptr;
}

std::string left_out_text(const std::vector<CaptureReport::Excluded>& excluded) {
  std::string out = fmt::format("\nleft out: {} path(s)\n", excluded.size());
  std::map<std::string, std::vector<const CaptureReport::Excluded*>> in_tree;
  for (const auto& e : excluded) {
    if (const char* tree = kernel_tree_of(e.path)) {
      in_tree[tree].push_back(&e);
    } else {
      out += fmt::format("  {:<70} {}\n", e.path, e.rule);
    }
  }
  for (const char* tree : kKernelTrees) {
    const auto it = in_tree.find(tree);
    if (it == in_tree.end()) continue;
    const std::vector<const CaptureReport::Excluded*>& paths = it->second;
    std::vector<std::string> examples;
    for (size_t i = 0; i < paths.size() && i < kExamplesPerTree; ++i) examples.push_back(paths[i]->path);
    out += fmt::format("  {}/...: {} path(s), e.g. {}{} ({})\n", tree, paths.size(), fmt::join(examples, ", "),
                       paths.size() > examples.size() ? ", ..." : "", paths.front()->rule);
  }
  return out;
}

}  // namespace

void fill_included(CaptureReport& report, const FileSet& files) {
  report.included.clear();
  for (const auto& [path, r] : files.entries()) {
    const char* kind = r.kind == FileRecord::Kind::Dir ? "dir" : r.kind == FileRecord::Kind::Symlink ? "symlink" : "file";
    report.included.push_back({path, category_of(r.reason), r.reason, kind, r.kind == FileRecord::Kind::File ? r.size : 0, {}});
  }
}

std::string report_text(const CaptureReport& r) {
  std::string out = fmt::format("appv {} capture report\ncommand: {}\nstatus:  {}\n", r.kind, fmt::join(r.command, " "), r.status);
  out += r.package.empty() ? fmt::format("package: none ({})\n", r.why_no_package) : fmt::format("package: {}\n", r.package);
  if (!r.entry_points.empty()) out += fmt::format("entry points: {}\n", fmt::join(r.entry_points, ", "));
  if (r.kind == "trace") out += fmt::format("traced: {} process(es) and thread(s), {} system call stops\n", r.processes, r.stops);
  for (size_t i = 0; i < r.runs.size(); ++i) {
    const CaptureReport::Run& run = r.runs[i];
    std::string command;
    for (const std::string& word : run.command) command += (command.empty() ? "" : " ") + shell_quote(word);
    out += fmt::format("run {}: {}\n       status {}; {} process(es) and thread(s), {} stops; {}\n", i + 1, command,
                       run.status, run.processes, run.stops,
                       run.profile.empty() ? "in the user's own profile" : "in a fresh profile, HOME=" + run.profile);
  }
  std::map<std::string, std::pair<size_t, uint64_t>> totals;
  for (const auto& i : r.included) {
    totals[i.category].first++;
    totals[i.category].second += i.bytes;
  }
  out += "\nincluded:";
  for (const auto& [category, t] : totals) out += fmt::format(" {} {} ({}),", t.first, category, human(t.second));
  if (!totals.empty()) out.pop_back();
  out += fmt::format("\n{:<10} {:>10}  {:<60} {}\n", "CATEGORY", "SIZE", "PATH", "REASON");
  for (const auto& i : r.included) {
    out += fmt::format("{:<10} {:>10}  {:<60} {}\n", i.category, i.kind == "file" ? human(i.bytes) : i.kind, i.path, i.reason);
  }
  if (!r.hidden.empty()) {
    out += fmt::format("\nhidden (deleted by the installer; the app will not see the host's copy): {}\n", r.hidden.size());
    for (const auto& h : r.hidden) out += fmt::format("  {}\n", h);
  }
  out += left_out_text(r.excluded);
  if (!r.unresolved.empty()) {
    out += fmt::format("\nnot found: {}\n", r.unresolved.size());
    for (const auto& u : r.unresolved) out += fmt::format("  {}\n", u);
  }
  return out;
}

std::string report_json(const CaptureReport& r) {
  nlohmann::ordered_json j;
  j["kind"] = r.kind;
  j["command"] = r.command;
  j["status"] = r.status;
  j["package"] = r.package.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.package);
  if (r.package.empty()) j["why_no_package"] = r.why_no_package;
  j["entry_points"] = r.entry_points;
  if (r.kind == "trace") {
    j["trace"] = {{"processes", r.processes}, {"stops", r.stops}};
    auto& runs = j["runs"] = nlohmann::ordered_json::array();
    for (const auto& run : r.runs) {
      runs.push_back({{"command", run.command},
                      {"status", run.status},
                      {"processes", run.processes},
                      {"stops", run.stops},
                      {"profile", run.profile.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(run.profile)}});
    }
  }
  auto& inc = j["included"] = nlohmann::ordered_json::array();
  for (const auto& i : r.included) {
    nlohmann::ordered_json e = {{"path", i.path}, {"category", i.category}, {"reason", i.reason}, {"kind", i.kind}, {"bytes", i.bytes}};
    if (!i.runs.empty()) e["runs"] = i.runs;
    inc.push_back(std::move(e));
  }
  auto& exc = j["excluded"] = nlohmann::ordered_json::array();
  for (const auto& e : r.excluded) exc.push_back({{"path", e.path}, {"rule", e.rule}});
  j["unresolved"] = r.unresolved;
  j["hidden"] = r.hidden;
  // Paths are bytes, not always UTF-8: replace what is not valid rather than fail.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void write_report(const std::string& path, const std::string& text) { write_file_atomic(path, text, 0644); }

}  // namespace appv
