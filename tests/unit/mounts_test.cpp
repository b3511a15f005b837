#include <catch2/catch.hpp>

#include "redirect/mounts.h"
#include "redirect/shared_overlay.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;

TEST_CASE("overlay option values escape their separators") {
  CHECK(escape_overlay_path("/plain/path") == "/plain/path");
  CHECK(escape_overlay_path("/a:b,c\\d") == "/a\\:b\\,c\\\\d");
}

namespace {

// An overlay op as vfs/view.cpp plans a writecopy tree: the host's directory at its own
// path under the sandbox's upper directory.
// (Its work directory's name encodes the path, '/' as "%2F".)
MountOp tree(const std::string& path) {
  std::string work = path.substr(1);
  for (size_t at = 0; (at = work.find('/', at)) != std::string::npos;) work.replace(at, 1, "%2F");
  return MountOp::overlay(path, {path}, "/s/upper" + path, "/s/work/" + work, "test");
}

}  // namespace

TEST_CASE("one overlay of the host's root serves the host's trees on the root mount") {
  Plan plan;
  plan.host_mounts = {"/", "/proc", "/home", "/var/lib/docker"};
  plan.ops = {
      MountOp::dir("/etc", "test"), tree("/etc"),                                  // 0, 1: served
      MountOp::overlay("/usr", {"/pkg/usr", "/usr"}, "/s/upper/usr", "/s/work/usr", "test"),  // 2: the package's layer too
      tree("/opt"),                                                                 // 3: served
      tree("/home/u"),                                                              // 4: on another mount
      tree("/var"),                                                                 // 5: a mount below it
      MountOp::overlay("/srv", {"/srv"}, "/other/upper/srv", "/s/work/srv", "test"),  // 6: another upper directory
      MountOp::overlay("/lnk", {"/target"}, "/s/upper/lnk", "/s/work/lnk", "test"),   // 7: a link's target, elsewhere
      tree("/root/.config"),                                                        // 8: served (deeper)
      MountOp::bind("/tmp", "/tmp", "test"),
  };
  const std::optional<SharedOverlay> shared = plan_shared_overlay(plan);
  REQUIRE(shared);
  CHECK(shared->members == std::vector<size_t>{1, 3, 8});
  CHECK(shared->upper == "/s/upper");
  CHECK(shared->work == "/s/work/%shared");
}

TEST_CASE("no shared overlay for a single tree, nor in a plan that splits a directory") {
  Plan one;
  one.host_mounts = {"/"};
  one.ops = {tree("/etc"), MountOp::overlay("/usr", {"/pkg/usr", "/usr"}, "/s/upper/usr", "/s/work/usr", "test")};
  CHECK_FALSE(plan_shared_overlay(one));

  Plan split = one;
  split.ops.push_back(tree("/opt"));
  REQUIRE(plan_shared_overlay(split));
  split.host_mounts.push_back("/srv/data");
  split.ops.push_back(MountOp::split("/srv", {}, {}, "/s/upper/srv", "/s/work/srv", "test"));
  CHECK_FALSE(plan_shared_overlay(split));
}

TEST_CASE("the mounts that may not answer are the network, FUSE and unknown ones") {
  appv::test::TempDir dir;
  // Lines as the kernel writes them (proc(5)); optional fields before " - " vary.
  appv::test::write_file(dir / "mountinfo",
             "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
             "23 22 0:5 / /proc rw,nosuid - proc proc rw\n"
             "24 22 0:40 / /home/u/remote rw,nosuid,nodev shared:7 master:3 - fuse.sshfs u@host: rw,user_id=1000\n"
             "25 22 0:41 / /mnt/nfs\\040share rw - nfs4 server:/export rw,vers=4.2\n"
             "26 22 0:42 / /snap/core/1 ro - squashfs /dev/loop0 ro\n"
             "27 22 0:43 / /net rw - autofs systemd-1 rw,fd=30\n"
             "28 22 0:44 / /srv/odd rw - somefs none rw\n"
             "29 22 0:45 / /tmp rw - tmpfs tmpfs rw\n");
  const MountPoints read = read_mount_points(dir / "mountinfo");
  CHECK(read.all.size() == 8);
  CHECK(read.all[3] == "/mnt/nfs share");
  CHECK(read.may_wait ==
        std::vector<std::string>{"/home/u/remote", "/mnt/nfs share", "/net", "/srv/odd"});
  CHECK(read_mount_points(dir / "missing").all.empty());
}

TEST_CASE("the kernel's file systems out of their place are told from those in it") {
  appv::test::TempDir dir;
  appv::test::write_file(dir / "mountinfo",
             "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
             "23 22 0:5 / /proc rw,nosuid - proc proc rw\n"
             "24 23 0:5 /sys /proc/sys ro,nosuid - proc proc rw\n"  // a container's read-only /proc/sys
             "25 22 0:6 / /sys rw - sysfs sysfs rw\n"
             "26 25 0:7 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
             "27 22 0:8 / /dev/pts rw - devpts devpts rw\n"
             "28 22 0:9 / /dev/mqueue rw - mqueue mqueue rw\n"
             "29 22 0:5 / /var/lib/sbuild/chroot/proc rw - proc proc rw\n"
             "30 22 0:8 / /var/tmp/pts rw - devpts devpts rw\n"
             "31 22 0:5 / /dev/shm/p rw - proc proc rw\n"
             "32 26 0:5 / /sys/fs/cgroup/p rw - proc proc rw\n"
             "33 22 0:10 / /home/u/cg rw - cgroup2 cgroup2 rw\n"
             "34 22 0:4 net:[4026532] /run/netns/blue rw - nsfs nsfs rw\n"
             "35 22 0:11 / /run/rpc_pipefs rw - rpc_pipefs sunrpc rw\n"
             "36 22 0:12 / /dev rw - devtmpfs udev rw\n"
             "37 22 0:12 /zram0 /mnt/disk rw - devtmpfs udev rw\n");  // a disk's node bound onto a file
  CHECK(read_mount_points(dir / "mountinfo").kernel ==
        std::vector<std::string>{"/var/lib/sbuild/chroot/proc", "/var/tmp/pts", "/dev/shm/p", "/sys/fs/cgroup/p",
                                 "/home/u/cg", "/run/rpc_pipefs", "/mnt/disk"});
}
