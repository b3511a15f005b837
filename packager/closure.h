// Closure capture: an executable, its interpreter (PT_INTERP or a script's #!), and
// every library it needs, found the way ld.so finds them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "packager/elf_reader.h"
#include "packager/file_set.h"

namespace appv {

// Where ld.so looks after RPATH/RUNPATH, and what its $LIB and $PLATFORM expand to.
struct SearchConfig {
  std::vector<std::string> conf_dirs;     // from /etc/ld.so.conf (the cache's source)
  std::vector<std::string> default_dirs;  // the trusted system directories
  std::string lib;                        // $LIB
  std::string platform;                   // $PLATFORM
  static SearchConfig from_host();
};

// The system's program directories: scripts' "#!/usr/bin/env NAME" is resolved here,
// not on this user's PATH, so no shim from someone's home (pyenv, a virtualenv) that
// no other machine has ends up in a package.
inline constexpr const char* kSystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The first executable NAME in the ':'-separated absolute directories of
// `search_list`, or "" if there is none.
std::string find_executable(const std::string& name, std::string_view search_list);

// The program a "#!/usr/bin/env ARGS" line runs, from env's words after the
// interpreter (coreutils env: options -i -0 -v, -u NAME, -C DIR, -S/--split-string
// whose string is split into more words, NAME=VALUE assignments, "--"); "" when there
// is none or an option env does not take is in the way.
std::string env_program(std::string_view args);

// Reads an ld.so.conf file, following "include" globs; exposed for tests.
std::vector<std::string> read_ld_so_conf(const std::string& path);

class ClosureResolver {
 public:
  ClosureResolver(FileSet& files, SearchConfig config) : files_(files), config_(std::move(config)) {}

  // Adds `path` (an ELF program or library, or a #! script) and its whole closure.
  // Throws Exit::NoInput if `path` does not exist.
  void add_program(const std::string& path, const std::string& reason);
  // Adds `path` if it is an ELF file or a script (with its closure), else as data.
  void add_file(const std::string& path, const std::string& reason);

  // "libfoo.so.1 (needed by /usr/bin/x)" for each library that could not be found on
  // the loader's paths and that no file of the package provides by that name either
  // (Java's libjvm.so, Firefox's libmozgtk.so: loaded by path, found at run time).
  std::vector<std::string> unresolved() const;

 private:
  struct Loader {  // one object of the chain that requested a load, for DT_RPATH
    std::vector<std::string> rpath;  // already expanded
  };

  void add_elf(const std::string& found_path, const std::string& real_path, const std::vector<Loader>& chain);
  void add_script(const std::string& path);
  const ElfInfo& info(const std::string& real_path);
  std::string find_library(const std::string& name, const ElfInfo& requester, const std::vector<std::string>& search);
  std::vector<std::string> expand(const std::vector<std::string>& dirs, const std::string& origin) const;

  FileSet& files_;
  SearchConfig config_;
  std::map<std::string, ElfInfo> parsed_;
  std::set<std::string> visited_;
  std::vector<std::string> unresolved_;
  std::map<size_t, std::string> unresolved_library_;  // index in unresolved_ -> file name
};

}  // namespace appv
