// The namespace probe on this host, and under a seccomp filter that refuses what it
// tries: it answers which step failed and why, and leaves the caller as it was.
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "redirect/namespace_probe.h"
#include "redirect/seccomp_filter.h"
#include "tests/unit/support/in_child.h"

using namespace appv;
using appv::test::in_child;

namespace {

std::string own_namespace(const char* kind) {
  char buf[64];
  const ssize_t n = ::readlink((std::string("/proc/self/ns/") + kind).c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

}  // namespace

TEST_CASE("namespace probe: on this host every step works, and the caller keeps its namespaces") {
  const std::string user = own_namespace("user"), mnt = own_namespace("mnt");
  const NamespaceSupport s = probe_namespace_support();
  INFO(refusal_message(s));
  CHECK(s.usable());
  CHECK(s.cause == RefusalCause::None);
  CHECK(own_namespace("user") == user);
  CHECK(own_namespace("mnt") == mnt);
}

TEST_CASE("namespace probe: under appv's own filter (no namespaces, no mounts) it names the filter") {
  CHECK(in_child([] {
          // What drop_privileges() sets before the filter, without needing root.
          if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 9;
          install_seccomp_filter();
          const NamespaceSupport s = probe_namespace_support();
          std::fprintf(stderr, "%s\n", refusal_message(s).c_str());
          // Root takes no user namespace: its first step is the mount namespace.
          const NamespaceStep first = ::geteuid() == 0 ? NamespaceStep::MountNamespace : NamespaceStep::UserNamespace;
          if (s.failed != first) return 1;
          if (s.err != EPERM) return 2;
          if (s.cause != RefusalCause::Seccomp) return 3;
          if (refusal_message(s).find("a seccomp filter refuses") == std::string::npos) return 4;
          return 0;
        }) == 0);
}
