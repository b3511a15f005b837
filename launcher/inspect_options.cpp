// `appv info`, `ls`, `verify` and `extract`: their options, and their --json output.
// The human output lives in inspect.cpp, which the runtime stub shares; the JSON
// output stays here, in appv alone, so the stub carries no JSON code.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "launcher/command_line.h"
#include "launcher/json_output.h"
#include "vfs/package.h"
#include "vfs/payload.h"
#include "vfs/trust.h"

namespace appv::cli {
namespace {

struct InspectArgs {
  std::string package;
  bool long_format = false;
  bool json = false;
};

int info_as_json(const std::string& path) {
  Package p = Package::open(path);
  print_json(info_json(p.manifest(), p.header(), p.trailer(), p.file_size(), p.signatures()));
  return 0;
}

int ls_as_json(const std::string& path) {
  Package p = Package::open(path);
  nlohmann::json out = nlohmann::json::array();
  scan_payload(p, [&](const PayloadEntry& e) {
    if (e.path.rfind(std::string(kRootEntry), 0) == 0) out.push_back(ls_entry_json(e));
  });
  // Printed only after the digest checked out, as the human listing.
  print_json(out);
  return 0;
}

// As cmd_verify: a signature that does not match is still shown, then refused.
int verify_as_json(const std::string& path) {
  Package p = Package::open(path);
  const uint64_t count = verify_package(p);
  const std::vector<SignatureCheck> checks = check_signatures(p, load_trust_store(trust_dirs()));
  const Policy policy = load_policy(std::string(kSystemConfigDir) + "/policy.toml");
  const std::string why = policy_refusal(policy, p.manifest().id, checks, caller_groups());
  const nlohmann::json out = verify_json(path, p.manifest(), p.digest(), count, checks, policy, why);
  print_json(out);
  if (!out["ok"].get<bool>()) {
    throw Error(Exit::BadInput, fmt::format("package '{}': a signature does not match: the package was changed after it was signed", path));
  }
  return 0;
}

}  // namespace

void add_info_commands(CLI::App& app, Commands& out) {
  auto info = std::make_shared<InspectArgs>();
  CLI::App* info_cmd = app.add_subcommand("info", "Show identity, entry points, sizes and digests (reads no payload)");
  info_cmd->add_option("package", info->package, "Package file")->required()->type_name("FILE");
  info_cmd->add_flag("--json", info->json, "Print one JSON object (see README: Output for scripts)");
  out.add(info_cmd, [info] { return info->json ? info_as_json(info->package) : cmd_info(info->package); });

  auto ls = std::make_shared<InspectArgs>();
  CLI::App* ls_cmd = app.add_subcommand("ls", "List the files inside a package at their virtual paths");
  ls_cmd->add_option("package", ls->package, "Package file")->required()->type_name("FILE");
  ls_cmd->add_flag("-l,--long", ls->long_format, "Show type, mode, size and link target");
  ls_cmd->add_flag("--json", ls->json, "Print a JSON array with type, mode and size (see README: Output for scripts)");
  out.add(ls_cmd, [ls] { return ls->json ? ls_as_json(ls->package) : cmd_ls(ls->package, ls->long_format); });

  auto verify = std::make_shared<InspectArgs>();
  CLI::App* verify_cmd = app.add_subcommand("verify", "Check every digest, entry and signature of a package, and what the policy says");
  verify_cmd->add_option("package", verify->package, "Package file")->required()->type_name("FILE");
  verify_cmd->add_flag("--json", verify->json, "Print one JSON object (see README: Output for scripts)");
  out.add(verify_cmd, [verify] { return verify->json ? verify_as_json(verify->package) : cmd_verify(verify->package); });
}

void add_extract_command(CLI::App& app, Commands& out) {
  struct ExtractArgs {
    std::string package, dir;
  };
  auto args = std::make_shared<ExtractArgs>();
  CLI::App* cmd = app.add_subcommand("extract", "Extract a package safely into a new directory, for inspection");
  cmd->add_option("package", args->package, "Package file")->required()->type_name("FILE");
  cmd->add_option("dir", args->dir, "Directory to create (must not exist, or be empty)")->required()->type_name("DIR");
  add_quiet_flag(*cmd);
  out.add(cmd, [args] { return cmd_extract(args->package, args->dir); });
}

}  // namespace appv::cli
