#include "desktop/install.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "desktop/desktop_entry.h"
#include "desktop/menu_files.h"
#include "manifests/icon_format.h"
#include "base/error.h"
#include "base/owned_dirs.h"
#include "base/user_dirs.h"
#include "vfs/cache.h"
#include "base/fs_util.h"
#include "base/resolve.h"
#include "base/text.h"
#include "base/unique_fd.h"
#include "vfs/package.h"

extern char** environ;

namespace appv {
namespace {

// What one install added: files, then the directories it had to create. Kept as
// <appv>/installed/<id>.record, one "kind path" per line.
struct Record {
  std::string id, version, package;
  std::vector<std::string> files;
  std::vector<std::string> dirs;
  std::vector<std::string> desktop_files;
  std::vector<std::string> caches;  // database caches that did not exist before appv
  std::vector<std::string> commands;  // exported commands: links to `package`
  std::string origin, digest;       // InstallOrigin
  // The version this one replaced, kept for rollback: its package file and origin.
  std::string previous, previous_version, previous_origin, previous_digest;
};


// Writes beside `path` and renames over it: readers see the old file or the new one.

std::string record_path(const InstallRoots& roots, const std::string& id) {
  return fmt::format("{}/installed/{}.record", roots.appv, id);
}
// The application/x-appv registration is shared by every installed package.
std::string shared_record_path(const InstallRoots& roots) { return roots.appv + "/installed/.shared.record"; }

void save(const Record& r, const std::string& path) {
  // One value a line: a value that could start a line of its own (a version or a
  // path with a line break, from a hand-made package or a registry) would add entries
  // that uninstall then removes. Manifests refuse such versions; this is the backstop.
  auto one_line = [&](const std::string& value) {
    if (value.find_first_of(std::string_view("\n\r\0", 3)) != std::string::npos) {
      throw Error(Exit::BadInput, fmt::format("cannot record the install of {}: '{}' holds a line break", printable(r.id), printable(value)));
    }
  };
  for (const std::string* value : {&r.id, &r.version, &r.package, &r.origin, &r.digest, &r.previous, &r.previous_version,
                                   &r.previous_origin, &r.previous_digest}) {
    one_line(*value);
  }
  for (const std::vector<std::string>* list : {&r.files, &r.dirs, &r.desktop_files, &r.caches, &r.commands}) {
    for (const std::string& value : *list) one_line(value);
  }
  std::string text = fmt::format("id {}\nversion {}\npackage {}\n", r.id, r.version, r.package);
  for (const auto& f : r.files) text += "file " + f + "\n";
  for (const auto& d : r.dirs) text += "dir " + d + "\n";
  for (const auto& d : r.desktop_files) text += "desktop " + d + "\n";
  for (const auto& c : r.caches) text += "cache " + c + "\n";
  for (const auto& c : r.commands) text += "command " + c + "\n";
  for (const auto& [key, value] : {std::pair{"origin", &r.origin}, {"digest", &r.digest}, {"previous", &r.previous},
                                   {"previous-version", &r.previous_version}, {"previous-origin", &r.previous_origin},
                                   {"previous-digest", &r.previous_digest}}) {
    if (!value->empty()) text += fmt::format("{} {}\n", key, *value);
  }
  write_file_atomic(path, text, 0644);
}

Record parse_record(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_sys("cannot read install record", path, errno, Exit::NoInput);
  Record r;
  std::string line;
  while (std::getline(in, line)) {
    size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    std::string kind = line.substr(0, space), value = line.substr(space + 1);
    if (kind == "id") r.id = value;
    else if (kind == "version") r.version = value;
    else if (kind == "package") r.package = value;
    else if (kind == "file") r.files.push_back(value);
    else if (kind == "dir") r.dirs.push_back(value);
    else if (kind == "desktop") r.desktop_files.push_back(value);
    else if (kind == "cache") r.caches.push_back(value);
    else if (kind == "command") r.commands.push_back(value);
    else if (kind == "origin") r.origin = value;
    else if (kind == "digest") r.digest = value;
    else if (kind == "previous") r.previous = value;
    else if (kind == "previous-version") r.previous_version = value;
    else if (kind == "previous-origin") r.previous_origin = value;
    else if (kind == "previous-digest") r.previous_digest = value;
  }
  return r;
}

// True for a path below one of the install's own directories with no "." or ".."
// component: the only places a record may name for removal.
bool inside_roots(const std::string& path, const InstallRoots& roots) {
  if (path.find("/./") != std::string::npos || path.find("/../") != std::string::npos ||
      (path.size() >= 3 && path.compare(path.size() - 3, 3, "/..") == 0)) {
    return false;
  }
  for (const std::string* root : {&roots.data, &roots.appv, &roots.bin}) {
    if (!root->empty() && path.size() > root->size() + 1 && path.compare(0, root->size(), *root) == 0 && path[root->size()] == '/') {
      return true;
    }
  }
  return false;
}

// The record at `path`, whose entries must all lie inside `roots`: a record is a file
// someone else may have written (root given a user's HOME, a directory swapped after
// the owner check), and uninstall removes what it names. Exit::BadInput otherwise,
// before anything is removed.
Record load(const std::string& path, const InstallRoots& roots) {
  Record r = parse_record(path);
  std::vector<const std::string*> named = {&r.package};
  if (!r.previous.empty()) named.push_back(&r.previous);
  for (const std::vector<std::string>* list : {&r.files, &r.desktop_files, &r.caches, &r.commands}) {
    for (const std::string& value : *list) named.push_back(&value);
  }
  for (const std::string* value : named) {
    if (!value->empty() && !inside_roots(*value, roots)) {
      throw Error(Exit::BadInput, fmt::format("install record '{}' names '{}', outside appv's install directories; nothing "
                                              "was removed", path, printable(*value)));
    }
  }
  return r;
}

// mkdir -p that records each directory it creates, parents first.
void make_recorded_dirs(const std::string& path, Record& r) {
  std::vector<std::string> missing;
  for (std::string p = path; !p.empty() && p != "/" && !path_exists(p); p = parent_dir(p)) missing.push_back(p);
  std::reverse(missing.begin(), missing.end());
  for (const std::string& dir : missing) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw_sys("cannot create directory", dir, errno);
    r.dirs.push_back(dir);
  }
}

void write_recorded_file(const std::string& path, const std::string& content, mode_t mode, Record& r) {
  make_recorded_dirs(parent_dir(path), r);
  write_file_atomic(path, content, mode);
  r.files.push_back(path);
}

InstalledApp installed_app(const Record& r) {
  return {r.id, r.version, r.package, r.desktop_files, r.origin, r.digest, r.previous_version, r.commands};
}

std::string previous_path(const InstallRoots& roots, const std::string& id) {
  return fmt::format("{}/packages/{}.previous.appv", roots.appv, id);
}


// The bytes of the package's icon at the virtual path `icon`, read inside its
// extracted tree `root` (DESIGN.md, invariant 8): every link on the way, the last one
// included, resolves inside the tree as in the app's view (base/resolve.h, InRoot), so
// a link chain towards /etc/shadow finds the package's own /etc/shadow or nothing.
// Only a regular file is read (no FIFO, no device).
std::string read_package_icon(const std::string& root, const std::string& icon) {
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw_sys("cannot open", root, errno);
  UniqueFd fd(openat_resolved(dir.get(), icon, O_RDONLY | O_NONBLOCK | O_NOCTTY, Resolve::InRoot));
  if (!fd) throw Error(Exit::BadInput, fmt::format("icon '{}': not readable inside the package: {}", shown_name(icon), errno_text(errno)));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) throw_sys("cannot inspect", root + icon, errno);
  if (!S_ISREG(st.st_mode)) throw Error(Exit::BadInput, fmt::format("icon '{}' is not a regular file in the package", shown_name(icon)));
  if (static_cast<uint64_t>(st.st_size) > kMaxIconBytes) {
    throw Error(Exit::BadInput, fmt::format("icon '{}' is larger than {} bytes", shown_name(icon), kMaxIconBytes));
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot read", root + icon, errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

// Runs a database tool (update-mime-database, update-desktop-database) quietly.
// A missing tool is not an error: the files are in place, only the cache is stale.
void run_tool(const std::vector<std::string>& argv, Reporter& reporter) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    reporter.warning(fmt::format("{} not found; desktop caches not refreshed", argv[0]));
    return;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void refresh_databases(const InstallRoots& roots, Reporter& reporter) {
  if (path_exists(roots.data + "/mime/packages")) run_tool({"update-mime-database", roots.data + "/mime"}, reporter);
  if (path_exists(roots.data + "/applications")) {
    run_tool({"update-desktop-database", roots.data + "/applications"}, reporter);
  }
}

void remove_recorded(const Record& r) {
  for (const std::string& link : r.commands) remove_command_link(link, r.package);
  for (const std::string& f : r.files) {
    if (::unlink(f.c_str()) != 0 && errno != ENOENT) throw_sys("cannot remove", f, errno);
  }
}

// Removes recorded directories deepest first, and only when empty of anything but
// caches the database tools generated there.
void remove_recorded_dirs(const Record& r) {
  std::vector<std::string> dirs = r.dirs;
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& d : dirs) ::rmdir(d.c_str());
}

bool only_generated_mime_files(const std::string& mime_dir) {
  // update-mime-database writes these from packages/; with packages/ empty or gone
  // they describe nothing.
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir((mime_dir + "/packages").c_str()), closedir);
  if (d) {
    while (dirent* e = readdir(d.get())) {
      if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..") return false;
    }
  }
  return true;
}

