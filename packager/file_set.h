// The files a package will hold, at their virtual paths, with where each comes from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <map>
#include <unordered_set>
#include <string>
#include <vector>

#include "vfs/package.h"

namespace appv {

struct FileRecord {
  enum class Kind { File, Dir, Symlink };
  Kind kind = Kind::File;
  std::string source;  // host path (File); empty for generated content
  std::string link;    // relative link text (Symlink)
  uint32_t mode = 0644;
  uint64_t size = 0;
  int64_t mtime = 0;   // File: the host file's modification time
  std::string reason;  // why it is packed: "entry point", "closure of /usr/bin/jq", "include /usr/lib/python3.11"
  std::string data;    // File without a source: its bytes
};

class FileSet {
 public:
  // Where a virtual path's bytes are on this host. By default the path itself; install
  // capture maps paths the installer wrote to its sandbox's upper directory.
  using PathMap = std::function<std::string(const std::string&)>;
  void set_path_map(PathMap map) { map_ = std::move(map); }
  std::string physical(const std::string& path) const { return map_ ? map_(path) : path; }

  // Capture's noise rules for what add() reaches through a link: the installer's
  // `ln -s /etc/shadow /opt/app/conf` must not pack /etc/shadow when a rule would
  // leave /etc/shadow itself out. A guard returns why a path is left out, or nothing.
  // Such a file or directory is not added (the link is: it dangles in the view, or
  // leads to the host's own file there) and is listed in guarded().
  using Guard = std::function<std::optional<std::string>(const std::string&)>;
  void set_guard(Guard guard) { guard_ = std::move(guard); }
  struct Guarded {
    std::string path, rule;
  };
  const std::vector<Guarded>& guarded() const { return guarded_; }

  // Adds a host path and every symlink met on the way to it (a parent such as /lib64
  // -> usr/lib64, then the file's own chain libfoo.so.1 -> libfoo.so.1.2.3), each at
  // its own path, so the package reproduces the host's layout exactly. Absolute link
  // targets are stored relative to the link, which resolves identically inside the
  // view. Returns the symlink-free path reached, or "" when the path does not exist.
  // Setuid/setgid/sticky bits are dropped (and listed in warnings()).
  std::string add(const std::string& path, const std::string& reason);

  // Adds a file whose bytes appv generates (the registry's defaults), replacing any
  // host file captured at that path.
  void add_generated(const std::string& path, std::string data, const std::string& reason);

  bool contains(const std::string& path) const { return entries_.count(path) != 0; }
  // True if `path` leads to a file or directory of the set, following the set's own
  // links the way the view will ("/bin/sh" through "/bin" -> "usr/bin").
  bool provides(const std::string& path) const { return resolve(path).has_value(); }
  // The path `path` leads to through the set's own links (the link-free path whose
  // entry, if any, holds the bytes), or nullopt when the set does not provide it.
  std::optional<std::string> resolve(const std::string& path) const;
  const std::map<std::string, FileRecord>& entries() const { return entries_; }
  // Removes every entry whose path matches one of `globs`; returns how many.
  size_t remove_matching(const std::vector<std::string>& globs);
  const std::vector<std::string>& warnings() const { return warnings_; }
  void note(std::string warning) { warnings_.push_back(std::move(warning)); }

  // Entries as payload items below root/, parents before children, sorted.
  std::vector<PayloadItem> payload_items() const;
  uint64_t total_bytes() const;

 private:
  void put(const std::string& path, FileRecord record);

  std::map<std::string, FileRecord> entries_;
  std::vector<std::string> warnings_;
  PathMap map_;
  Guard guard_;
  std::vector<Guarded> guarded_;
  // Directories already found to be real directories (not links): a tree walk adds
  // thousands of files below the same few, and each lstat of them would be repeated.
  std::unordered_set<std::string> known_dirs_;
};

// Text for a symlink at `link_path` that reaches absolute `target` relatively.
std::string relative_link(const std::string& link_path, const std::string& target);

}  // namespace appv
