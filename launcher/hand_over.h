// A self-executing package on a host that refuses its namespaces hands over to the
// appv installed by the appv Debian package (scripts/build-deb), which Ubuntu's AppArmor
// profile for /usr/bin/appv lets make them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "launcher/commands.h"

namespace appv::cli {

// The one place an installed appv is looked for: the Debian package's. Never $PATH: a
// directory there may be the user's (or an attacker's), and the stub runs for anyone.
inline constexpr const char* kInstalledAppv = "/usr/bin/appv";

// `path` when it is an appv the system installed: a regular file (not a link), owned
// by root, executable, writable by no one but root, in directories (each up to /)
// owned by root and writable by no one but root; nullopt otherwise.
std::optional<std::string> trusted_installed_appv(const std::string& path = kInstalledAppv);

// The installed appv's command line for the stub's `run`: `appv run [--entry E]
// [--isolate P=M]... [--temp] [--dry-run] [--json] [--backend B] [--argv0 NAME]
// [--quiet] -- PACKAGE -- ARGS...`; `quiet`: the stub's --appv-quiet.
std::vector<std::string> hand_over_argv(const std::string& appv, const RunArgs& run, bool quiet = false);

// Execs the installed appv with the stub's run (hand_over_argv) when there is a
// trusted one; returns, having done nothing, when there is none. Throws
// Exit::Environment if it is there but cannot be executed.
void hand_over_to_installed_appv(const RunArgs& run);

}  // namespace appv::cli
