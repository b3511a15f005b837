#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/resolve.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"

using namespace appv;
using namespace appv::test;

namespace {

using OpenFn = std::function<int(int, const std::string&, int, Resolve, mode_t)>;

// Reads what `path` opens to, or "errno:N".
std::string read_via(const OpenFn& open_fn, int root, const std::string& path, Resolve how) {
  int fd = open_fn(root, path, O_RDONLY, how, 0);
  if (fd < 0) return "errno:" + std::to_string(errno);
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n < 0 ? "read-error" : std::string(buf, static_cast<size_t>(n));
}

// A tree whose links try every way out: the outside holds "secret", the root "inside".
struct Tree {
  TempDir dir;
  std::string root = dir / "root";
  UniqueFd fd;
  Tree() {
    ::mkdir(root.c_str(), 0755);
    write_file(dir / "secret", "secret");
    ::mkdir((root + "/a").c_str(), 0755);
    ::mkdir((root + "/etc").c_str(), 0755);
    write_file(root + "/etc/secret", "inside");
    write_file(root + "/file", "file");
    CHECK(::symlink("..", (root + "/a/up").c_str()) == 0);
    CHECK(::symlink("up/..", (root + "/a/e1").c_str()) == 0);
    CHECK(::symlink("../../secret", (root + "/a/rel").c_str()) == 0);
    CHECK(::symlink((dir / "secret").c_str(), (root + "/abs").c_str()) == 0);
    CHECK(::symlink("/etc/secret", (root + "/vabs").c_str()) == 0);
    CHECK(::symlink("loop2", (root + "/loop1").c_str()) == 0);
    CHECK(::symlink("loop1", (root + "/loop2").c_str()) == 0);
    CHECK(::symlink("file", (root + "/to-file").c_str()) == 0);
    fd.reset(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
};

}  // namespace

TEST_CASE("resolving inside a root never leaves it, with openat2 and with the component walk") {
  Tree t;
  REQUIRE(t.fd);
  for (const auto& [name, fn] : {std::pair<const char*, OpenFn>{"openat2", openat_resolved}, {"walk", openat_resolved_walk}}) {
    INFO(name);
    const int r = t.fd.get();
    // Plain names and links inside the root.
    CHECK(read_via(fn, r, "file", Resolve::InRoot) == "file");
    CHECK(read_via(fn, r, "to-file", Resolve::InRoot) == "file");
    // '..' and chains of links stop at the root, as in a chroot.
    CHECK(read_via(fn, r, "../secret", Resolve::InRoot) == "errno:" + std::to_string(ENOENT));
    CHECK(read_via(fn, r, "a/e1/etc/secret", Resolve::InRoot) == "inside");
    CHECK(read_via(fn, r, "a/e1/secret", Resolve::InRoot) == "errno:" + std::to_string(ENOENT));
    CHECK(read_via(fn, r, "a/rel", Resolve::InRoot) == "errno:" + std::to_string(ENOENT));
    // Absolute links and paths start from the root.
    CHECK(read_via(fn, r, "vabs", Resolve::InRoot) == "inside");
    CHECK(read_via(fn, r, "/etc/secret", Resolve::InRoot) == "inside");
    CHECK(read_via(fn, r, "abs", Resolve::InRoot) == "errno:" + std::to_string(ENOENT));
    // Loops end in ELOOP; a magic link never reaches the process's real directory.
    CHECK(read_via(fn, r, "loop1", Resolve::InRoot) == "errno:" + std::to_string(ELOOP));
    UniqueFd proc_self(::open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC));
    int magic = fn(proc_self.get(), "cwd", O_PATH | O_DIRECTORY, Resolve::InRoot, 0);
    CHECK(magic < 0);
    if (magic >= 0) ::close(magic);
    // O_NOFOLLOW keeps a last-component link from being followed at all.
    const OpenFn open_fn = fn;  // a copy: clang before 16 cannot capture a structured binding
    CHECK(read_via([open_fn](int d, const std::string& p, int f, Resolve h, mode_t m) { return open_fn(d, p, f | O_NOFOLLOW, h, m); },
                   r, "to-file", Resolve::InRoot) == "errno:" + std::to_string(ELOOP));

    // NoSymlinks: no link anywhere, nothing above the directory.
    CHECK(read_via(fn, r, "file", Resolve::NoSymlinks) == "file");
    CHECK(read_via(fn, r, "to-file", Resolve::NoSymlinks) == "errno:" + std::to_string(ELOOP));
    CHECK(read_via(fn, r, "a/up/file", Resolve::NoSymlinks) == "errno:" + std::to_string(ELOOP));
    CHECK(read_via(fn, r, "../secret", Resolve::NoSymlinks) == "errno:" + std::to_string(EXDEV));
    CHECK(read_via(fn, r, "/etc/secret", Resolve::NoSymlinks) == "errno:" + std::to_string(EXDEV));
  }
}

TEST_CASE("creating a file through a planted link lands inside the root, or not at all") {
  Tree t;
  CHECK(::symlink("../../outside-new", (t.root + "/a/plant").c_str()) == 0);
  for (const auto& fn : {OpenFn(openat_resolved), OpenFn(openat_resolved_walk)}) {
    int fd = fn(t.fd.get(), "a/plant", O_WRONLY | O_CREAT | O_EXCL, Resolve::InRoot, 0600);
    CHECK(fd < 0);  // O_EXCL: the link itself exists
    if (fd >= 0) ::close(fd);
    fd = fn(t.fd.get(), "a/plant", O_WRONLY | O_CREAT, Resolve::NoSymlinks, 0600);
    CHECK(fd < 0);
    if (fd >= 0) ::close(fd);
  }
  CHECK_FALSE(exists(t.dir / "outside-new"));
}

TEST_CASE("open_resolved names the path and errno when it refuses") {
  Tree t;
  CHECK_REFUSED(open_resolved(t.fd.get(), t.root, "loop1", O_RDONLY, Resolve::InRoot), Exit::BadInput, "/loop1");
  CHECK_REFUSED(open_resolved(t.fd.get(), t.root, "missing", O_RDONLY, Resolve::InRoot), Exit::NoInput, "No such file");
}
