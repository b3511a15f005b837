// The zsh completion script: one function per command (_appv, _appv__sandbox,
// _appv__sandbox__reset), each an _arguments spec; a command with subcommands offers
// them with _describe and hands the rest of the line to the chosen one's function.
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "launcher/completion.h"

namespace appv::cli {
namespace {

std::string function_name(const CommandDoc& c) {
  std::string name = "_appv";
  for (const std::string& p : c.path) {
    name += "__";
    for (char ch : p) name += (std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
  }
  return name;
}

// For a word inside '...': ' becomes '\''.
std::string single_quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

// A description inside an _arguments spec's [...]: brackets and backslashes escaped.
std::string bracketed(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '[' || ch == ']' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

// What completes a value of `kind`: the message (no colons) and the action.
std::string message_and_action(ValueKind kind, const std::vector<std::string>& choices, const std::string& what) {
  switch (kind) {
    case ValueKind::File: return what + ":_files";
    case ValueKind::Dir: return what + ":_files -/";
    case ValueKind::Command: return what + ":_command_names -e";
    case ValueKind::Choice: {
      std::string words;
      for (const std::string& c : choices) words += (words.empty() ? "" : " ") + c;
      return what + ":(" + words + ")";
    }
    case ValueKind::Text: break;
  }
  return what + ": ";
}

std::string message(const std::string& name) {
  std::string out;
  for (char ch : name) out += ch == ':' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out.empty() ? "value" : out;
}

std::vector<std::string> option_specs(const OptionDoc& o) {
  std::string exclusion;
  if (!o.repeatable && o.names.size() > 1) {
    exclusion = "(";
    for (const std::string& n : o.names) exclusion += (exclusion.size() > 1 ? " " : "") + n;
    exclusion += ")";
  }
  std::vector<std::string> specs;
  for (const std::string& n : o.names) {
    std::string spec = (o.repeatable ? "*" : "") + exclusion + n;
    if (o.takes_value) spec += n.rfind("--", 0) == 0 ? "=" : "+";
    spec += "[" + bracketed(o.description) + "]";
    if (o.takes_value) {
      const std::string first = o.value_name.substr(0, o.value_name.find(':'));
      spec += ":" + message_and_action(o.kind, o.choices, message(o.kind == ValueKind::Text ? first : kind_name(o.kind)));
    }
    specs.push_back(single_quoted(spec));
  }
  return specs;
}

std::vector<std::string> positional_specs(const CommandDoc& c) {
  std::vector<std::string> specs;
  int n = 0;
  for (const PositionalDoc& p : c.positionals) {
    ++n;
    const std::string what = message(p.name);
    if (p.many && p.kind == ValueKind::Command) {
      // A program and its arguments.
      specs.push_back(single_quoted(fmt::format("{}:{}", n, message_and_action(p.kind, p.choices, what))));
      specs.push_back(single_quoted("*:argument:_files"));
    } else if (p.many) {
      specs.push_back(single_quoted("*:" + message_and_action(p.kind, p.choices, what)));
    } else {
      specs.push_back(single_quoted(fmt::format("{}:{}{}", n, p.required ? "" : ":", message_and_action(p.kind, p.choices, what))));
    }
  }
  if (c.rest_is_args) specs.push_back(single_quoted("*:argument:_files"));
  return specs;
}

std::string arguments_call(const std::vector<std::string>& specs, const char* flags) {
  std::string out = fmt::format("  _arguments {}", flags);
  for (const std::string& s : specs) out += " \\\n    " + s;
  return out + "\n";
}

std::string command_function(const CommandDoc& c) {
  std::vector<std::string> specs;
  for (const OptionDoc& o : c.options) {
    for (std::string& s : option_specs(o)) specs.push_back(std::move(s));
  }
  std::string out = fmt::format("{}() {{\n", function_name(c));
  if (c.subcommands.empty()) {
    for (std::string& s : positional_specs(c)) specs.push_back(std::move(s));
    return out + arguments_call(specs, "-s -S") + "}\n\n";
  }
  specs.push_back("'1:command:->command'");
  specs.push_back("'*::argument:->argument'");
  out += "  local curcontext=$curcontext state state_descr line\n  typeset -A opt_args\n";
  out += arguments_call(specs, "-C");
  out += "  case $state in\n    command)\n      local -a subcommands=(\n";
  for (const CommandDoc& s : c.subcommands) {
    out += fmt::format("        {}\n", single_quoted(s.path.back() + ":" + s.description));
  }
  out += fmt::format("      )\n      _describe -t commands {} subcommands ;;\n", single_quoted(c.full_name() + " command"));
  out += "    argument)\n      case $line[1] in\n";
  for (const CommandDoc& s : c.subcommands) {
    out += fmt::format("        {}) {} ;;\n", s.path.back(), function_name(s));
  }
  out += "      esac ;;\n  esac\n}\n\n";
  return out;
}

}  // namespace

std::string zsh_completion(const CommandDoc& root) {
  std::string out =
      "#compdef appv\n"
      "# zsh completion for appv. Generated from appv's command definitions by\n"
      "# `appv completion zsh`; do not edit.\n\n";
  for (const CommandDoc* c : all_commands(root)) out += command_function(*c);
  // Autoloaded from fpath the file's body is _appv's first call; sourced, it registers.
  out +=
      "if [[ $funcstack[1] == _appv ]]; then\n"
      "  _appv \"$@\"\n"
      "else\n"
      "  compdef _appv appv\n"
      "fi\n";
  return out;
}

}  // namespace appv::cli
