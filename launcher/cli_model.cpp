#include "launcher/cli_model.h"

#include <CLI/CLI.hpp>

namespace appv::cli {
namespace {

// CLI11 joins a validator's name to the type name: "TEXT:FILE", "INT:INT in [1 - 19]",
// "TEXT:{bash,zsh,fish}" (CLI::IsMember).
struct Kind {
  ValueKind kind = ValueKind::Text;
  std::vector<std::string> choices;
};

Kind kind_of(const std::string& type_name) {
  size_t start = 0;
  while (start <= type_name.size()) {
    size_t end = type_name.find(':', start);
    if (end == std::string::npos) end = type_name.size();
    const std::string part = type_name.substr(start, end - start);
    if (part == "FILE" || part == "PATH") return {ValueKind::File, {}};
    if (part == "DIR") return {ValueKind::Dir, {}};
    if (part == "COMMAND") return {ValueKind::Command, {}};
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      Kind k{ValueKind::Choice, {}};
      size_t from = 1;
      while (from < part.size()) {
        size_t comma = part.find(',', from);
        if (comma == std::string::npos) comma = part.size() - 1;
        k.choices.push_back(part.substr(from, comma - from));
        from = comma + 1;
      }
      return k;
    }
    start = end + 1;
  }
  return {};
}

OptionDoc describe_option_at(const CLI::Option& o) {
  OptionDoc doc;
  for (const std::string& s : o.get_snames()) doc.names.push_back("-" + s);
  for (const std::string& l : o.get_lnames()) doc.names.push_back("--" + l);
  doc.description = o.get_description();
  doc.takes_value = o.get_items_expected_max() > 0;
  if (doc.takes_value) {
    doc.value_name = o.get_type_name();
    Kind k = kind_of(doc.value_name);
    doc.kind = k.kind;
    doc.choices = std::move(k.choices);
    doc.default_value = o.get_default_str();
    // A vector option that takes one value a time (allow_extra_args(false)) is
    // repeated to give more; one that takes many at once is repeatable too.
    doc.repeatable = o.get_expected_max() > 1 || o.get_items_expected_max() > 1;
  }
  doc.required = o.get_required();
  return doc;
}

PositionalDoc positional_doc(const CLI::Option& o) {
  PositionalDoc doc;
  doc.name = o.get_name();
  doc.description = o.get_description();
  Kind k = kind_of(o.get_type_name());
  doc.kind = k.kind;
  doc.choices = std::move(k.choices);
  doc.required = o.get_required();
  doc.many = o.get_items_expected_max() > 1;
  return doc;
}

CommandDoc describe_at(const CLI::App& app, std::vector<std::string> path) {
  CommandDoc doc;
  doc.path = std::move(path);
  doc.description = app.get_description();
  doc.footer = app.get_footer();
  doc.subcommand_required = app.get_require_subcommand_min() > 0;
  doc.rest_is_args = app.get_prefix_command();
  // An empty group hides an option from --help; it is hidden here too.
  for (const CLI::Option* o : app.get_options([](const CLI::Option* opt) { return !opt->get_group().empty(); })) {
    if (o->nonpositional()) {
      doc.options.push_back(describe_option_at(*o));
    } else {
      doc.positionals.push_back(positional_doc(*o));
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    std::vector<std::string> sub_path = doc.path;
    sub_path.push_back(sub->get_name());
    doc.subcommands.push_back(describe_at(*sub, std::move(sub_path)));
  }
  return doc;
}

}  // namespace

std::string CommandDoc::full_name(const char* sep) const {
  std::string name = "appv";
  for (const std::string& p : path) name += sep + p;
  return name;
}

CommandDoc describe(const CLI::App& app) { return describe_at(app, {}); }

OptionDoc describe_option(const CLI::Option& option) { return describe_option_at(option); }

std::string value_display(const OptionDoc& o) {
  switch (o.kind) {
    case ValueKind::File: return "FILE";
    case ValueKind::Dir: return "DIR";
    case ValueKind::Command: return "COMMAND";
    case ValueKind::Choice: {
      std::string words;
      for (const std::string& c : o.choices) words += (words.empty() ? "" : "|") + c;
      return "{" + words + "}";
    }
    case ValueKind::Text: break;
  }
  std::string first = o.value_name.substr(0, o.value_name.find(':'));
  return first.empty() || first == "TEXT" ? "VALUE" : first;
}

std::vector<const CommandDoc*> all_commands(const CommandDoc& root) {
  std::vector<const CommandDoc*> out{&root};
  for (const CommandDoc& sub : root.subcommands) {
    for (const CommandDoc* c : all_commands(sub)) out.push_back(c);
  }
  return out;
}

const char* kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::File: return "file";
    case ValueKind::Dir: return "dir";
    case ValueKind::Command: return "command";
    case ValueKind::Choice: return "choice";
    case ValueKind::Text: break;
  }
  return "text";
}

}  // namespace appv::cli
