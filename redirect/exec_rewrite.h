// execve in the namespace-free backend. The kernel opens a program's ELF interpreter
// (PT_INTERP, /lib64/ld-linux-x86-64.so.2) and a script's `#!` interpreter itself, on
// the host, where no path translation reaches. So an exec of a dynamically linked
// program runs the view's loader on it explicitly, as PRoot does:
//   execve(<loader's host path>, [<loader>, "--argv0", argv[0], <program's view path>, argv[1..]])
// and the program sees its own argv[0]; its libraries are then opened by that loader,
// through the translation like any other file. A script becomes its interpreter's exec
// with the script's view path as argument, as the kernel would make it. A static
// program is exec'd directly.
#pragma once

#include <string>
#include <vector>

#include "vfs/path_translator.h"

namespace appv {

struct ExecRewrite {
  int error = 0;                  // errno the execve fails with, 0 if it goes ahead
  std::string file;               // the host file to execve
  std::vector<std::string> argv;  // its arguments
  std::string program;            // the program's view path (what /proc/self/exe shows)
};

// Plans the exec of `path` (absolute, in the view) with `argv`. Reads the program's
// first bytes and ELF program headers on the host. `argv0_option`: the loader accepts
// --argv0 (glibc >= 2.33); without it the program sees its host path as argv[0].
ExecRewrite rewrite_exec(PathTranslator& view, const std::string& path, const std::vector<std::string>& argv,
                         bool argv0_option = true);

}  // namespace appv