void remove_install(const std::string& id, const InstallRoots& roots, bool keep_shared, Reporter& reporter);

}  // namespace

InstallRoots InstallRoots::for_user() {
  const std::string data = require_xdg_dir(XdgDir::Data);
  // Where the XDG base directory specification puts a user's executables.
  const std::string home = home_dir();
  // Root given a user's HOME would read that user's records (whose lines say what
  // uninstall removes) and write through links they planted: refused, as for the
  // cache and sandboxes (Exit::NoPerm).
  for (const char* sub : {"appv/installed", "appv/packages", "applications", "icons", "mime"}) require_own_dirs(data, sub);
  if (!home.empty()) require_own_dirs(home + "/.local", "bin");
  return {data, data + "/appv", home.empty() ? "" : home + "/.local/bin"};
}

InstallRoots InstallRoots::for_system() { return {"/usr/local/share", "/var/lib/appv", "/usr/local/bin"}; }

namespace {

// The names of the commands to export, each checked before anything is changed:
// what the user asked for, then what an earlier install of the id exported (kept
// without asking again whether it may shadow: the user decided that then).
std::vector<std::string> commands_to_export(const Manifest& m, const std::string& package, bool self_executing,
                                            const InstallRoots& roots, const CommandRequest& request) {
  std::vector<std::string> names = request.names;
  if (request.all) {
    for (const auto& [name, entry] : m.entries) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<std::string> entries;
  for (const auto& [name, entry] : m.entries) entries.push_back(name);
  for (const std::string& name : names) {
    if (!m.entries.count(name)) {
      const std::optional<std::string> near = closest_match(name, entries);
      throw Error(Exit::Usage, fmt::format("--command {}: {} has no entry point of that name{}; it has: {}", shown_name(name),
                                           m.id, near ? fmt::format(" (did you mean '{}'?)", *near) : "",
                                           fmt::join(entries, ", ")));
    }
  }
  if (names.empty()) return names;
  if (!self_executing) {
    throw Error(Exit::Usage, fmt::format("{} was packed without its runtime stub (--no-exe): a command needs a package "
                                         "that runs by itself; start it with appv run {}", m.id, m.id));
  }
  if (roots.bin.empty()) throw Error(Exit::Environment, "HOME is not set to an absolute path: there is no ~/.local/bin");
  for (const std::string& name : names) check_command_export(name, roots.bin, package, request.path_env, request.overrides);
  return names;
}

// Installs the kept package file `kept` again (after a failed update), with the
// commands it exported (`commands`: names in roots.bin; they may shadow others on
// PATH, as the user allowed when they were exported). Best effort: the caller is
// already reporting the failure that brought it here.
void reinstall_kept(const std::string& kept, const InstallRoots& roots, const std::string& appv_exe,
                    const InstallOrigin& origin, const std::vector<std::string>& commands, Reporter& reporter) {
  const std::string staged = kept + ".restoring";
  if (::rename(kept.c_str(), staged.c_str()) != 0) return;
  try {
    install_package(staged, roots, appv_exe, reporter, origin, {commands, false, {.shadow = true, .force = false}, ""});
  } catch (...) {
    ::rename(staged.c_str(), kept.c_str());
    return;
  }
  ::unlink(staged.c_str());
}

}  // namespace

InstalledApp install_package(const std::string& package_path, const InstallRoots& roots, const std::string& appv_exe,
                             Reporter& reporter, const InstallOrigin& origin, const CommandRequest& commands) {
  Package source = Package::open(package_path);
  const Manifest& m = source.manifest();
  Record r{m.id, m.version, fmt::format("{}/packages/{}.appv", roots.appv, m.id), {}, {}, {}, {}, {}, origin.reference,
           origin.digest, {}, {}, {}, {}};
  const bool self_executing = source.trailer().header_offset > 0;
  const std::vector<std::string> requested = commands_to_export(m, r.package, self_executing, roots, commands);
  std::vector<std::string> kept_commands;
  std::vector<std::string> previous_commands;  // what the replaced version exported, to restore it with
  // An installed version of the id is replaced and kept for rollback (the one it
  // replaced is dropped); the shared application/x-appv registration and the
  // sandbox stay.
  if (path_exists(record_path(roots, m.id))) {
    Record old = load(record_path(roots, m.id), roots);
    for (const std::string& link : old.commands) {
      const std::string name = link.substr(link.rfind('/') + 1);
      if (link == roots.bin + "/" + name) previous_commands.push_back(name);
      if (self_executing && m.entries.count(name) && link == roots.bin + "/" + name &&
          !std::count(requested.begin(), requested.end(), name)) {
        kept_commands.push_back(name);
      }
    }
    if (!old.previous.empty()) ::unlink(old.previous.c_str());
    if (path_exists(old.package)) {
      r.previous = previous_path(roots, m.id);
      if (::rename(old.package.c_str(), r.previous.c_str()) != 0) throw_sys("cannot keep the previous version as", r.previous, errno);
      r.previous_version = old.version;
      r.previous_origin = old.origin;
      r.previous_digest = old.digest;
    }
    remove_install(m.id, roots, /*keep_shared=*/true, reporter);
    // The directories the replaced install made that outlive it (they hold the shared
    // application/x-appv handler) are still appv's: this record removes them when empty.
    for (const std::string& d : old.dirs) {
      if (path_exists(d)) r.dirs.push_back(d);
    }
  }
  Record shared;
  shared.id = ".shared";
  try {
    // Recorded, so that a refused package leaves no directory behind either.
    make_recorded_dirs(roots.appv + "/installed", r);
    // The package itself: copied whole, made executable when it carries the stub.
    make_recorded_dirs(parent_dir(r.package), r);
    copy_file_atomic(source.fd(), package_path, r.package, self_executing ? 0755 : 0644);
    r.files.push_back(r.package);
    if (!requested.empty() || !kept_commands.empty()) make_recorded_dirs(roots.bin, r);
    for (const std::string& name : requested) {
      make_command_link(roots.bin + "/" + name, r.package);
      r.commands.push_back(roots.bin + "/" + name);
    }
    for (const std::string& name : kept_commands) {
      const std::string link = roots.bin + "/" + name;
      if (path_exists(link)) {  // something else took the name since: the user's, left alone
        reporter.warning(fmt::format("{} is no longer {}'s command: {} is there now", name, m.id, shown_name(link)));
        continue;
      }
      make_command_link(link, r.package);
      r.commands.push_back(link);
    }
    Package installed = Package::open(r.package);

    // Menu entries and the icons pack resolved for them. A file already at one of
    // these places is someone else's (an earlier install's were removed above):
    // refused, so that uninstalling never removes it.
    std::optional<CachedPackage> cached;
    auto read_icon = [&](const std::string& icon) {
      if (!cached) cached = ensure_cached(installed, cache_dir());
      return read_package_icon(cached->root, icon);
    };
    auto exec = [&](const std::string& name) {
      return self_executing ? std::vector<std::string>{r.package, "--appv-entry", name}
                            : std::vector<std::string>{appv_exe, "run", "--entry", name, r.package};
    };
    for (const MenuFile& file : menu_files(m, roots.data, exec, read_icon)) {
      if (path_exists(file.path)) {
        throw Error(Exit::Usage, fmt::format("'{}' exists and was not installed by appv; move it away to install {}", shown_name(file.path), m.id));
      }
      write_recorded_file(file.path, file.content, 0644, r);
      if (!file.entry.empty()) r.desktop_files.push_back(file.path);
    }

    // application/x-appv, shared by all installs: the type and a handler for it.
    if (!path_exists(shared_record_path(roots))) {
      write_recorded_file(roots.data + "/mime/packages/appv.xml",
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<mime-info xmlns=\"http://www.freedesktop.org/standards/shared-mime-info\">\n"
                          "  <mime-type type=\"application/x-appv\">\n"
                          "    <comment>appv application package</comment>\n"
                          "    <glob pattern=\"*.appv\"/>\n"
                          "  </mime-type>\n"
                          "</mime-info>\n",
                          0644, shared);
      std::string handler = "[Desktop Entry]\nType=Application\nVersion=1.4\nName=appv\n"
                            "Comment=Run an appv application package\nNoDisplay=true\n"
                            "Exec=" + exec_line({appv_exe, "run"}, "%f") + "\nMimeType=application/x-appv;\n";
      write_recorded_file(roots.data + "/applications/appv.open.desktop", handler, 0644, shared);
      // Caches the tools are about to create where there were none are appv's to remove.
      // What the database tools will create only because of appv: the desktop MIME
      // cache and the MIME database's application/ directory.
      for (const std::string& cache : {roots.data + "/applications/mimeinfo.cache", roots.data + "/mime/application"}) {
        if (!path_exists(cache)) shared.caches.push_back(cache);
      }
      save(shared, shared_record_path(roots));
    }
    save(r, record_path(roots, m.id));
  } catch (...) {
    remove_recorded(r);
    if (!shared.files.empty()) {  // created by this install, not an earlier one
      remove_recorded(shared);
      ::unlink(shared_record_path(roots).c_str());
    }
    r.dirs.insert(r.dirs.end(), shared.dirs.begin(), shared.dirs.end());
    remove_recorded_dirs(r);
    // The version this one was to replace comes back, menu entries and all.
    if (!r.previous.empty()) {
      reinstall_kept(r.previous, roots, appv_exe, {r.previous_origin, r.previous_digest}, previous_commands, reporter);
    }
    throw;
  }
  refresh_databases(roots, reporter);
  return installed_app(r);
}

InstalledApp rollback_package(const std::string& id, const InstallRoots& roots, const std::string& appv_exe,
                              Reporter& reporter) {
  const std::string path = record_path(roots, id);
  if (!path_exists(path)) throw Error(Exit::Usage, fmt::format("'{}' is not installed (see appv list)", id));
  Record r = load(path, roots);
  if (r.previous.empty() || !path_exists(r.previous)) {
    throw Error(Exit::Usage, fmt::format("'{}' has no previous version to roll back to", id));
  }
  // Installing from the previous file's own place would rename it away mid-install.
  const std::string staged = fmt::format("{}/packages/.rollback-{}.appv", roots.appv, id);
  if (::rename(r.previous.c_str(), staged.c_str()) != 0) throw_sys("cannot stage the previous version", staged, errno);
  Record stale = r;
  stale.previous.clear();
  save(stale, path);
  try {
    InstalledApp app = install_package(staged, roots, appv_exe, reporter, {r.previous_origin, r.previous_digest});
    ::unlink(staged.c_str());
    return app;
  } catch (...) {
    if (::rename(staged.c_str(), r.previous.c_str()) == 0 && path_exists(path)) save(r, path);
    throw;
  }
}

void uninstall_package(const std::string& id, const InstallRoots& roots, Reporter& reporter) {
  remove_install(id, roots, /*keep_shared=*/false, reporter);
}

namespace {

void remove_install(const std::string& id, const InstallRoots& roots, bool keep_shared, Reporter& reporter) {
  const std::string path = record_path(roots, id);
  if (!path_exists(path)) throw Error(Exit::Usage, fmt::format("'{}' is not installed (see appv list)", id));
  Record r = load(path, roots);
  remove_recorded(r);
  if (!keep_shared && !r.previous.empty()) ::unlink(r.previous.c_str());
  if (::unlink(path.c_str()) != 0) throw_sys("cannot remove", path, errno);

  // The last package takes the shared application/x-appv registration with it.
  Record shared;
  const bool last = !keep_shared && list_installed(roots).empty() && path_exists(shared_record_path(roots));
  if (last) {
    shared = load(shared_record_path(roots), roots);
    remove_recorded(shared);
    ::unlink(shared_record_path(roots).c_str());
  }
  refresh_databases(roots, reporter);
  if (last) {
    // Caches the database tools created only because appv was there, and the MIME
    // directory appv created, which now holds only generated files.
    for (const std::string& cache : shared.caches) {
      if (::unlink(cache.c_str()) != 0 && errno == EISDIR) ::rmdir(cache.c_str());  // only when empty
    }
    for (const std::string& dir : shared.dirs) {
      if (dir == roots.data + "/mime" && only_generated_mime_files(dir)) remove_tree(dir);
    }
    r.dirs.insert(r.dirs.end(), shared.dirs.begin(), shared.dirs.end());
  }
  remove_recorded_dirs(r);
  // Directories this install made that still hold another app's files (its menu
  // entries, the shared handler) go with the last install: the shared record takes
  // them. (A reinstall's record carries them over itself: install_package.)
  if (!keep_shared && !last && path_exists(shared_record_path(roots))) {
    Record keeper = load(shared_record_path(roots), roots);
    const size_t before = keeper.dirs.size();
    for (const std::string& d : r.dirs) {
      if (path_exists(d) && std::find(keeper.dirs.begin(), keeper.dirs.end(), d) == keeper.dirs.end()) keeper.dirs.push_back(d);
    }
    if (keeper.dirs.size() != before) save(keeper, shared_record_path(roots));
  }
  if (!keep_shared) {
    // Each only if empty: the user's sandboxes live beside them.
    ::rmdir((roots.appv + "/installed").c_str());
    ::rmdir((roots.appv + "/packages").c_str());
    ::rmdir(roots.appv.c_str());
  }
}

}  // namespace

std::vector<InstalledApp> list_installed(const InstallRoots& roots) {
  std::vector<InstalledApp> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir((roots.appv + "/installed").c_str()), closedir);
  if (!d) return out;
  while (dirent* e = readdir(d.get())) {
    std::string name = e->d_name;
    if (name.size() < 8 || name[0] == '.' || name.substr(name.size() - 7) != ".record") continue;
    out.push_back(installed_app(load(roots.appv + "/installed/" + name, roots)));
  }
  std::sort(out.begin(), out.end(), [](const InstalledApp& a, const InstalledApp& b) { return a.id < b.id; });
  return out;
}

std::optional<InstalledApp> find_installed(const std::string& id, const InstallRoots& roots) {
  const std::string path = record_path(roots, id);
  if (!path_exists(path)) return std::nullopt;
  return installed_app(load(path, roots));
}

}  // namespace appv
