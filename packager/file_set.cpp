#include "packager/file_set.h"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cstring>
#include <unistd.h>

#include <fmt/format.h>

#include "base/error.h"
#include "manifests/paths.h"

namespace appv {
namespace {

std::string read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) throw_sys("cannot read link", path, errno, Exit::NoInput);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

std::string relative_link(const std::string& link_path, const std::string& target) {
  std::vector<std::string> from = split_nonempty(normalize_absolute(link_path), '/');
  from.pop_back();  // the link's directory
  std::vector<std::string> to = split_nonempty(normalize_absolute(target), '/');
  size_t common = 0;
  while (common < from.size() && common < to.size() && from[common] == to[common]) ++common;
  std::string out;
  for (size_t i = common; i < from.size(); ++i) out += out.empty() ? ".." : "/..";
  for (size_t i = common; i < to.size(); ++i) out += (out.empty() ? "" : "/") + to[i];
  return out.empty() ? "." : out;
}

namespace {

// What a package does not keep of a file and someone may rely on: file capabilities
// (ping's cap_net_raw; under no_new_privs they would not apply anyway) and other
// extended attributes; "" when there are none. ACLs and SELinux labels are the host's.
std::string dropped_attributes(const std::string& path) {
  char names[4096];
  const ssize_t n = ::llistxattr(path.c_str(), names, sizeof names);
  if (n <= 0) return {};
  bool capabilities = false;
  std::vector<std::string_view> attributes;
  for (const char* name = names; name < names + n; name += std::strlen(name) + 1) {
    const std::string_view v(name);
    if (v == "security.capability") capabilities = true;
    else if (v.rfind("user.", 0) == 0 || v.rfind("trusted.", 0) == 0) attributes.push_back(v);
  }
  std::string out = capabilities ? "file capabilities (security.capability)" : "";
  for (const std::string_view a : attributes) out += fmt::format("{}extended attribute {}", out.empty() ? "" : ", ", a);
  return out;
}

}  // namespace

void FileSet::put(const std::string& path, FileRecord record) {
  entries_.emplace(path, std::move(record));  // the first reason recorded is kept
}

std::string FileSet::add(const std::string& input, const std::string& reason) {
  std::vector<std::string> pending = split_nonempty(normalize_absolute(input), '/');
  std::reverse(pending.begin(), pending.end());  // a stack: next component at the back
  std::string current;                           // symlink-free so far ("" is "/")
  int hops = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      current = current.empty() ? "" : current.substr(0, current.find_last_of('/'));
      continue;
    }
    std::string next = current + "/" + part;
    if (!pending.empty() && known_dirs_.count(next)) {
      current = std::move(next);
      continue;
    }
    struct stat st;
    if (::lstat(physical(next).c_str(), &st) != 0) return "";
    if (S_ISLNK(st.st_mode)) {
      if (++hops > 40) throw Error(Exit::BadInput, fmt::format("'{}': too many levels of symbolic links", input));
      std::string target = read_link(physical(next));
      std::string absolute = target[0] == '/' ? target : (current.empty() ? "/" : current) + "/" + target;
      put(next, {FileRecord::Kind::Symlink, {}, relative_link(next, normalize_absolute(absolute)), 0777, 0, 0, reason, {}});
      std::vector<std::string> rest = split_nonempty(target, '/');
      for (auto it = rest.rbegin(); it != rest.rend(); ++it) pending.push_back(*it);
      if (target[0] == '/') current.clear();
      continue;
    }
    current = next;
    if (hops > 0 && guard_) {
      if (std::optional<std::string> rule = guard_(current)) {
        if (std::none_of(guarded_.begin(), guarded_.end(), [&](const Guarded& g) { return g.path == current; })) {
          guarded_.push_back({current, *rule});
        }
        return "";
      }
    }
    if (S_ISDIR(st.st_mode)) {
      known_dirs_.insert(current);
      if (pending.empty()) put(current, {FileRecord::Kind::Dir, {}, {}, 0755, 0, 0, reason, {}});
      continue;
    }
    if (!pending.empty()) return "";  // a file used as a directory
    if (!S_ISREG(st.st_mode)) {
      warnings_.push_back(fmt::format("'{}' is not a regular file, directory or symlink; left out", current));
      return "";
    }
    uint32_t mode = st.st_mode & 07777;
    const bool first_time = !entries_.count(current);  // warned once per file
    if (mode & 07002) {
      if (first_time) warnings_.push_back(fmt::format("'{}': setuid/setgid/sticky and world-write bits dropped", current));
      mode &= 0775;
    }
    if (std::string dropped = first_time ? dropped_attributes(physical(current)) : std::string(); !dropped.empty()) {
      warnings_.push_back(fmt::format("'{}': {} dropped (packages keep names, data and permissions only)", current, dropped));
    }
    put(current, {FileRecord::Kind::File, physical(current), {}, mode, static_cast<uint64_t>(st.st_size), st.st_mtime, reason, {}});
  }
  return current.empty() ? "/" : current;
}

