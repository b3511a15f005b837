// launch_plan_json(): the plan as one JSON object (nlohmann-json, header-only, so the
// static runtime stub prints it too).
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "launch/plan_format.h"

namespace appv {
namespace {

std::string_view mount_type(MountOp::Type type) {
  switch (type) {
    case MountOp::Type::Dir: return "dir";
    case MountOp::Type::Symlink: return "symlink";
    case MountOp::Type::Bind: return "bind";
    case MountOp::Type::BindReadOnly: return "bind-ro";
    case MountOp::Type::Overlay: return "overlay";
    case MountOp::Type::Hide: return "hide";
    case MountOp::Type::HideFile: return "hide-file";
    case MountOp::Type::Proc: return "proc";
    case MountOp::Type::Tmpfs: return "tmpfs";
    case MountOp::Type::Devpts: return "devpts";
    case MountOp::Type::HostState: return "host-state";
    case MountOp::Type::HostLink: return "host-link";
    case MountOp::Type::Split: return "split";
  }
  return "?";
}

nlohmann::json mount_json(const MountOp& op) {
  nlohmann::json j{{"type", mount_type(op.type)}, {"target", op.target}, {"why", op.why}};
  switch (op.type) {
    case MountOp::Type::Symlink:
    case MountOp::Type::HostLink: j["link"] = op.source; break;
    case MountOp::Type::Bind:
    case MountOp::Type::BindReadOnly:
    case MountOp::Type::HostState: j["source"] = op.source; break;
    case MountOp::Type::Overlay:
      j["lowers"] = op.lowers;
      j["upper"] = op.upper;
      j["work"] = op.work;
      break;
    case MountOp::Type::Split: {
      j["lowers"] = op.lowers;
      j["upper"] = op.upper;
      j["work"] = op.work;
      nlohmann::json entries = nlohmann::json::array();
      for (const SplitEntry& e : op.entries) {
        const char* kind = e.kind == NodeKind::Symlink ? "symlink" : e.kind == NodeKind::Dir ? "dir" : "file";
        nlohmann::json entry{{"name", e.name}, {"kind", kind}};
        if (e.kind == NodeKind::Symlink) entry["link"] = e.link;
        if (!e.source.empty()) entry["source"] = e.source;
        entries.push_back(entry);
      }
      j["entries"] = entries;
      break;
    }
    case MountOp::Type::Tmpfs: j["options"] = op.source; break;
    case MountOp::Type::Dir:
    case MountOp::Type::Proc:
    case MountOp::Type::Devpts:
    case MountOp::Type::Hide:
    case MountOp::Type::HideFile: break;
  }
  return j;
}

// The namespace probe's answer; null when the launch was planned without probing.
nlohmann::json probe_json(const std::optional<NamespaceSupport>& support) {
  if (!support) return nullptr;
  if (support->usable()) {
    return {{"usable", true}, {"failed_step", nullptr}, {"errno", nullptr}, {"cause", nullptr}, {"reason", nullptr},
            {"ways_out", nullptr}, {"message", nullptr}};
  }
  const std::string ways = ways_out(support->cause);
  return {{"usable", false},
          {"failed_step", to_string(support->failed)},
          {"errno", errno_name(support->err)},
          {"cause", to_string(support->cause)},
          {"reason", support->reason},
          {"ways_out", ways.empty() ? nlohmann::json(nullptr) : nlohmann::json(ways)},
          {"message", refusal_message(*support)}};
}

}  // namespace

std::string launch_plan_json(const LaunchPlan& plan) {
  nlohmann::json j;
  j["kind"] = to_string(plan.kind);
  j["backend"] = {{"name", to_string(plan.backend)}, {"why", plan.backend_why}, {"probe", probe_json(plan.namespaces)}};
  if (plan.kind != LaunchKind::InstallCapture) {
    j["package"] = {{"path", plan.package_path},
                    {"installed", plan.installed.empty() ? nlohmann::json(nullptr) : nlohmann::json(plan.installed)},
                    {"id", plan.app_id},
                    {"version", plan.app_version},
                    {"digest", "sha256:" + plan.digest},
                    {"entry", {{"name", plan.entry_name}, {"path", plan.entry_path}}},
                    {"root", plan.package_root}};
  }
  j["sandbox"] = {{"path", plan.sandbox}, {"cleanup", to_string(plan.cleanup)}};
  j["start"] = {{"decision", to_string(plan.start)},
                {"running_pid", plan.running ? nlohmann::json(plan.running->pid) : nlohmann::json(nullptr)}};
  j["process"] = {{"program", plan.program}, {"argv", plan.argv}, {"env", plan.env}, {"cwd", plan.cwd}};
  if (plan.kind != LaunchKind::InstallCapture) {
    nlohmann::json decisions = nlohmann::json::array();
    for (const PermissionDecision& d : plan.permissions.decisions) {
      decisions.push_back({{"name", d.name}, {"granted", d.granted}, {"detail", d.detail}, {"source", d.source}});
    }
    auto proxy = [](const std::optional<LaunchPlan::BusProxy>& bus) -> nlohmann::json {
      if (!bus) return nullptr;
      return {{"address", bus->proxy_address}, {"socket", bus->proxy_socket}, {"in_view", bus->bus_in_view}, {"args", bus->args}};
    };
    j["permissions"] = {{"decisions", decisions},
                        {"talk", plan.permissions.talk},
                        {"own", plan.permissions.own},
                        {"system_talk", plan.permissions.system_talk},
                        {"own_network", plan.own_network},
                        {"session_bus_proxy", proxy(plan.session_bus)},
                        {"system_bus_proxy", proxy(plan.system_bus)}};
  }
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& [prefix, rule] : plan.rules.rules()) {
    rules.push_back({{"prefix", prefix}, {"mode", to_string(rule.mode)}, {"origin", origin_label(rule)}});
  }
  j["rules"] = rules;
  nlohmann::json mounts = nlohmann::json::array();
  for (const MountOp& op : plan.mounts.ops) mounts.push_back(mount_json(op));
  j["mounts"] = mounts;
  j["dirs_to_create"] = plan.mounts.dirs_to_create;
  nlohmann::json copies = nlohmann::json::array();
  for (const CopyUp& c : plan.mounts.copy_ups) copies.push_back({{"to", c.to}, {"from", c.from}, {"why", c.why}});
  j["copies"] = copies;
  nlohmann::json whiteouts = nlohmann::json::array();
  for (const Whiteout& w : plan.mounts.whiteouts) whiteouts.push_back({{"path", w.path}, {"why", w.why}});
  j["whiteouts"] = whiteouts;
  j["notes"] = plan.mounts.notes;
  nlohmann::json generated = nlohmann::json::array();
  for (const LaunchPlan::GeneratedFile& g : plan.generated) {
    generated.push_back({{"path", g.path}, {"from", g.from}, {"append", g.append}, {"directory", g.directory}});
  }
  j["generated"] = generated;
  j["notices"] = plan.notices;
  // Linux strings need not be UTF-8 (an environment value, an argument): such bytes
  // become U+FFFD rather than failing the dry run.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace appv
