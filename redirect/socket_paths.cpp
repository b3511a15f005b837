#include "redirect/socket_paths.h"

#include <cstring>

namespace appv {

std::optional<std::string> unix_socket_path(const void* addr, size_t len) {
  constexpr size_t kPathAt = offsetof(sockaddr_un, sun_path);
  if (addr == nullptr || len <= kPathAt || len > sizeof(sockaddr_un)) return std::nullopt;
  sockaddr_un un{};
  std::memcpy(&un, addr, len);
  if (un.sun_family != AF_UNIX || un.sun_path[0] == '\0') return std::nullopt;
  const size_t room = len - kPathAt;
  const void* nul = std::memchr(un.sun_path, '\0', room);
  return std::string(un.sun_path, nul ? static_cast<size_t>(static_cast<const char*>(nul) - un.sun_path) : room);
}

std::optional<UnixAddress> unix_socket_address(const std::string& path) {
  if (path.empty() || path.size() > kMaxSocketPath || path.find('\0') != std::string::npos) return std::nullopt;
  UnixAddress out;
  out.addr.sun_family = AF_UNIX;
  std::memcpy(out.addr.sun_path, path.c_str(), path.size() + 1);
  out.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return out;
}

}  // namespace appv