std::optional<std::string> FileSet::resolve(const std::string& path) const {
  std::vector<std::string> pending = split_nonempty(normalize_absolute(path), '/');
  std::reverse(pending.begin(), pending.end());
  std::string current;
  for (int hops = 0; !pending.empty();) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == "..") {
      current = current.substr(0, current.empty() ? 0 : current.find_last_of('/'));
      continue;
    }
    if (part == ".") continue;
    std::string next = current + "/" + part;
    auto it = entries_.find(next);
    if (it == entries_.end()) {
      // Parents of recorded entries exist in the package even without an entry.
      auto below = entries_.lower_bound(next + "/");
      if (below == entries_.end() || below->first.compare(0, next.size() + 1, next + "/") != 0) return std::nullopt;
      current = next;
      continue;
    }
    if (it->second.kind == FileRecord::Kind::Symlink) {
      if (++hops > 40) return std::nullopt;
      std::vector<std::string> rest = split_nonempty(it->second.link, '/');
      for (auto r = rest.rbegin(); r != rest.rend(); ++r) pending.push_back(*r);
      continue;  // relative links resolve from the link's directory: `current`
    }
    current = next;
  }
  return current.empty() ? "/" : current;
}

size_t FileSet::remove_matching(const std::vector<std::string>& globs) {
  size_t removed = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    bool hit = false;
    for (const std::string& g : globs) hit = hit || glob_match(g, it->first);
    if (hit) {
      it = entries_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

uint64_t FileSet::total_bytes() const {
  uint64_t total = 0;
  for (const auto& [_, r] : entries_) total += r.size;
  return total;
}

void FileSet::add_generated(const std::string& path, std::string data, const std::string& reason) {
  FileRecord record;
  record.size = data.size();
  record.data = std::move(data);
  record.reason = reason;
  entries_[path] = std::move(record);
}

std::vector<PayloadItem> FileSet::payload_items() const {
  // Every parent directory gets an entry of its own, so extraction never invents
  // permissions; directories are normalised to 0755.
  std::map<std::string, const FileRecord*> all;
  static const FileRecord kDir{FileRecord::Kind::Dir, {}, {}, 0755, 0, 0, "parent", {}};
  all.emplace("", &kDir);
  for (const auto& [path, record] : entries_) {
    all[path] = &record;
    for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      all.emplace(path.substr(0, slash), &kDir);
    }
  }
  std::vector<PayloadItem> items;
  items.reserve(all.size());
  for (const auto& [path, r] : all) {
    PayloadItem item;
    item.path = std::string(kRootEntry) + path;
    switch (r->kind) {
      case FileRecord::Kind::Dir: item.type = PayloadItem::Type::Dir; item.mode = 0755; break;
      case FileRecord::Kind::Symlink: item.type = PayloadItem::Type::Symlink; item.mode = 0777; item.link_target = r->link; break;
      case FileRecord::Kind::File:
        item.type = PayloadItem::Type::File;
        item.mode = r->mode;
        item.source = r->source;
        item.data = r->data;
        item.mtime = r->mtime;
        item.size = r->size;
        break;
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace appv
