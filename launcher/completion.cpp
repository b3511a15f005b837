#include "launcher/completion.h"

namespace appv::cli {

std::optional<Shell> shell_named(std::string_view name) {
  if (name == "bash") return Shell::Bash;
  if (name == "zsh") return Shell::Zsh;
  if (name == "fish") return Shell::Fish;
  return std::nullopt;
}

std::string completion_script(const CommandDoc& root, Shell shell) {
  switch (shell) {
    case Shell::Bash: return bash_completion(root);
    case Shell::Zsh: return zsh_completion(root);
    case Shell::Fish: return fish_completion(root);
  }
  return {};
}

}  // namespace appv::cli
