// `appv registry list|get|set|reset`: an app's GSettings keys, read and changed from
// outside it. Packaged defaults come from the package last run (its keyfile at
// /etc/glib-2.0/settings/defaults, written by `appv pack` from [registry]); the
// user's values live in the sandbox, where the app's keyfile backend writes them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "launcher/app_ids.h"
#include "launcher/command_line.h"
#include "vfs/sandbox_access.h"
#include "base/error.h"
#include "base/user_dirs.h"
#include "vfs/layout.h"
#include "manifests/registry.h"
#include "manifests/tokens.h"
#include "vfs/cache.h"
#include "base/fs_util.h"
#include "vfs/sandbox.h"
#include "base/resolve.h"
#include "base/unique_fd.h"

namespace appv::cli {
namespace {

// The keyfile at the virtual path `vpath` of the tree `root` (a package's extracted
// tree, a sandbox's upper layer: content a package or the app controls), read inside
// that tree (base/resolve.h, InRoot): a link planted there never makes appv read a
// host file. A missing or non-regular file reads as empty.
RegistryValues read_keyfile(const std::string& root, const std::string& vpath) {
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return {};
  UniqueFd fd(openat_resolved(dir.get(), vpath, O_RDONLY | O_NONBLOCK | O_NOCTTY, Resolve::InRoot));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  std::string text;
  char buf[1 << 14];
  for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot read", root + vpath, errno);
    text.append(buf, static_cast<size_t>(n));
  }
  return parse_keyfile(text);
}

struct AppRegistry {
  std::string sandbox;
  std::string user_file;      // host path of the user's keyfile in the sandbox
  std::string user_file_dir;  // its directory as a virtual path
  std::string package_root;   // "" if the package is not in the cache
  RegistryValues defaults;
  RegistryValues user;
};

// The sandbox directory of `app`. Reading needs the sandbox to exist (the app ran as
// this user); changing a key also takes an installed app that has not run yet (its
// first run reads the value). Any other id is refused with Exit::NoInput and the
// closest known id, rather than making a sandbox for a typo.
std::string known_sandbox(const std::string& app, bool installed_will_do) {
  std::string sandbox = sandbox_dir(app);
  if (path_exists(sandbox)) return sandbox;
  std::vector<std::string> known = sandbox_app_ids();
  if (installed_will_do) {
    for (bool system : {false, true}) {
      for (std::string& id : installed_app_ids(system)) {
        if (id == app) return sandbox;
        known.push_back(std::move(id));
      }
    }
  }
  throw Error(Exit::NoInput, fmt::format("{} has no sandbox (it has not run as this user){}", app, app_id_hint(app, known)));
}

AppRegistry load(const std::string& app) {
  AppRegistry r;
  r.sandbox = known_sandbox(app, false);
  const std::string vfile = fmt::format("{}/{}", require_xdg_dir(XdgDir::Config), kRegistryUserFile);
  r.user_file_dir = vfile.substr(0, vfile.find_last_of('/'));
  r.user_file = layout::upper(r.sandbox) + vfile;
  if (std::optional<SandboxState> state = read_state(r.sandbox); state && !state->digest.empty()) {
    const std::string root = layout::cache_root(cache_dir(), state->digest);
    if (path_exists(root)) r.package_root = root;
  }
  if (!r.package_root.empty()) r.defaults = read_keyfile(r.package_root, kRegistryDefaultsPath);
  r.user = read_keyfile(layout::upper(r.sandbox), vfile);
  return r;
}

void check_key(const std::string& key) {
  if (std::string why = check_registry_key(key); !why.empty()) throw Error(Exit::Usage, fmt::format("key '{}' {}", key, why));
}

void save(const AppRegistry& r) {
  make_upper_dirs(r.sandbox, r.user_file_dir, r.package_root);
  write_file_atomic(r.user_file, format_keyfile(r.user), 0600);
}

}  // namespace

