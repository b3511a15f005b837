#include "launcher/help_format.h"

#include "launcher/cli_model.h"

namespace appv::cli {

std::string HelpFormatter::make_option_name(const CLI::Option* opt, bool is_positional) const {
  if (is_positional) return CLI::Formatter::make_option_name(opt, is_positional);
  std::string names;
  for (const std::string& n : describe_option(*opt).names) names += (names.empty() ? "" : ",") + n;
  return names;
}

std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
  if (!opt->nonpositional()) return "";
  const OptionDoc doc = describe_option(*opt);
  if (!doc.takes_value) return "";
  std::string out = " " + value_display(doc);
  if (doc.repeatable) out += " ...";
  if (doc.required) out += " (required)";
  if (!doc.default_value.empty()) out += " (default: " + doc.default_value + ")";
  return out;
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  std::string footer = app->get_footer();
  if (!footer.empty() && footer.back() != '\n') footer += '\n';
  if (app->get_parent() != nullptr) footer += std::string(kExitStatusPointer) + "\n";
  return footer;
}

}  // namespace appv::cli
