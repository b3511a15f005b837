// The ptrace backend's pure parts: which system calls it redirects and how, and the
// rewriting of execve into the view's loader (on real files in a temporary tree).
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "base/fs_util.h"
#include "redirect/exec_rewrite.h"
#include "redirect/path_syscalls.h"
#include "redirect/proc_links.h"
#include "redirect/socket_paths.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using appv::test::TempDir;
using appv::test::write_file;

namespace {

PathCall described(long nr, std::initializer_list<uint64_t> list) {
  uint64_t args[6] = {};
  size_t i = 0;
  for (uint64_t v : list) args[i++] = v;
  const std::optional<PathCall> call = describe_path_call(nr, args);
  if (!call) throw std::runtime_error("not a path call");
  return *call;
}

// A 64-bit ELF header with `interp` as PT_INTERP ("" for a static program).
std::string elf(const std::string& interp) {
  Elf64_Ehdr eh;
  std::memset(&eh, 0, sizeof eh);
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phoff = sizeof eh;
  eh.e_phnum = interp.empty() ? 0 : 1;
  std::string out(reinterpret_cast<const char*>(&eh), sizeof eh);
  if (!interp.empty()) {
    Elf64_Phdr ph;
    std::memset(&ph, 0, sizeof ph);
    ph.p_type = PT_INTERP;
    ph.p_offset = sizeof eh + sizeof ph;
    ph.p_filesz = interp.size() + 1;
    out.append(reinterpret_cast<const char*>(&ph), sizeof ph);
    out.append(interp.c_str(), interp.size() + 1);
  }
  return out;
}

struct View {
  TempDir t;
  std::string pkg = t / "pkg";
  PathTranslator tr{build()};

  PathTranslator build() {
    for (const char* d : {"pkg/usr/bin", "pkg/usr/lib64", "upper", "empty"}) make_dirs(t / d);
    write_file(t / "pkg/usr/bin/prog", elf("/lib64/ld-linux-x86-64.so.2"), 0755);
    write_file(t / "pkg/usr/bin/static", elf(""), 0755);
    write_file(t / "pkg/usr/bin/script", "#!/usr/bin/prog  -x  \necho\n", 0755);
    write_file(t / "pkg/usr/bin/data", "not a program\n", 0644);
    write_file(t / "pkg/usr/lib64/ld-linux-x86-64.so.2", elf(""), 0755);
    Plan plan;
    plan.ops.push_back(MountOp::symlink("/lib64", "usr/lib64", "root link"));
    plan.ops.push_back(MountOp::overlay("/usr", {pkg + "/usr"}, t / "upper/usr", t / "work", "full"));
    return PathTranslator(ViewTable::from_plan(plan), {t / "empty", t / "empty-file"}, false);
  }
};

}  // namespace

TEST_CASE("open's flags decide what the call does with the file") {
  CHECK(described(SYS_openat, {static_cast<uint64_t>(AT_FDCWD), 0, O_RDONLY}).paths[0].intent == Intent::Lookup);
  CHECK(described(SYS_openat, {0, 0, O_WRONLY}).paths[0].intent == Intent::Write);
  CHECK(described(SYS_openat, {0, 0, O_RDONLY | O_TRUNC}).paths[0].intent == Intent::Write);
  const PathCall create = described(SYS_openat, {0, 0, O_WRONLY | O_CREAT | O_EXCL});
  CHECK(create.paths[0].intent == Intent::Create);
  CHECK_FALSE(create.paths[0].follow);
  CHECK_FALSE(described(SYS_openat, {0, 0, O_RDONLY | O_NOFOLLOW}).paths[0].follow);
  CHECK(described(SYS_openat, {0, 0, 0}).paths[0].path_arg == 1);
  CHECK(described(SYS_openat, {0, 0, 0}).paths[0].dirfd_arg == 0);
}

