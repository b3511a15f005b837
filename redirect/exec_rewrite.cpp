#include "redirect/exec_rewrite.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace appv {
namespace {

constexpr int kMaxInterpreterDepth = 4;  // the kernel's limit on #! chains (BINPRM_MAX_RECURSION)

bool read_at(int fd, void* buf, size_t size, off_t offset) {
  return ::pread(fd, buf, size, offset) == static_cast<ssize_t>(size);
}

// The PT_INTERP of the 64-bit ELF file `fd`, "" for a static one (or not 64-bit ELF).
std::string elf_interpreter(int fd) {
  Elf64_Ehdr eh;
  if (!read_at(fd, &eh, sizeof eh, 0) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 512) {
    return {};
  }
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    if (!read_at(fd, &ph, sizeof ph, static_cast<off_t>(eh.e_phoff + i * sizeof ph))) return {};
    if (ph.p_type != PT_INTERP || ph.p_filesz == 0 || ph.p_filesz > 4096) continue;
    std::string interp(ph.p_filesz, '\0');
    if (!read_at(fd, interp.data(), interp.size(), static_cast<off_t>(ph.p_offset))) return {};
    interp.resize(std::strlen(interp.c_str()));
    return interp;
  }
  return {};
}

ExecRewrite plan(PathTranslator& view, const std::string& path, std::vector<std::string> argv, bool argv0_option, int depth) {
  ExecRewrite out;
  const Translation t = view.translate(path, Intent::Lookup, true);
  if (t.error) {
    out.error = t.error;
    return out;
  }
  if (t.kind != NodeKind::File) {
    out.error = t.kind == NodeKind::Dir ? EACCES : ENOEXEC;
    return out;
  }
  if (::access(t.real.c_str(), X_OK) != 0) {
    out.error = errno;
    return out;
  }
  UniqueFd fd(::open(t.real.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    out.error = errno;
    return out;
  }
  char head[256] = {};
  const ssize_t n = ::pread(fd.get(), head, sizeof head - 1, 0);
  if (n >= 2 && head[0] == '#' && head[1] == '!') {
    if (depth >= kMaxInterpreterDepth) {
      out.error = ELOOP;
      return out;
    }
    // "#!interp [one argument]", as the kernel splits it: the rest of the line after
    // the interpreter, trimmed, is one argument.
    std::string line(head + 2, static_cast<size_t>(n - 2));
    line = line.substr(0, line.find('\n'));
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) {
      out.error = ENOEXEC;
      return out;
    }
    const size_t end = line.find_first_of(" \t", start);
    const std::string interp = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string arg = end == std::string::npos ? std::string() : line.substr(end);
    arg.erase(0, arg.find_first_not_of(" \t"));
    arg.erase(arg.find_last_not_of(" \t\r") + 1);
    std::vector<std::string> next{interp};
    if (!arg.empty()) next.push_back(arg);
    next.push_back(path);
    next.insert(next.end(), argv.begin() + (argv.empty() ? 0 : 1), argv.end());
    return plan(view, interp, std::move(next), argv0_option, depth + 1);
  }
  out.program = t.view_path;
  const std::string interp = elf_interpreter(fd.get());
  if (interp.empty()) {
    out.file = t.real;
    out.argv = std::move(argv);
    return out;
  }
  const Translation loader = view.translate(interp, Intent::Lookup, true);
  if (loader.error) {
    out.error = loader.error == ENOENT ? ENOENT : loader.error;
    return out;
  }
  out.file = loader.real;
  out.argv = {loader.real};
  if (argv0_option) {
    out.argv.push_back("--argv0");
    out.argv.push_back(argv.empty() ? path : argv[0]);
  }
  // The program by its view path: the loader opens it through the translation like
  // its libraries, also where the package's cache is in a place the view hides
  // (--isolate ~=full).
  out.argv.push_back(t.view_path);
  out.argv.insert(out.argv.end(), argv.begin() + (argv.empty() ? 0 : 1), argv.end());
  return out;
}

}  // namespace

ExecRewrite rewrite_exec(PathTranslator& view, const std::string& path, const std::vector<std::string>& argv,
                         bool argv0_option) {
  return plan(view, path, argv, argv0_option, 0);
}

}  // namespace appv
