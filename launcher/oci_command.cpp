// `appv push`, `appv pull`, `appv tags`, and the pull behind `appv run oci://REF`: their
// bodies, in the distribution module (their options: distribution_options.cpp).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "launcher/distribution_commands.h"
#include "launcher/format.h"
#include "launcher/json_output.h"
#include "launcher/reporter.h"
#include "distribution/oci_artifact.h"
#include "distribution/oci_client.h"
#include "distribution/oci_store.h"
#include "base/error.h"
#include "base/text.h"
#include "base/fs_util.h"
#include "vfs/package.h"

namespace appv::cli {

OciOptions oci_options(const OciArgs& args) {
  OciOptions o;
  o.ca_file = args.ca_file;
  o.insecure = args.insecure;
  o.limit_rate = args.limit_rate;
  o.reporter = &stderr_reporter();
  if (!args.username.empty() || args.password_stdin) {
    if (args.username.empty() || !args.password_stdin) {
      throw Error(Exit::Usage, "--username and --password-stdin go together");
    }
    std::string password;
    if (!std::getline(std::cin, password) || password.empty()) {
      throw Error(Exit::Usage, "--password-stdin: no password on standard input");
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    o.credentials = Credentials{args.username, password, "--username"};
  }
  if (!args.ca_file.empty() && !path_exists(args.ca_file)) {
    throw Error(Exit::NoInput, fmt::format("--ca-file '{}' does not exist", args.ca_file));
  }
  return o;
}

int cmd_push(const std::string& package_path, const std::string& reference, const OciArgs& args) {
  OciReference ref = parse_oci_reference(reference);
  if (!ref.digest.empty()) throw Error(Exit::Usage, fmt::format("'{}': push to a tag, not a digest", reference));
  Package package = Package::open(package_path);
  struct stat st {};
  if (::stat(package_path.c_str(), &st) != 0) throw_sys("cannot stat", package_path, errno, Exit::NoInput);
  const std::string digest = file_digest(package_path);
  PackageArtifact artifact = make_package_artifact(package, digest, static_cast<uint64_t>(st.st_size));

  OciClient client(ref, oci_options(args), /*push=*/true);
  const bool had_package = client.has_blob(digest, artifact.package_blob.size);
  if (!had_package) client.push_blob(digest, package_path, artifact.package_blob.size, fmt::format("pushing {}", package_path));
  if (!client.has_blob(artifact.config_blob.digest, artifact.config.size())) client.push_blob_bytes(artifact.config_blob.digest, artifact.config);
  const std::string manifest_digest = client.put_manifest(ref.tag, artifact.manifest, kOciManifestType);
  const Manifest& m = package.manifest();
  say("pushed {} {} to {} ({}{})\n", printable(m.id), printable(m.version), ref.str(), human_bytes(artifact.package_blob.size),
             had_package ? ", already in the registry" : "");
  say("digest: {}\n", manifest_digest);
  return 0;
}

int cmd_pull(const std::string& reference, const std::string& output, bool force, const OciArgs& args) {
  OciReference ref = parse_oci_reference(reference);
  PulledPackage pulled = pull_package(ref, oci_options(args), user_oci_store(), /*offline_fallback=*/false);
  const std::string out = output.empty() ? pulled.app_id + ".appv" : output;
  if (path_exists(out) && !force) {
    // The same bytes already there: nothing to do, and nothing wrong.
    if (file_digest(out) == pulled.blob_digest) {
      say("{} {}: up to date ({} is {})\n", printable(pulled.app_id), printable(pulled.version), printable(out), ref.str());
      say("digest: {}\n", pulled.manifest_digest);
      return 0;
    }
    throw Error(Exit::Usage, fmt::format("'{}' exists and holds something else (use {}--force to replace it)", out,
                                         output.empty() ? "-o FILE, or " : ""));
  }
  copy_file_atomic(pulled.path, out, pulled.self_executing ? 0755 : 0644);
  say("pulled {} {} from {} to {}\n", printable(pulled.app_id), printable(pulled.version), ref.str(), printable(out));
  say("digest: {}\n", pulled.manifest_digest);
  return 0;
}

int cmd_tags(const std::string& repository, const OciArgs& args, bool json) {
  OciReference repo = parse_oci_repository(repository);
  OciClient client(repo, oci_options(args));
  const std::vector<std::string> tags = client.tags();
  if (json) {
    print_json(tags_json(tags));
    return 0;
  }
  for (const std::string& tag : tags) fmt::print("{}\n", printable(tag));  // the registry's words
  return 0;
}

std::string pull_for_run(const std::string& url, const OciArgs& args) {
  OciReference ref = parse_oci_reference(url);
  PulledPackage pulled = pull_package(ref, oci_options(args), user_oci_store(), /*offline_fallback=*/true);
  if (pulled.downloaded) stderr_reporter().notice(fmt::format("pulled {} {}", pulled.app_id, pulled.version));
  return pulled.path;
}

}  // namespace appv::cli