TEST_CASE("stat, unlink, mkdir, rename and exec are described as the supervisor handles them") {
  CHECK_FALSE(described(SYS_newfstatat, {0, 0, 0, AT_SYMLINK_NOFOLLOW}).paths[0].follow);
  CHECK(described(SYS_newfstatat, {0, 0, 0, 0}).paths[0].follow);
  CHECK(described(SYS_unlinkat, {0, 0, AT_REMOVEDIR}).paths[0].intent == Intent::Delete);
  const PathCall mkdir = described(SYS_mkdirat, {0, 0, 0750});
  CHECK(mkdir.paths[0].intent == Intent::MakeDir);
  CHECK(mkdir.mode_arg == 2);
  const PathCall rename = described(SYS_renameat2, {0, 0, 0, 0, 0});
  CHECK(rename.kind == PathCallKind::Rename);
  REQUIRE(rename.paths.size() == 2);
  CHECK(rename.paths[1].dirfd_arg == 2);
  CHECK(rename.paths[1].path_arg == 3);
  CHECK(described(SYS_execve, {0, 0, 0}).kind == PathCallKind::Exec);
  CHECK(described(SYS_readlinkat, {0, 0, 0, 0}).kind == PathCallKind::Readlink);
  CHECK(described(SYS_getcwd, {0, 0}).kind == PathCallKind::Getcwd);
  const PathCall symlink = described(SYS_symlinkat, {0, 0, 0});
  CHECK(symlink.paths[0].path_arg == 2);  // the new name; the link's text is the view's
  const PathCall futimens = described(SYS_utimensat, {3, 0, 0, 0});
  CHECK(futimens.kind == PathCallKind::FdWrite);
  CHECK(futimens.fd_arg == 0);
  CHECK(described(SYS_fchmod, {3, 0600}).kind == PathCallKind::FdWrite);
  CHECK(described(SYS_fchownat, {3, 0, 0, 0, AT_EMPTY_PATH}).kind == PathCallKind::FdWrite);
  // With a path (which the supervisor reads) AT_EMPTY_PATH does not count: it is translated.
  CHECK(described(SYS_fchownat, {3, 0, 0, 0, AT_EMPTY_PATH}).paths.size() == 1);
  CHECK(described(SYS_fchownat, {3, 0, 0, 0, 0}).kind == PathCallKind::Plain);
  uint64_t read_args[6] = {};
  CHECK_FALSE(describe_path_call(SYS_read, read_args).has_value());
}

TEST_CASE("an exec of a dynamic program runs the view's loader on it with its own argv[0]") {
  View v;
  const ExecRewrite r = rewrite_exec(v.tr, "/usr/bin/prog", {"prog", "a"});
  REQUIRE(r.error == 0);
  const std::string loader = v.pkg + "/usr/lib64/ld-linux-x86-64.so.2";
  CHECK(r.file == loader);
  CHECK(r.argv == std::vector<std::string>{loader, "--argv0", "prog", "/usr/bin/prog", "a"});
  CHECK(r.program == "/usr/bin/prog");
}

TEST_CASE("a script runs as its interpreter's exec, its one argument and its view path passed") {
  View v;
  const ExecRewrite r = rewrite_exec(v.tr, "/usr/bin/script", {"script", "b"});
  REQUIRE(r.error == 0);
  const std::string loader = v.pkg + "/usr/lib64/ld-linux-x86-64.so.2";
  CHECK(r.argv == std::vector<std::string>{loader, "--argv0", "/usr/bin/prog", "/usr/bin/prog", "-x",
                                           "/usr/bin/script", "b"});
  CHECK(r.program == "/usr/bin/prog");
}

TEST_CASE("a static program is exec'd as it is, and what cannot run fails as execve would") {
  View v;
  const ExecRewrite r = rewrite_exec(v.tr, "/usr/bin/static", {"static"});
  REQUIRE(r.error == 0);
  CHECK(r.file == v.pkg + "/usr/bin/static");
  CHECK(r.argv == std::vector<std::string>{"static"});
  CHECK(rewrite_exec(v.tr, "/usr/bin/none", {"none"}).error == ENOENT);
  CHECK(rewrite_exec(v.tr, "/usr/bin", {"bin"}).error == EACCES);
  if (::geteuid() != 0) CHECK(rewrite_exec(v.tr, "/usr/bin/data", {"data"}).error == EACCES);
}

TEST_CASE("the hot calls go to the supervisor as user notifications, the rest stop for ptrace") {
  const auto notified = [](long nr) {
    for (const StoppedCall& c : redirected_calls()) {
      if (c.nr == nr) return c.notify ? 1 : 0;
    }
    return -1;  // not stopped at all
  };
  for (long nr : {SYS_open, SYS_openat, SYS_stat, SYS_lstat, SYS_newfstatat, SYS_statx, SYS_access, SYS_faccessat,
                  SYS_faccessat2, SYS_readlink, SYS_readlinkat, SYS_getcwd}) {
    INFO("system call " << nr);
    CHECK(notified(nr) == 1);
  }
  // execve and chdir change the caller (registers, its own working directory);
  // openat2's struct open_how and the mutations stay with the tracer.
  for (long nr : {SYS_execve, SYS_chdir, SYS_openat2, SYS_mkdirat, SYS_unlinkat, SYS_renameat2, SYS_creat, SYS_fchmod}) {
    INFO("system call " << nr);
    CHECK(notified(nr) == 0);
  }
  CHECK(notified(SYS_getdents64) == -1);
}

TEST_CASE("execveat is an exec of its dirfd and path, a final link followed unless AT_SYMLINK_NOFOLLOW") {
  const PathCall at = described(SYS_execveat, {3, 0, 0, 0, 0});
  CHECK(at.kind == PathCallKind::Exec);
  REQUIRE(at.paths.size() == 1);
  CHECK(at.paths[0].dirfd_arg == 0);
  CHECK(at.paths[0].path_arg == 1);
  CHECK(at.paths[0].follow);
  CHECK_FALSE(described(SYS_execveat, {3, 0, 0, 0, AT_SYMLINK_NOFOLLOW}).paths[0].follow);
  // Stopped always: fexecve's AT_EMPTY_PATH names a file to run in the view too.
  bool stopped = false;
  for (const StoppedCall& c : redirected_calls()) {
    if (c.nr == SYS_execveat) stopped = c.at_flags_arg < 0 && !c.notify;
  }
  CHECK(stopped);
}

