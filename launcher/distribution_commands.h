// The bodies of the distribution module's commands (libappv-distribution.so): the OCI
// commands (oci_command.cpp) and managed deployment (deploy_command.cpp). Only the
// module compiles them; appv registers their options (distribution_options.cpp) and
// reaches them through DistributionEntries (commands.h). Each may throw appv::Error.
#pragma once

#include <string>

#include "distribution/deploy.h"
#include "distribution/oci_client.h"
#include "launcher/commands.h"

namespace appv::cli {

// The OCI options of the command line (reads the password from stdin when asked).
OciOptions oci_options(const OciArgs& args);

int cmd_push(const std::string& package, const std::string& reference, const OciArgs& args);
int cmd_pull(const std::string& reference, const std::string& output, bool force, const OciArgs& args);
int cmd_tags(const std::string& repository, const OciArgs& args, bool json);
// Pulls oci://REF into the cache (or finds it there) and returns the package's path.
std::string pull_for_run(const std::string& url, const OciArgs& args);

int cmd_sync(const std::string& config, bool system, const SyncOptions& sync, const OciArgs& args);
int cmd_update(const std::string& id, bool system, const OciArgs& args);
int cmd_rollback(const std::string& id, bool system);

}  // namespace appv::cli
