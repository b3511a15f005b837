// "Did you mean" for app ids: a command given an id that nothing installed (or no
// sandbox) has names the closest one that exists, e.g.
//   appv: 'org.exmple.tool' is not installed (see appv list); did you mean 'org.example.tool'?
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace appv::cli {

// The ids of the apps installed for the user (or, with `system`, for every user).
std::vector<std::string> installed_app_ids(bool system);
// The ids of the user's sandboxes (apps that ran as this user).
std::vector<std::string> sandbox_app_ids();

// "; did you mean 'X'?" when `id` is none of `known` and X is close to it; else "".
std::string app_id_hint(const std::string& id, const std::vector<std::string>& known);

// Runs `body`. An appv::Error it throws with status 64 or 66 while `id` is none of
// `known()` is thrown again with "; did you mean 'X'?" added when an id is close;
// everything else passes through unchanged. `known` runs only on such an error.
int suggesting_app_id(const std::string& id, const std::function<std::vector<std::string>()>& known,
                      const std::function<int()>& body);

}  // namespace appv::cli