TEST_CASE("bind, connect and sendto name a socket address; send() without one is not stopped") {
  const PathCall bind = described(SYS_bind, {3, 0, 110});
  CHECK(bind.kind == PathCallKind::Socket);
  CHECK(bind.paths[0].path_arg == 1);
  CHECK(bind.len_arg == 2);
  CHECK(bind.paths[0].intent == Intent::Create);
  CHECK_FALSE(bind.paths[0].follow);
  const PathCall connect = described(SYS_connect, {3, 0, 110});
  CHECK(connect.paths[0].intent == Intent::Lookup);
  CHECK(connect.paths[0].follow);
  const PathCall sendto = described(SYS_sendto, {3, 0, 1, 0, 0x1000, 110});
  CHECK(sendto.paths[0].path_arg == 4);
  CHECK(sendto.len_arg == 5);
  const uint64_t send_args[6] = {3, 0x2000, 1, 0, 0, 0};
  CHECK_FALSE(describe_path_call(SYS_sendto, send_args).has_value());
  int filter_arg = -2;
  for (const StoppedCall& c : redirected_calls()) {
    if (c.nr == SYS_sendto) filter_arg = c.nonzero_arg;
  }
  CHECK(filter_arg == 4);  // the filter lets send() run without a stop
}

TEST_CASE("a socket address's path is read as the kernel reads it, and written back within sun_path") {
  const auto addr = [](const std::string& path, sa_family_t family = AF_UNIX) {
    sockaddr_un un{};
    un.sun_family = family;
    std::memcpy(un.sun_path, path.data(), std::min(path.size(), sizeof un.sun_path));
    return un;
  };
  constexpr size_t at = offsetof(sockaddr_un, sun_path);
  sockaddr_un un = addr("/run/app.sock");
  CHECK(unix_socket_path(&un, sizeof un) == std::optional<std::string>("/run/app.sock"));
  CHECK(unix_socket_path(&un, at + 4) == std::optional<std::string>("/run"));  // cut at the length given
  un = addr(std::string(1, '\0') + "abstract");
  CHECK_FALSE(unix_socket_path(&un, at + 9).has_value());
  un = addr("");
  CHECK_FALSE(unix_socket_path(&un, at).has_value());  // unnamed: autobind
  un = addr("/x", AF_INET6);
  CHECK_FALSE(unix_socket_path(&un, sizeof un).has_value());
  CHECK_FALSE(unix_socket_path(&un, sizeof un + 1).has_value());  // the kernel answers EINVAL
  un = addr(std::string(sizeof un.sun_path, 'p'));                // no NUL: all 108 bytes
  CHECK(unix_socket_path(&un, sizeof un)->size() == sizeof un.sun_path);

  const std::optional<UnixAddress> out = unix_socket_address("/dev/shm/s");
  REQUIRE(out.has_value());
  CHECK(out->len == at + 11);
  CHECK(std::string(out->addr.sun_path) == "/dev/shm/s");
  CHECK(unix_socket_address(std::string(kMaxSocketPath, 'p')).has_value());
  CHECK_FALSE(unix_socket_address(std::string(kMaxSocketPath + 1, 'p')).has_value());
}

TEST_CASE("readlink of /proc/self/fd/N and cwd shows the view path, a deleted file's with (deleted)") {
  View v;
  write_file(v.t / "upper/usr/gone", "x", 0644);
  const int packaged = ::open((v.pkg + "/usr/bin/prog").c_str(), O_RDONLY | O_CLOEXEC);
  const int deleted = ::open((v.t / "upper/usr/gone").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(packaged >= 0);
  REQUIRE(deleted >= 0);
  ::unlink((v.t / "upper/usr/gone").c_str());
  const auto shown = [&](const std::string& link) { return resolve_proc_link(::getpid(), link, v.tr).shown; };
  CHECK(shown("/proc/self/fd/" + std::to_string(packaged)) == "/usr/bin/prog");
  CHECK(shown("/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(packaged)) == "/usr/bin/prog");
  CHECK(shown("/proc/self/fd/" + std::to_string(deleted)) == "/usr/gone (deleted)");
  CHECK(shown("/proc/self/root") == "/");
  char before[4096];
  REQUIRE(::getcwd(before, sizeof before));
  REQUIRE(::chdir((v.pkg + "/usr/bin").c_str()) == 0);
  CHECK(shown("/proc/self/cwd") == "/usr/bin");
  REQUIRE(::chdir(before) == 0);
  ::close(packaged);
  ::close(deleted);
}
