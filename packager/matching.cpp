#include "packager/matching.h"

#include <optional>
#include <set>
#include <vector>

#include <boost/filesystem.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "manifests/paths.h"

namespace appv {

std::string walk_root(const std::string& glob) {
  size_t wild = glob.find_first_of("*?[");
  if (wild == std::string::npos) return glob;
  size_t slash = glob.rfind('/', wild);
  return slash == 0 ? "/" : glob.substr(0, slash);
}

namespace {

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

}  // namespace

size_t add_matching(ClosureResolver& resolver, const std::string& glob, const std::string& reason,
                    const std::function<bool(const std::string&)>& skip) {
  namespace fs = boost::filesystem;
  auto excluded = [&](const std::string& p) { return skip && skip(p); };
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

}  // namespace appv
