#include "launcher/hand_over.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "launcher/reporter.h"

namespace appv::cli {
namespace {

// Owned by root and writable by no one else: only root could have put it there.
bool root_controlled(const struct stat& st) { return st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0; }

}  // namespace

std::optional<std::string> trusted_installed_appv(const std::string& path) {
  struct stat st;
  if (path.empty() || path[0] != '/' || ::lstat(path.c_str(), &st) != 0) return std::nullopt;
  if (!S_ISREG(st.st_mode) || !root_controlled(st) || (st.st_mode & S_IXUSR) == 0) return std::nullopt;
  // Each directory on the way, followed as exec will (/usr/bin may be a link on hosts
  // that are not merged-/usr the other way round).
  for (std::string dir = path.substr(0, path.rfind('/')); ; dir = dir.substr(0, dir.rfind('/'))) {
    const std::string shown = dir.empty() ? "/" : dir;
    if (::stat(shown.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !root_controlled(st)) return std::nullopt;
    if (dir.empty()) break;
  }
  return path;
}

std::vector<std::string> hand_over_argv(const std::string& appv, const RunArgs& run, bool quiet) {
  std::vector<std::string> argv = {appv, "run"};
  if (!run.entry.empty()) argv.insert(argv.end(), {"--entry", run.entry});
  for (const std::string& rule : run.isolate) argv.insert(argv.end(), {"--isolate", rule});
  if (run.temp) argv.push_back("--temp");
  if (run.dry_run) argv.push_back("--dry-run");
  if (run.json) argv.push_back("--json");
  if (!run.backend.empty()) argv.insert(argv.end(), {"--backend", run.backend});
  // A link named after an entry point chose the entry; the app sees the link's name.
  if (!run.argv0.empty()) argv.insert(argv.end(), {"--argv0", run.argv0});
  if (quiet) argv.push_back("--quiet");
  // "--" before the package: it is never taken for an option; after it: every word
  // is the app's, "--" included.
  argv.insert(argv.end(), {"--", run.package, "--"});
  argv.insert(argv.end(), run.app_args.begin(), run.app_args.end());
  return argv;
}

void hand_over_to_installed_appv(const RunArgs& run) {
  const std::optional<std::string> appv = trusted_installed_appv();
  if (!appv) return;
  const std::vector<std::string> words = hand_over_argv(*appv, run, quiet());
  std::vector<char*> argv;
  for (const std::string& w : words) argv.push_back(const_cast<char*>(w.c_str()));
  argv.push_back(nullptr);
  ::execv(appv->c_str(), argv.data());
  throw_sys("cannot execute the installed", *appv, errno, Exit::Environment);
}

}  // namespace appv::cli
