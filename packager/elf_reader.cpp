#include "packager/elf_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <LIEF/ELF.hpp>
#include <LIEF/exception.hpp>
#include <LIEF/logging.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "manifests/paths.h"
#include "base/unique_fd.h"

namespace appv {

bool is_elf_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  char magic[4];
  return fd && ::pread(fd.get(), magic, 4, 0) == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

ElfInfo read_elf(const std::string& path) {
  static const bool quiet = [] {
    LIEF::Logger::disable();
    return true;
  }();
  (void)quiet;

  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw_sys("cannot stat", path, errno, Exit::NoInput);
  std::unique_ptr<LIEF::ELF::Binary> binary;
  try {
    binary = LIEF::ELF::Parser::parse(path);
  } catch (const LIEF::exception& e) {
    throw Error(Exit::BadInput, fmt::format("'{}': not a readable ELF file: {}", path, e.what()));
  }
  if (!binary) throw Error(Exit::BadInput, fmt::format("'{}': not a readable ELF file", path));

  const LIEF::ELF::Header& h = binary->header();
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const uint64_t ph_end = h.program_headers_offset() + uint64_t{h.numberof_segments()} * h.program_header_size();
  const uint64_t sh_end = h.section_headers_offset() + uint64_t{h.numberof_sections()} * h.section_header_size();
  if (ph_end > size || sh_end > size) {
    throw Error(Exit::BadInput, fmt::format("'{}': truncated ELF file (headers extend past its {} bytes)", path, size));
  }

  ElfInfo info;
  info.elf_class = h.identity_class() == LIEF::ELF::ELF_CLASS::ELFCLASS64 ? 2 : 1;
  info.machine = static_cast<int>(h.machine_type());
  if (binary->has_interpreter()) info.interpreter = binary->interpreter();
  for (const LIEF::ELF::DynamicEntry& entry : binary->dynamic_entries()) {
    switch (entry.tag()) {
      case LIEF::ELF::DYNAMIC_TAGS::DT_NEEDED:
        info.needed.push_back(static_cast<const LIEF::ELF::DynamicEntryLibrary&>(entry).name());
        break;
      case LIEF::ELF::DYNAMIC_TAGS::DT_RPATH:
        info.rpath = split_nonempty(static_cast<const LIEF::ELF::DynamicEntryRpath&>(entry).rpath(), ':');
        break;
      case LIEF::ELF::DYNAMIC_TAGS::DT_RUNPATH:
        info.runpath = split_nonempty(static_cast<const LIEF::ELF::DynamicEntryRunPath&>(entry).runpath(), ':');
        break;
      default:
        break;
    }
  }
  return info;
}

}  // namespace appv
