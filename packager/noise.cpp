#include "packager/noise.h"

#include "manifests/paths.h"

namespace appv {
namespace {

std::vector<std::string> expanded(const std::vector<std::string>& globs, const Tokens& user) {
  std::vector<std::string> out;
  for (const std::string& g : globs) out.push_back(expand_tokens(g, user, "capture glob"));
  return out;
}

bool any_match(const std::vector<std::string>& globs, const std::string& path) {
  for (const std::string& g : globs) {
    if (glob_match(g, path)) return true;
  }
  return false;
}

}  // namespace

NoiseRules::NoiseRules(CaptureKind kind, const Tokens& user, const std::string& cwd, const Manifest& manifest)
    : allow_(expanded(manifest.capture.allow, user)),
      deny_(expanded(manifest.capture.deny, user)),
      include_(manifest.include) {
  auto at = [&](const char* token, const char* below) -> std::vector<std::string> {
    auto it = user.find(token);
    if (it == user.end()) return {};
    return {it->second + below};
  };
  auto home = [&](const char* below) { return at("HOME", below); };
  auto add = [&](std::string name, std::vector<std::string> globs, bool guarded = false, bool keep = false) {
    if (!globs.empty()) rules_.push_back({std::move(name), std::move(globs), guarded, keep});
  };
  // Secrets first: no allow rule brings them back.
  add("secret: SSH keys and agent state", home("/.ssh"), true);
  add("secret: GnuPG keys", home("/.gnupg"), true);
  add("secret: keyrings and password stores", [&] {
    std::vector<std::string> g = home("/.local/share/keyrings");
    for (auto& p : home("/.password-store")) g.push_back(p);
    return g;
  }(), true);
  add("secret: cloud and registry credentials", [&] {
    std::vector<std::string> g = home("/.aws");
    for (auto& p : home("/.docker/config.json")) g.push_back(p);
    for (auto& p : home("/.config/gcloud")) g.push_back(p);
    return g;
  }(), true);
  add("secret: private keys and credentials files",
      {"/**/*.pem", "/**/*.key", "/**/id_rsa*", "/**/id_ecdsa*", "/**/id_ed25519*", "/**/id_dsa*", "/**/.netrc",
       "/etc/shadow", "/etc/gshadow", "/etc/ssh/ssh_host_*"},
      true);
  add("secret: shell and interpreter history", {"/**/.*_history", "/**/.*history", "/**/.lesshst"}, true);
  // Host state (DESIGN.md): what describes the machine that runs the app, never the one
  // that packed it. A traced `whoami` must name the user who runs it; a traced Python
  // must trust the CAs of the host it runs on; /etc/mtab is a link into /proc.
  add("host state: users and groups", {"/etc/passwd", "/etc/group", "/etc/subuid", "/etc/subgid"}, true);
  add("host state: name service and network configuration",
      {"/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf", "/etc/resolv.conf", "/etc/hostname", "/etc/mailname"}, true);
  add("host state: time zone", {"/etc/localtime", "/etc/timezone"}, true);
  add("host state: machine id", {"/etc/machine-id", "/var/lib/dbus/machine-id"}, true);
  add("host state: mount table", {"/etc/mtab", "/etc/fstab"}, true);
  // The locales the machine generated (locale-gen): a packed archive would hide the
  // host's in the view, and the user's locale with it. C.UTF-8 comes as a file family
  // (packager/families.h); a locale the view lacks falls back at launch.
  add("host state: the machine's compiled locales", {"/usr/lib/locale/locale-archive"}, true);
  add("host state: CA trust store",
      {"/etc/ssl/certs", "/etc/ca-certificates.conf", "/etc/ca-certificates", "/usr/local/share/ca-certificates",
       "/etc/pki/ca-trust", "/etc/pki/tls/certs"},
      true);
  // The user's own files before the system-wide rules, so a document in a
  // working directory below /tmp is reported as a document.
  if (is_clean_absolute(cwd) && cwd != "/") {
    add(kind == CaptureKind::Trace ? "the working directory (documents and outputs)"
                                   : "the working directory (the installer's build tree)",
        {cwd});
  }
  add("the user's cache", at("XDG_CACHE_HOME", ""));
  if (kind == CaptureKind::Trace) add("the user's home (documents, settings)", home(""));
  else add("the user's home (installed for this user)", home(""), false, true);
  add("virtual file system (the kernel's, not the app's)", {"/proc", "/sys", "/dev", "/run"});
  add("temporary files", {"/tmp", "/var/tmp"});
  add("package manager state, caches and logs",
      kind == CaptureKind::Install
          ? std::vector<std::string>{"/var/cache", "/var/log", "/var/lib/dpkg", "/var/lib/apt", "/var/lib/ucf",
                                     "/var/lib/systemd", "/etc/ld.so.cache", "/**/__pycache__", "/**/*.pyc"}
          : std::vector<std::string>{"/var/cache", "/var/log", "/etc/ld.so.cache"});
}

std::optional<std::string> NoiseRules::excludes(const std::string& path) const {
  for (const NoiseRule& r : rules_) {
    if (r.guarded && any_match(r.globs, path)) {
      if (any_match(include_, path)) return std::nullopt;
      return r.name + " (never packed without an explicit files.include)";
    }
  }
  if (any_match(allow_, path)) return std::nullopt;
  if (any_match(deny_, path)) return std::string("manifest capture.deny");
  for (const NoiseRule& r : rules_) {
    if (r.guarded || !any_match(r.globs, path)) continue;
    if (r.keep) return std::nullopt;
    return r.name;
  }
  return std::nullopt;
}

}  // namespace appv
