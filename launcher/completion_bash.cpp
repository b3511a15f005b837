// The bash completion script: the command tree as case tables keyed by a command's
// path (" sandbox reset"), and one function, _appv, that walks the words typed so far
// through them. Needs bash 4.3 (negative array subscripts, mapfile); bash-completion's
// helpers are not needed, so `source`-ing the file alone works.
#include <string>

#include <fmt/format.h>

#include "launcher/completion.h"

namespace appv::cli {
namespace {

// The key of a command in the tables: "" for appv, " sandbox reset" below it. Command
// and option names are plain words (CLI11 refuses spaces and quotes in them).
std::string key(const CommandDoc& c) {
  std::string k;
  for (const std::string& p : c.path) k += " " + p;
  return k;
}

std::string join_names(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// `_appv_NAME() { case $1 in "KEY") REPLY="..." ;; ... esac; }` for every command
// whose `value` is not empty.
template <typename Value>
std::string word_table(const char* name, const char* what, const std::vector<const CommandDoc*>& commands, Value value) {
  std::string out = fmt::format("# {}\n_appv_{}() {{\n  case $1 in\n", what, name);
  for (const CommandDoc* c : commands) {
    const std::string v = value(*c);
    if (!v.empty()) out += fmt::format("    \"{}\") REPLY=\"{}\" ;;\n", key(*c), v);
  }
  out += "    *) REPLY=\"\" ;;\n  esac\n}\n\n";
  return out;
}

// How the tables name a kind: "file", "dir", "command", "text", or the choices
// themselves, "{bash,zsh,fish}".
std::string kind_word(ValueKind kind, const std::vector<std::string>& choices) {
  if (kind != ValueKind::Choice) return kind_name(kind);
  std::string out = "{";
  for (const std::string& c : choices) out += (out.size() > 1 ? "," : "") + c;
  return out + "}";
}

std::string value_kind_table(const std::vector<const CommandDoc*>& commands) {
  std::string out =
      "# The kind of value option $2 of command $1 takes (file, dir, command, text, or the\n"
      "# words it may be: {a,b}), or none for a flag.\n_appv_value_kind() {\n  case \"$1 $2\" in\n";
  for (const CommandDoc* c : commands) {
    for (const OptionDoc& o : c->options) {
      if (!o.takes_value) continue;
      std::string pattern;
      for (const std::string& n : o.names) pattern += fmt::format("{}\"{} {}\"", pattern.empty() ? "" : "|", key(*c), n);
      out += fmt::format("    {}) REPLY={} ;;\n", pattern, kind_word(o.kind, o.choices));
    }
  }
  out += "    *) REPLY=none ;;\n  esac\n}\n\n";
  return out;
}

std::string rest_table(const std::vector<const CommandDoc*>& commands) {
  std::string out =
      "# Whether every word after the command's first argument belongs to the program it runs.\n"
      "_appv_rest_is_args() {\n  case $1 in\n";
  for (const CommandDoc* c : commands) {
    if (c->rest_is_args) out += fmt::format("    \"{}\") return 0 ;;\n", key(*c));
  }
  out += "  esac\n  return 1\n}\n\n";
  return out;
}

constexpr const char* kWalker = R"(# Offers what a value or an argument of kind $1 can be, completing the word $2.
_appv_complete_kind() {
  case $1 in
    file) compopt -o filenames 2>/dev/null || true; mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    dir) compopt -o filenames 2>/dev/null || true; mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
    command) mapfile -t COMPREPLY < <(compgen -c -- "$2" | sort -u) ;;
    \{*\}) local words=${1:1:-1}; mapfile -t COMPREPLY < <(compgen -W "${words//,/ }" -- "$2") ;;
    *) COMPREPLY=() ;;
  esac
}

# Walks the words before the cursor: subcommands lead down the tree, an option that
# takes a value consumes the next word, "--" ends the options, the rest are arguments.
_appv() {
  local cur=${COMP_WORDS[COMP_CWORD]} path="" word pending="" dashdash=0 npos=0 i REPLY
  COMPREPLY=()
  # readline splits --option=value at "=": the value is the word after it.
  [[ $cur == "=" ]] && cur=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    [[ $word == "=" ]] && continue
    if [[ -n $pending ]]; then
      pending=""
      continue
    fi
    if ((!dashdash)); then
      case $word in
        --) dashdash=1; continue ;;
        -?*) _appv_value_kind "$path" "$word"; [[ $REPLY != none ]] && pending=$word; continue ;;
      esac
      if ((npos == 0)); then
        _appv_subcommands "$path"
        if [[ " $REPLY " == *" $word "* ]]; then
          path="$path $word"
          continue
        fi
      fi
    fi
    npos=$((npos + 1))
    if _appv_rest_is_args "$path"; then
      _appv_complete_kind file "$cur"
      return 0
    fi
  done
  if [[ -n $pending ]]; then
    _appv_value_kind "$path" "$pending"
    _appv_complete_kind "$REPLY" "$cur"
    return 0
  fi
  if ((!dashdash)) && [[ $cur == -* ]]; then
    _appv_options "$path"
    mapfile -t COMPREPLY < <(compgen -W "$REPLY" -- "$cur")
    return 0
  fi
  if ((npos == 0 && !dashdash)); then
    _appv_subcommands "$path"
    if [[ -n $REPLY ]]; then
      mapfile -t COMPREPLY < <(compgen -W "$REPLY" -- "$cur")
      return 0
    fi
  fi
  # The argument at the cursor: its own kind, or the last one's if that takes every
  # remaining word ("command..." is a program and its arguments: files after it).
  _appv_arguments "$path"
  local -a kinds
  read -ra kinds <<<"$REPLY"
  local kind=""
  if ((npos < ${#kinds[@]})); then
    kind=${kinds[npos]%...}
  elif ((${#kinds[@]})) && [[ ${kinds[-1]} == *... ]]; then
    kind=${kinds[-1]%...}
    [[ $kind == command ]] && kind=file
  fi
  _appv_complete_kind "$kind" "$cur"
  return 0
}

complete -F _appv appv
)";

}  // namespace

std::string bash_completion(const CommandDoc& root) {
  const std::vector<const CommandDoc*> commands = all_commands(root);
  std::string out =
      "# bash completion for appv                                  -*- shell-script -*-\n"
      "# Generated from appv's command definitions by `appv completion bash`; do not edit.\n"
      "# Each table is keyed by a command's path: \"\" for appv, \" sandbox reset\" below it.\n\n";
  out += word_table("subcommands", "The subcommands of command $1.", commands, [](const CommandDoc& c) {
    std::vector<std::string> names;
    for (const CommandDoc& s : c.subcommands) names.push_back(s.path.back());
    return join_names(names);
  });
  out += word_table("options", "The options of command $1.", commands, [](const CommandDoc& c) {
    std::vector<std::string> names;
    for (const OptionDoc& o : c.options) names.insert(names.end(), o.names.begin(), o.names.end());
    return join_names(names);
  });
  out += value_kind_table(commands);
  out += word_table("arguments",
                    "The kinds of the arguments of command $1 in order; \"...\" after the last: it\n"
                    "# takes every remaining word.",
                    commands, [](const CommandDoc& c) {
                      std::vector<std::string> kinds;
                      for (const PositionalDoc& p : c.positionals) {
                        kinds.push_back(kind_word(p.kind, p.choices) + (p.many ? "..." : ""));
                      }
                      return join_names(kinds);
                    });
  out += rest_table(commands);
  out += kWalker;
  return out;
}

}  // namespace appv::cli