int cmd_registry_list(const std::string& app) {
  AppRegistry r = load(app);
  RegistryValues all = r.defaults;
  for (const auto& [k, v] : r.user) all[k] = v;
  for (const auto& [key, value] : all) {
    fmt::print("{} {}  ({})\n", key, value, r.user.count(key) ? "user" : "default");
  }
  if (all.empty()) fmt::print("{}: no registry keys{}\n", app, r.package_root.empty() ? " (its package is not in the cache)" : "");
  return 0;
}

int cmd_registry_get(const std::string& app, const std::string& key) {
  check_key(key);
  AppRegistry r = load(app);
  auto it = r.user.find(key);
  if (it == r.user.end()) it = r.defaults.find(key);
  if (it == r.defaults.end()) throw Error(Exit::Failure, fmt::format("{}: key '{}' has no value (neither set nor packaged)", app, key));
  fmt::print("{}\n", it->second);
  return 0;
}

int cmd_registry_set(const std::string& app, const std::string& key, const std::string& value) {
  check_key(key);
  if (value.empty()) throw Error(Exit::Usage, "the value is empty; give GVariant text such as \"'text'\", 42 or true");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) throw Error(Exit::Usage, "the value holds a control character; write \\n etc. in GVariant text");
  }
  UniqueFd lock = lock_stopped_sandbox(known_sandbox(app, true), app, "change its registry");
  AppRegistry r = load(app);
  r.user[key] = value;
  save(r);
  return 0;
}

int cmd_registry_reset(const std::string& app, const std::string& key) {
  if (!key.empty()) check_key(key);
  const std::string sandbox = known_sandbox(app, true);
  if (!path_exists(sandbox)) return 0;  // installed, never run: nothing of the user's to drop
  UniqueFd lock = lock_stopped_sandbox(sandbox, app, "change its registry");
  AppRegistry r = load(app);
  if (key.empty()) r.user.clear();
  else if (!r.user.erase(key)) return 0;
  save(r);
  return 0;
}

// `registry` here is the configuration layer (GSettings keys), not an OCI registry.
void add_registry_command(CLI::App& app, Commands& out) {
  struct KeyArgs {
    std::string app_id, key, value;
  };
  auto args = std::make_shared<KeyArgs>();
  CLI::App* registry_cmd = app.add_subcommand("registry", "Read and change an app's configuration keys (GSettings)");
  registry_cmd->require_subcommand(1);
  registry_cmd->footer("Keys are dconf paths (/org/example/app/key); values are GVariant text ('text', 42, true, ['a']).");
  CLI::App* list = registry_cmd->add_subcommand("list", "Every key of APP with its value, packaged default or yours");
  list->add_option("app", args->app_id, "App id")->required();
  out.add(list, [args] { return cmd_registry_list(args->app_id); });
  CLI::App* get = registry_cmd->add_subcommand("get", "Print KEY's value");
  get->add_option("app", args->app_id, "App id")->required();
  get->add_option("key", args->key, "Key, as /org/example/app/key")->required();
  out.add(get, [args] { return cmd_registry_get(args->app_id, args->key); });
  CLI::App* set = registry_cmd->add_subcommand("set", "Set KEY to VALUE (GVariant text) for you");
  set->add_option("app", args->app_id, "App id")->required();
  set->add_option("key", args->key, "Key, as /org/example/app/key")->required();
  set->add_option("value", args->value, "Value as GVariant text, e.g. \"'hello'\" or 42")->required();
  out.add(set, [args] { return cmd_registry_set(args->app_id, args->key, args->value); });
  CLI::App* reset = registry_cmd->add_subcommand("reset", "Drop your value of KEY (or of every key): the default returns");
  reset->add_option("app", args->app_id, "App id")->required();
  reset->add_option("key", args->key, "Key (default: every key)");
  out.add(reset, [args] { return cmd_registry_reset(args->app_id, args->key); });
}

}  // namespace appv::cli
