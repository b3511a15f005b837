// Noise rules for trace and install capture, in the spirit of App-V's sequencer
// templates: what a real run touches but a package must not hold. Each rule has a
// name the capture report prints beside every path it left out.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifests/manifest.h"
#include "manifests/tokens.h"

namespace appv {

struct NoiseRule {
  std::string name;  // "secret: SSH keys", "virtual file system", ...
  std::vector<std::string> globs;
  // Secrets and host state: only an explicit files.include brings such a path in
  // (no capture.allow does), and the report says so.
  bool guarded = false;
  bool keep = false;    // a rule that keeps what later rules would drop
};

enum class CaptureKind { Trace, Install };

class NoiseRules {
 public:
  // The built-in rules for `kind` (tokens from `user`; `cwd` for trace capture), then
  // the manifest's [capture] allow/deny and files.include (for secrets).
  NoiseRules(CaptureKind kind, const Tokens& user, const std::string& cwd, const Manifest& manifest);

  // The rule that leaves `path` out, or nullopt if it is kept. Secrets first, then the
  // manifest's allow and deny, then the built-in rules in order: the first match decides.
  std::optional<std::string> excludes(const std::string& path) const;

  const std::vector<NoiseRule>& rules() const { return rules_; }

 private:
  std::vector<NoiseRule> rules_;
  std::vector<std::string> allow_, deny_, include_;
};

}  // namespace appv
