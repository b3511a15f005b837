// Unix socket addresses in the namespace-free backend. bind(2), connect(2) and
// sendto(2) name a file by a struct sockaddr_un, not by a path string: the supervisor
// reads the address, translates its path like any other (redirect/supervisor.cpp) and
// writes an address naming the host path back. Pure: the caller reads and writes the
// app's memory.
//
// sun_path holds 108 bytes with its NUL (107 characters): a host path in the sandbox
// or the cache is often longer than the view path the app gave. The supervisor then
// names it through a short link to its directory (Supervisor::fit_socket_path), and
// refuses with ENAMETOOLONG what still does not fit.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <optional>
#include <string>

namespace appv {

// The longest path a sockaddr_un holds with its terminating NUL: 107.
constexpr size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;

// The file path the socket address `addr` (`len` bytes, as the caller passed them)
// names: nullopt for another family, an abstract address (sun_path starts with NUL:
// no file), an unnamed one (no sun_path at all) or a length the kernel refuses (it
// answers EINVAL itself). The path ends at its first NUL or at `len`, as the kernel
// reads it.
std::optional<std::string> unix_socket_path(const void* addr, size_t len);

// The address naming `path`, with its length (the family, the path and its NUL).
// nullopt when `path` is longer than kMaxSocketPath or empty.
struct UnixAddress {
  sockaddr_un addr{};
  socklen_t len = 0;
};
std::optional<UnixAddress> unix_socket_address(const std::string& path);

}  // namespace appv
