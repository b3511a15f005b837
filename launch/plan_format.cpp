#include "launch/plan_format.h"

#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/text.h"

namespace appv {
namespace {

std::string quoted_argv(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

std::map<std::string, std::string> env_map(const std::vector<std::string>& env) {
  std::map<std::string, std::string> out;
  for (const std::string& e : env) {
    const size_t eq = e.find('=');
    if (eq != std::string::npos) out.emplace(e.substr(0, eq), e.substr(eq + 1));
  }
  return out;
}

std::string env_changes(const std::vector<std::string>& host_env, const std::vector<std::string>& env) {
  const auto before = env_map(host_env);
  const auto after = env_map(env);
  std::string out;
  for (const auto& [name, value] : after) {
    auto it = before.find(name);
    if (it == before.end()) out += fmt::format("  + {}={}\n", name, shell_quote(value));
    else if (it->second != value) out += fmt::format("  ~ {}={}\n", name, shell_quote(value));
  }
  for (const auto& [name, value] : before) {
    if (!after.count(name)) out += fmt::format("  - {}\n", shell_quote(name));
  }
  return out.empty() ? "  (none)\n" : out;
}

std::string start_line(const LaunchPlan& plan) {
  switch (plan.start) {
    case Start::Build: return "build the view";
    case Start::Join:
      return fmt::format("join the view of the {} instance (pid {})", plan.running->idle ? "idle" : "running",
                         plan.running->pid);
    case Start::Refuse:
      return fmt::format("refused: the running instance (pid {}) shows another version or other rules", plan.running->pid);
    case Start::ReplaceIdle:
      if (plan.running->unreachable) {
        return fmt::format("end the instance (pid {}), which this launch cannot enter, if it is idle, and build the view "
                           "({} if it is not)",
                           plan.running->pid, plan.backend == Backend::Ptrace ? "beside it" : "refused");
      }
      if (plan.backend == Backend::Ptrace) {
        return fmt::format("end the idle instance (pid {}), whose overlay holds the upper directory the ptrace backend "
                           "writes, and build the view",
                           plan.running->pid);
      }
      return fmt::format("end the idle instance (pid {}), which shows another version, other rules or a package tree "
                         "since replaced, and build the view",
                         plan.running->pid);
  }
  return "?";
}

std::string cleanup_words(Cleanup cleanup) {
  switch (cleanup) {
    case Cleanup::Keep: return "kept for the next launch";
    case Cleanup::RemoveOnExit: return "removed when the app exits";
    case Cleanup::CallerRemoves: return "removed once the capture is packed";
  }
  return "?";
}

std::string permission_lines(const LaunchPlan& plan) {
  std::string out;
  for (const PermissionDecision& d : plan.permissions.decisions) {
    const std::string value = d.granted ? (d.detail.empty() ? "granted" : "granted " + d.detail) : "denied";
    out += fmt::format("  {:<12} {:<16} ({})\n", d.name, value, d.source);
  }
  if (!plan.permissions.talk.empty()) out += fmt::format("  talk: {}\n", shell_quote(fmt::format("{}", fmt::join(plan.permissions.talk, " "))));
  if (!plan.permissions.own.empty()) out += fmt::format("  own:  {}\n", shell_quote(fmt::format("{}", fmt::join(plan.permissions.own, " "))));
  out += plan.own_network ? "  network: a namespace of its own, loopback only\n" : "  network: the host's (and its abstract unix sockets)\n";
  for (const auto& [name, bus] : {std::pair{"session bus", &plan.session_bus}, std::pair{"system bus", &plan.system_bus}}) {
    if (*bus) {
      out += fmt::format("  {}: xdg-dbus-proxy for {} at {}, shown at {}\n", name, shell_quote((*bus)->proxy_address),
                         (*bus)->proxy_socket, (*bus)->bus_in_view);
    }
  }
  return out;
}

}  // namespace

std::string format_launch_plan(const LaunchPlan& plan, const std::vector<std::string>& host_env) {
  std::string out;
  if (plan.kind == LaunchKind::InstallCapture) {
    out += fmt::format("installer: {}\n", plan.program);
  } else {
    out += fmt::format("package: {} ({} {}), entry {} -> {}\n", plan.package_path, plan.app_id, plan.app_version,
                       plan.entry_name, plan.entry_path);
    out += fmt::format("cache:   {}\n", plan.package_root);
  }
  out += fmt::format("sandbox: {} ({})\n", plan.sandbox, cleanup_words(plan.cleanup));
  out += fmt::format("backend: {} ({})\n", to_string(plan.backend), plan.backend_why);
  out += fmt::format("start:   {}\n", start_line(plan));
  out += fmt::format("argv:    {}\n", quoted_argv(plan.argv));
  out += fmt::format("cwd:     {}\n", plan.cwd);
  out += "environment, against the caller's:\n" + env_changes(host_env, plan.env);
  for (const std::string& notice : plan.notices) out += fmt::format("notice:  {}\n", notice);
  if (plan.kind != LaunchKind::InstallCapture) out += "permissions:\n" + permission_lines(plan);
  out += format_plan(plan.rules, plan.mounts);
  for (const LaunchPlan::GeneratedFile& g : plan.generated) {
    if (g.directory) out += fmt::format("generate {}  (an empty directory)\n", g.path);
    else if (g.from.empty() && g.append.empty()) out += fmt::format("generate {}  (an empty file)\n", g.path);
    else out += fmt::format("generate {}  {}+ {}", g.path, g.from.empty() ? "" : g.from + " ", g.append);
  }
  return out;
}

}  // namespace appv
