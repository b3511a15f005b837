#include "distribution/oci_reference.h"

#include <fmt/format.h>

#include "base/error.h"

namespace appv {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A path component of the distribution spec's grammar:
// [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool valid_component(std::string_view c) {
  if (c.empty() || !lower_alnum(c.front()) || !lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    if (lower_alnum(c[i])) continue;
    size_t j = i;
    while (j < c.size() && !lower_alnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" || sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j - 1;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  if (!word(t[0])) return false;
  for (char c : t) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// host[:port]: letters, digits, '-', '.', or a bracketed IPv6 address.
bool valid_registry(std::string_view r) {
  if (r.empty() || r.size() > 255) return false;
  std::string_view host = r, port;
  if (r.front() == '[') {
    size_t close = r.find(']');
    if (close == std::string_view::npos) return false;
    host = r.substr(1, close - 1);
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) return false;
    std::string_view rest = r.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else {
    size_t colon = r.rfind(':');
    if (colon != std::string_view::npos) {
      host = r.substr(0, colon);
      port = r.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.empty() || host.front() == '-' || host.front() == '.') return false;
    for (char c : host) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      if (!ok) return false;
    }
  }
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
  return true;
}

// Splits "REGISTRY/REPO..." and checks both; `rest` receives the repository part.
OciReference split_registry(std::string_view text, std::string_view original) {
  if (text.rfind("oci://", 0) == 0) text.remove_prefix(6);
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    throw Error(Exit::Usage, fmt::format("'{}' names no registry: write REGISTRY/REPOSITORY[:TAG], e.g. "
                                         "registry.example.com/tools/jq:1.6", original));
  }
  OciReference ref;
  ref.registry = std::string(text.substr(0, slash));
  if (!valid_registry(ref.registry)) throw Error(Exit::Usage, fmt::format("'{}': '{}' is not a registry host[:port]", original, ref.registry));
  ref.repository = std::string(text.substr(slash + 1));
  return ref;
}

void check_repository(const std::string& repo, std::string_view original) {
  if (repo.empty() || repo.size() > 255) throw Error(Exit::Usage, fmt::format("'{}' names no repository", original));
  size_t start = 0;
  while (true) {
    size_t slash = repo.find('/', start);
    std::string_view c = std::string_view(repo).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!valid_component(c)) {
      throw Error(Exit::Usage, fmt::format("'{}': repository '{}' is not valid (lower-case letters, digits, and . _ - "
                                           "between them, components separated by /)", original, repo));
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

}  // namespace

std::string OciReference::str() const {
  std::string out = repo_name();
  if (!digest.empty()) return out + "@" + digest;
  return out + ":" + tag;
}

OciReference parse_oci_reference(std::string_view text) {
  OciReference ref = split_registry(text, text);
  std::string& rest = ref.repository;
  size_t at = rest.find('@');
  if (at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest.resize(at);
    if (!is_sha256_digest(ref.digest)) {
      throw Error(Exit::Usage, fmt::format("'{}': digest '{}' is not sha256:<64 lower-case hex digits>", text, ref.digest));
    }
  }
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
    ref.tag = rest.substr(colon + 1);
    rest.resize(colon);
    if (!valid_tag(ref.tag)) {
      throw Error(Exit::Usage, fmt::format("'{}': tag '{}' is not valid (letters, digits, _ . -, at most 128, "
                                           "not starting with . or -)", text, ref.tag));
    }
  }
  check_repository(rest, text);
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

OciReference parse_oci_repository(std::string_view text) {
  OciReference ref = split_registry(text, text);
  if (ref.repository.find_first_of(":@") != std::string::npos) {
    throw Error(Exit::Usage, fmt::format("'{}': give a repository without tag or digest", text));
  }
  check_repository(ref.repository, text);
  return ref;
}

bool is_sha256_digest(std::string_view d) {
  if (d.size() != 71 || d.substr(0, 7) != "sha256:") return false;
  return d.substr(7).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string registry_host(std::string_view registry) {
  if (!registry.empty() && registry.front() == '[') return std::string(registry.substr(1, registry.find(']') - 1));
  return std::string(registry.substr(0, registry.rfind(':')));
}

bool is_loopback_registry(std::string_view registry) {
  std::string host = registry_host(registry);
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as four decimal octets.
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

}  // namespace appv
