// The fish completion script: the tree as variables (each command's subcommands and
// its options that take a value), a function __appv_path that walks the words typed
// so far through them, and `complete` lines conditioned on the path (__appv_at).
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "launcher/completion.h"

namespace appv::cli {
namespace {

// A command's suffix in the variables' names: "" for appv, "_sandbox_reset" below it;
// __appv_path computes the same from the words.
std::string var_key(const CommandDoc& c) {
  std::string k;
  for (const std::string& p : c.path) {
    k += "_";
    for (char ch : p) k += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  }
  return k;
}

std::string fish_quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

std::string path_words(const CommandDoc& c) {
  std::string out;
  for (const std::string& p : c.path) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::string words(const std::vector<std::string>& choices) {
  std::string out;
  for (const std::string& c : choices) out += (out.empty() ? "" : " ") + c;
  return fish_quoted(out);
}

// The `complete` flags that make fish offer a value or argument of `kind`.
std::string value_flags(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
    case ValueKind::File: return "-r -F";
    case ValueKind::Dir: return "-x -a '(__fish_complete_directories)'";
    case ValueKind::Command: return "-x -a '(__fish_complete_command)'";
    case ValueKind::Choice: return "-x -a " + words(choices);
    case ValueKind::Text: break;
  }
  return "-x";
}

std::string argument_flags(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
    case ValueKind::File: return "-F";
    case ValueKind::Dir: return "-a '(__fish_complete_directories)'";
    case ValueKind::Command: return "-a '(__fish_complete_command)'";
    case ValueKind::Choice: return "-a " + words(choices);
    case ValueKind::Text: break;
  }
  return "";
}

constexpr const char* kWalker = R"(# The words of the appv command typed so far ("sandbox reset"): subcommands lead
# down the tree, an option that takes a value skips the next word, "--" or the first
# argument ends the walk.
function __appv_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path
    set -l key ''
    set -l pending 0
    for word in $tokens
        if test $pending = 1
            set pending 0
            continue
        end
        switch $word
            case --
                break
            case '-?*'
                set -l valued __appv_valued$key
                if contains -- $word $$valued
                    set pending 1
                end
                continue
        end
        set -l subs __appv_subs$key
        if contains -- $word $$subs
            set -a path $word
            set key $key'_'(string replace -ra '[^A-Za-z0-9]' _ -- $word)
        else
            break
        end
    end
    string join ' ' -- $path
end

# Whether the words typed so far name the appv command given ("" for appv itself).
function __appv_at
    set -l here (__appv_path)
    test "$here" = "$argv"
end

)";

}  // namespace

std::string fish_completion(const CommandDoc& root) {
  const std::vector<const CommandDoc*> commands = all_commands(root);
  std::string out =
      "# fish completion for appv. Generated from appv's command definitions by\n"
      "# `appv completion fish`; do not edit.\n\n"
      "# Each command's subcommands, and its options that take a value.\n";
  for (const CommandDoc* c : commands) {
    std::string subs, valued;
    for (const CommandDoc& s : c->subcommands) subs += " " + s.path.back();
    for (const OptionDoc& o : c->options) {
      if (!o.takes_value) continue;
      for (const std::string& n : o.names) valued += " " + n;
    }
    out += fmt::format("set -g __appv_subs{}{}\n", var_key(*c), subs);
    // `set -g -- NAME -m --manifest`: values starting with "-" need the "--" first.
    out += fmt::format("set -g -- __appv_valued{}{}\n", var_key(*c), valued);
  }
  out += "\n";
  out += kWalker;
  out += "# appv completes no file names unless a value or an argument is one.\ncomplete -c appv -f\n";
  for (const CommandDoc* c : commands) {
    const std::string at = fish_quoted("__appv_at " + path_words(*c));
    out += fmt::format("\n# {}\n", c->full_name());
    for (const CommandDoc& s : c->subcommands) {
      out += fmt::format("complete -c appv -n {} -a {} -d {}\n", at, s.path.back(), fish_quoted(s.description));
    }
    for (const OptionDoc& o : c->options) {
      std::string names;
      for (const std::string& n : o.names) {
        names += n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -s " + n.substr(1);
      }
      out += fmt::format("complete -c appv -n {}{}{} -d {}\n", at, names,
                         o.takes_value ? " " + value_flags(o.kind, o.choices) : "", fish_quoted(o.description));
    }
    // fish cannot tell one argument from the next here: the first one's kind
    // stands for all (every command's arguments are of one kind but extract's).
    if (c->subcommands.empty() && !c->positionals.empty()) {
      const std::string flags = argument_flags(c->positionals.front().kind, c->positionals.front().choices);
      if (!flags.empty()) out += fmt::format("complete -c appv -n {} {}\n", at, flags);
    }
    if (c->rest_is_args) out += fmt::format("complete -c appv -n {} -F\n", at);
  }
  return out;
}

}  // namespace appv::cli
