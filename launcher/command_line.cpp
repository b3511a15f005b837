#include "launcher/command_line.h"

#include <cstddef>

#include <CLI/CLI.hpp>

#include "launcher/reporter.h"

namespace appv::cli {
namespace {

bool looks_like_option(const std::string& word) { return word.size() > 1 && word[0] == '-'; }

}  // namespace

void add_quiet_flag(CLI::App& command) {
  command.add_flag_callback("-q,--quiet", [] { stderr_reporter().set_quiet(true); },
                            "Print nothing but errors and warnings");
}

const Commands::Action* Commands::parsed() const {
  for (const Entry& e : actions_) {
    if (e.command->parsed()) return &e.action;
  }
  return nullptr;
}

void split_run_words(const std::vector<std::string>& words, RunArgs& args) {
  size_t i = 0;
  if (i < words.size() && words[i] == "--") {
    ++i;
  } else {
    std::vector<std::string> unknown;
    while (i < words.size() && looks_like_option(words[i]) && words[i] != "--") unknown.push_back(words[i++]);
    if (!unknown.empty()) throw CLI::ExtrasError(unknown);
  }
  if (i >= words.size()) throw CLI::RequiredError("package");
  args.package = words[i++];
  if (i < words.size() && words[i] == "--") ++i;
  args.app_args.assign(words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
}

}  // namespace appv::cli
