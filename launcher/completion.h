// Shell completion scripts for appv, generated from the command tree (cli_model.h):
// subcommands at every level, each command's options, which options take a value,
// and file, directory or program-name completion where a value or an argument is
// one. App ids and package references are not completed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "launcher/cli_model.h"

namespace appv::cli {

enum class Shell { Bash, Zsh, Fish };

// "bash", "zsh", "fish"; nullopt for anything else.
std::optional<Shell> shell_named(std::string_view name);

// The whole script for `shell`, for the file its completion system loads:
//   bash  share/bash-completion/completions/appv  (defines _appv, `complete -F _appv appv`)
//   zsh   share/zsh/vendor-completions/_appv      (#compdef appv)
//   fish  share/fish/vendor_completions.d/appv.fish
std::string completion_script(const CommandDoc& root, Shell shell);

std::string bash_completion(const CommandDoc& root);
std::string zsh_completion(const CommandDoc& root);
std::string fish_completion(const CommandDoc& root);

}  // namespace appv::cli
