#include "packager/closure.h"

#include <glob.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "base/error.h"
#include "manifests/paths.h"
#include "base/fs_util.h"

namespace appv {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

void read_conf(const std::string& path, std::vector<std::string>& out, int depth) {
  if (depth > 8) return;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    if (line.rfind("include", 0) == 0 && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
      std::string pattern = trim(line.substr(8));
      if (pattern[0] != '/') pattern = parent_dir(path) + "/" + pattern;
      glob_t g{};
      if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) read_conf(g.gl_pathv[i], out, depth + 1);
      }
      globfree(&g);
    } else if (line[0] == '/') {
      out.push_back(line);
    }
  }
}

}  // namespace

std::string find_executable(const std::string& name, std::string_view search_list) {
  for (const std::string& dir : split_nonempty(search_list, ':')) {
    if (dir[0] != '/') continue;
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::vector<std::string> read_ld_so_conf(const std::string& path) {
  std::vector<std::string> out;
  read_conf(path, out, 0);
  return out;
}

SearchConfig SearchConfig::from_host() {
  SearchConfig c;
  c.conf_dirs = read_ld_so_conf("/etc/ld.so.conf");
  struct utsname u {};
  ::uname(&u);
  c.platform = u.machine;
  std::string triplet = fmt::format("{}-linux-gnu", c.platform);
  struct stat st;
  bool multiarch = ::stat(("/lib/" + triplet).c_str(), &st) == 0;
  // Debian's ld.so expands $LIB to the multiarch directory.
  c.lib = multiarch ? "lib/" + triplet : (sizeof(void*) == 8 ? "lib64" : "lib");
  c.default_dirs = {"/lib/" + triplet, "/usr/lib/" + triplet, "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
  return c;
}


const ElfInfo& ClosureResolver::info(const std::string& real_path) {
  auto it = parsed_.find(real_path);
  if (it == parsed_.end()) it = parsed_.emplace(real_path, read_elf(files_.physical(real_path))).first;
  return it->second;
}

std::vector<std::string> ClosureResolver::expand(const std::vector<std::string>& dirs, const std::string& origin) const {
  std::vector<std::string> out;
  for (std::string d : dirs) {
    for (auto [token, value] : {std::pair<std::string, std::string>{"ORIGIN", origin}, {"LIB", config_.lib}, {"PLATFORM", config_.platform}}) {
      for (const std::string& form : {"${" + token + "}", "$" + token}) {
        for (size_t pos = d.find(form); pos != std::string::npos; pos = d.find(form, pos + value.size())) {
          d.replace(pos, form.size(), value);
        }
      }
    }
    if (d.find('$') != std::string::npos || d.empty()) continue;  // an unknown token: ld.so ignores the entry
    if (d[0] != '/') continue;  // relative entries resolve against the cwd at run time: not packable
    out.push_back(normalize_absolute(d));
  }
  return out;
}

std::string ClosureResolver::find_library(const std::string& name, const ElfInfo& requester,
                                          const std::vector<std::string>& search) {
  for (const std::string& dir : search) {
    std::string candidate = dir + "/" + name;
    const std::string phys = files_.physical(candidate);
    struct stat st;
    if (::stat(phys.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !is_elf_file(phys)) continue;
    char real[PATH_MAX];
    if (!::realpath(phys.c_str(), real)) continue;
    // ld.so skips libraries of another class or machine (e.g. the i386 biarch
    // directories listed in ld.so.conf) and keeps searching.
    const ElfInfo& lib = info(real);
    if (lib.elf_class == requester.elf_class && lib.machine == requester.machine) return candidate;
  }
  return {};
}

void ClosureResolver::add_elf(const std::string& found_path, const std::string& real_path,
                              const std::vector<Loader>& chain) {
  if (!visited_.insert(real_path).second) return;
  const ElfInfo elf = info(real_path);
  const std::string origin = parent_dir(found_path);
  if (!elf.interpreter.empty()) add_program(elf.interpreter, fmt::format("interpreter of {}", found_path));

  // DT_RPATH applies to this object's needs and, through the chain, to everything it
  // loads, unless the requesting object has DT_RUNPATH (ld.so(8), "Rpath token expansion").
  std::vector<Loader> next_chain = chain;
  if (elf.runpath.empty()) next_chain.insert(next_chain.begin(), Loader{expand(elf.rpath, origin)});
  std::vector<std::string> search;
  if (elf.runpath.empty()) {
    for (const Loader& l : next_chain) search.insert(search.end(), l.rpath.begin(), l.rpath.end());
  } else {
    std::vector<std::string> run = expand(elf.runpath, origin);
    search.insert(search.end(), run.begin(), run.end());
  }
  search.insert(search.end(), config_.conf_dirs.begin(), config_.conf_dirs.end());
  search.insert(search.end(), config_.default_dirs.begin(), config_.default_dirs.end());

  const std::string lib_reason = fmt::format("needed by {}", found_path);
  for (const std::string& name : elf.needed) {
    std::string found = name.find('/') != std::string::npos ? name : find_library(name, elf, search);
    if (found.empty()) {
      unresolved_library_[unresolved_.size()] = name;
      unresolved_.push_back(fmt::format("{} (needed by {})", name, found_path));
      continue;
    }
    std::string real = files_.add(found, lib_reason);
    if (real.empty()) {
      unresolved_.push_back(fmt::format("{} (needed by {})", name, found_path));
      continue;
    }
    add_elf(found, real, next_chain);
  }
}

std::string env_program(std::string_view args) {
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size();) {
    const size_t start = args.find_first_not_of(" \t", i);
    if (start == std::string_view::npos) break;
    const size_t end = std::min(args.size(), args.find_first_of(" \t", start));
    words.emplace_back(args.substr(start, end - start));
    i = end;
  }
  auto starts = [](const std::string& w, std::string_view p) { return w.compare(0, p.size(), p) == 0; };
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--") return i + 1 < words.size() ? words[i + 1] : std::string();
    if (w == "-S" || w == "--split-string" || w == "-i" || w == "--ignore-environment" || w == "-0" || w == "--null" ||
        w == "-v" || w == "--debug" || w == "-" || starts(w, "--unset=") || starts(w, "--chdir=")) {
      continue;
    }
    if (w == "-u" || w == "--unset" || w == "-C" || w == "--chdir") {
      ++i;  // and its argument
      continue;
    }
    if (starts(w, "--split-string=")) {
      words.insert(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, w.substr(15));
      continue;
    }
    if (starts(w, "-S") || starts(w, "-u") || starts(w, "-C")) {
      // -Sbash: the string starts right after the option; -uNAME, -CDIR take theirs inline.
      if (w[1] == 'S') words.insert(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, w.substr(2));
      continue;
    }
    if (w[0] == '-') return {};  // an option appv does not know the arity of
    if (w.find('=') != std::string::npos) continue;  // NAME=VALUE
    return w;
  }
  return {};
}

void ClosureResolver::add_script(const std::string& path) {
  std::ifstream in(files_.physical(path));
  std::string line;
  std::getline(in, line);
  std::string rest = trim(line.substr(2));
  size_t space = rest.find_first_of(" \t");
  std::string interp = rest.substr(0, space);
  if (interp.empty()) return;
  if (::access(files_.physical(interp).c_str(), X_OK) != 0) {
    unresolved_.push_back(fmt::format("{} (interpreter of {})", interp, path));
    return;
  }
  add_program(interp, fmt::format("interpreter of {}", path));
  if (interp.size() >= 4 && interp.substr(interp.size() - 4) == "/env" && space != std::string::npos) {
    // "#!/usr/bin/env python3", "#!/usr/bin/env -S bash -e": the program env will run,
    // found in the system directories.
    const std::string prog = env_program(rest.substr(space));
    if (prog.empty()) {
      unresolved_.push_back(fmt::format("the program of '{}' (run by {} via env)", trim(rest), path));
      return;
    }
    std::string found = prog[0] == '/' ? (::access(files_.physical(prog).c_str(), X_OK) == 0 ? prog : "") : find_executable(prog, kSystemPath);
    if (!found.empty()) {
      add_program(found, fmt::format("run by {} via env", path));
      return;
    }
    unresolved_.push_back(fmt::format("{} (run by {} via env)", prog, path));
  }
}

std::vector<std::string> ClosureResolver::unresolved() const {
  std::set<std::string> packed_names;
  for (const auto& [path, record] : files_.entries()) packed_names.insert(path.substr(path.rfind('/') + 1));
  std::vector<std::string> out;
  for (size_t i = 0; i < unresolved_.size(); ++i) {
    auto lib = unresolved_library_.find(i);
    if (lib != unresolved_library_.end() && packed_names.count(lib->second)) continue;
    out.push_back(unresolved_[i]);
  }
  return out;
}

void ClosureResolver::add_program(const std::string& path, const std::string& reason) {
  std::string real = files_.add(path, reason);
  if (real.empty()) throw Error(Exit::NoInput, fmt::format("'{}' does not exist on this host ({})", path, reason));
  add_file(real, reason);
}

void ClosureResolver::add_file(const std::string& path, const std::string& reason) {
  std::string real = files_.add(path, reason);
  if (real.empty()) return;
  const std::string phys = files_.physical(real);
  struct stat st;
  if (::stat(phys.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  if (is_elf_file(phys)) {
    try {
      add_elf(real, real, {});
    } catch (const Error& e) {
      // An included file that is ELF but not loadable (an object file, a corrupt
      // test fixture) is packed as plain data; its closure cannot matter.
      if (e.code() != Exit::BadInput) throw;
      files_.note(fmt::format("{}; packed without a closure", e.what()));
    }
    return;
  }
  char head[2] = {};
  std::ifstream in(phys, std::ios::binary);
  if (in.read(head, 2) && head[0] == '#' && head[1] == '!' && (st.st_mode & 0111)) {
    if (visited_.insert(real).second) add_script(real);
  }
}

}  // namespace appv
