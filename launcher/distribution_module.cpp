// The distribution module (libappv-distribution.so): `appv push`, `pull`, `tags`,
// `run oci://REF`'s pull, `sync`, `update` and `rollback`, the commands that need
// libcurl. appv loads it only for them (launcher/module_loader.h).
#include "launcher/distribution_commands.h"
#include "launcher/format.h"
#include "launcher/reporter.h"

namespace {

using namespace appv::cli;

const DistributionEntries entries = {
    .set_quiet = [](bool quiet) { stderr_reporter().set_quiet(quiet); },
    .push = [](const std::string& package, const std::string& reference, const OciArgs& args) {
      return report_errors([&] { return cmd_push(package, reference, args); });
    },
    .pull = [](const std::string& reference, const std::string& output, bool force, const OciArgs& args) {
      return report_errors([&] { return cmd_pull(reference, output, force, args); });
    },
    .tags = [](const std::string& repository, const OciArgs& args, bool json) {
      return report_errors([&] { return cmd_tags(repository, args, json); });
    },
    .pull_for_run = [](const std::string& url, const OciArgs& args, std::string& path) {
      return report_errors([&] {
        path = pull_for_run(url, args);
        return 0;
      });
    },
    .sync = [](const std::string& config, bool system, bool dry_run, bool allow_mass_removal, const OciArgs& args) {
      return report_errors([&] { return cmd_sync(config, system, {dry_run, allow_mass_removal}, args); });
    },
    .update = [](const std::string& id, bool system, const OciArgs& args) {
      return report_errors([&] { return cmd_update(id, system, args); });
    },
    .rollback = [](const std::string& id, bool system) {
      return report_errors([&] { return cmd_rollback(id, system); });
    },
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const DistributionEntries* appv_distribution_entries() { return &entries; }
