// A launch plan in words (`appv run --dry-run`) and as JSON (`--dry-run --json`).
#pragma once

#include <string>
#include <vector>

#include "launch/launch_plan.h"

namespace appv {

// The plan for people: identity, backend, sandbox, the join-or-build decision, argv,
// working directory, the environment's changes against `host_env` (NAME=VALUE),
// then the rules, the mounts in order and the planner's notes.
std::string format_launch_plan(const LaunchPlan& plan, const std::vector<std::string>& host_env);

// The plan for scripts: one JSON object of the shape documented in README.md
// ("Output for scripts"), with the whole environment. Stable: keys are only added.
std::string launch_plan_json(const LaunchPlan& plan);

}  // namespace appv
