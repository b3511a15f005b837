#include "launcher/command_line.h"

#include <CLI/CLI.hpp>

namespace appv::cli {

const Commands::Action* Commands::parsed() const {
  for (const Entry& e : actions_) {
    if (e.command->parsed()) return &e.action;
  }
  return nullptr;
}

}  // namespace appv::cli
