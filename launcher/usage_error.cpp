#include "launcher/usage_error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/text.h"

namespace appv::cli {
namespace {

// The visible subcommands' names of `command`, in `appv --help`'s order.
std::vector<std::string> subcommand_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::App* sub : command.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// Every spelling of every option `command` takes: "-o", "--output", "--help".
std::vector<std::string> option_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* o : command.get_options([](const CLI::Option* opt) { return opt->nonpositional(); })) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

// "appv", "appv sandbox": as the user typed the path to `command`.
std::string command_path(const CLI::App& command) {
  std::string path;
  for (const CLI::App* c = &command; c != nullptr; c = c->get_parent()) {
    path = c->get_parent() ? " " + c->get_name() + path : "appv" + path;
  }
  return path;
}

bool is_option_word(const std::string& w) { return w.size() > 1 && w[0] == '-'; }

// The first word after `command`'s own name that looks like an option `command` does
// not know: what CLI11's "argument was not expected" is about.
std::string unknown_option(const CLI::App& command, const std::vector<std::string>& words) {
  const std::vector<std::string> known = option_names(command);
  for (const std::string& w : words) {
    if (w == "--") break;
    if (!is_option_word(w)) continue;
    const std::string name = w.substr(0, w.find('='));
    // "-qv": CLI11 splits single-dash clusters; judge them by their first letter.
    const std::string first = name.size() > 2 && name[1] != '-' ? name.substr(0, 2) : name;
    if (std::find(known.begin(), known.end(), first) == known.end()) return name;
  }
  return {};
}

// The first word naming no subcommand of `command`, or "" when every word does.
std::string unknown_subcommand(const CLI::App& command, const std::vector<std::string>& words) {
  const std::string own = command.get_parent() ? command.get_name() : "";
  bool past_own = own.empty();
  for (const std::string& w : words) {
    if (w == "--") break;
    if (is_option_word(w)) continue;
    if (!past_own) {
      past_own = w == own;
      continue;
    }
    return w;
  }
  return {};
}

std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  const std::optional<std::string> best = closest_match(word, candidates);
  return best ? fmt::format("; did you mean '{}'?", *best) : "";
}

}  // namespace

const CLI::App& command_named_by(const CLI::App& root, const std::vector<std::string>& words) {
  const CLI::App* at = &root;
  for (const std::string& w : words) {
    if (w == "--") break;
    if (is_option_word(w)) continue;
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : at->get_subcommands({})) {
      if (sub->check_name(w)) next = sub;
    }
    if (!next) break;
    at = next;
  }
  return *at;
}

std::string usage_message(const CLI::App& root, const std::vector<std::string>& words, const CLI::ParseError& error) {
  const CLI::App& command = command_named_by(root, words);
  const std::string path = command_path(command);
  const std::string help = fmt::format(" (see '{} --help')", path);
  const std::vector<std::string> subcommands = subcommand_names(command);
  if (!subcommands.empty()) {
    // A group (appv, appv sandbox) takes nothing but a command: a word after it that
    // names none is a mistyped command, and no word at all is a missing one.
    const std::string word = unknown_subcommand(command, words);
    const std::string option = unknown_option(command, words);
    if (!word.empty()) {
      const std::string maybe = suggestion(word, subcommands);
      return fmt::format("{}: unknown command '{}'{}{}", path, printable(word),
                         maybe.empty() ? fmt::format(" (commands: {})", fmt::join(subcommands, ", ")) : maybe, help);
    }
    if (!option.empty()) {
      return fmt::format("{}: unknown option '{}'{}{}", path, printable(option), suggestion(option, option_names(command)), help);
    }
    return fmt::format("{}: a command is required: {}{}", path, fmt::join(subcommands, ", "), help);
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    const std::string option = unknown_option(command, words);
    if (!option.empty()) {
      return fmt::format("{}: unknown option '{}'{}{}", path, printable(option), suggestion(option, option_names(command)), help);
    }
  }
  return fmt::format("{}: {}{}", path, printable_message(error.what()), help);
}

}  // namespace appv::cli
