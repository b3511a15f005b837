#include "vfs/link_chains.h"

#include <algorithm>
#include <deque>
#include <vector>

#include <fmt/format.h>

#include "base/resolve.h"

namespace appv {
namespace {

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

}  // namespace

std::string LinkChains::escape_reason(const std::string& path) const {
  auto it = links_.find(path);
  if (it == links_.end()) return {};
  // `dir` is where the lookup stands, as components below the root; `pending` what
  // is left to walk. Each component that names a link is replaced by its target, so
  // a later '..' climbs from where the link led, as in the kernel.
  std::vector<std::string> dir;
  std::deque<std::string> pending;
  {
    std::deque<std::string> self;
    push_path_components(self, path);
    dir.assign(self.begin(), self.end());
    dir.pop_back();
  }
  if (!it->second.empty() && it->second[0] == '/') dir.clear();
  push_path_components(pending, it->second);
  int hops = 1;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (dir.empty()) return "its chain of links resolves outside the root";
      dir.pop_back();
      continue;
    }
    dir.push_back(std::move(part));
    auto next = links_.find(joined(dir));
    if (next == links_.end()) continue;
    if (++hops > kMaxHops) return fmt::format("more than {} links in a row (a loop)", kMaxHops);
    dir.pop_back();
    if (!next->second.empty() && next->second[0] == '/') dir.clear();
    push_path_components(pending, next->second);
  }
  return {};
}

std::pair<std::string, std::string> LinkChains::first_escape() const {
  std::vector<const std::string*> paths;
  paths.reserve(links_.size());
  for (const auto& [path, target] : links_) paths.push_back(&path);
  std::sort(paths.begin(), paths.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const std::string* p : paths) {
    if (std::string why = escape_reason(*p); !why.empty()) return {*p, why};
  }
  return {};
}

}  // namespace appv
