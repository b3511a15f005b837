// What closure capture needs to know about an ELF file. The only header that LIEF
// is behind: <elf.h> macros (DT_NEEDED, PT_*) break LIEF's enums, so LIEF stays in
// elf_reader.cpp alone and this header exposes plain types.
#pragma once

#include <string>
#include <vector>

namespace appv {

struct ElfInfo {
  int elf_class = 0;  // 1: 32-bit, 2: 64-bit
  int machine = 0;    // e_machine
  std::string interpreter;  // PT_INTERP, empty for shared libraries and static programs
  std::vector<std::string> needed;   // DT_NEEDED, in order
  std::vector<std::string> rpath;    // DT_RPATH, split at ':'
  std::vector<std::string> runpath;  // DT_RUNPATH, split at ':'
};

// True if the file starts with the ELF magic (cheap: reads four bytes).
bool is_elf_file(const std::string& path);

// Parses `path` once with LIEF. Throws Exit::BadInput for a file LIEF cannot read or
// one whose program/section header tables lie beyond its end (a truncated file
// "parses" in LIEF 0.9 with no error).
ElfInfo read_elf(const std::string& path);

}  // namespace appv
