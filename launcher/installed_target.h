// `appv run APP-ID`: a word that names no file but an installed app runs that app's
// installed package, the user's installation first, then the system's.
#pragma once

#include <string>

namespace appv::cli {

struct RunTarget {
  std::string package;  // the file to run
  // Which installation it is, for `--dry-run`: "" for the file the user named, else
  // "user" (installed for you) or "system" (for every user).
  std::string installed;
};

// `word` itself when a file (or anything: a link, a directory) is there, or when it
// is no valid app id (manifests/manifest.h valid_app_id: Package::open then reports
// it). Else the package of the app `word` installed for the user
// ($XDG_DATA_HOME/appv), then for every user (/var/lib/appv). Throws Exit::NoInput
// when neither has it: one line naming both places, with the closest installed id
// ("did you mean") when one is close.
RunTarget resolve_run_target(const std::string& word);

}  // namespace appv::cli
