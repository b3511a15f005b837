#include "launcher/man_page.h"

#include <cctype>

#include <fmt/format.h>

#include "launcher/exit_statuses.h"

namespace appv::cli {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A name to type as read (appv-sandbox-reset): every dash a minus sign.
std::string roff_name(const std::string& s) {
  std::string out;
  for (char c : roff_escape(s)) out += c == '-' && (out.empty() || out.back() != '\\') ? std::string("\\-") : std::string(1, c);
  return out;
}

// A quoted argument of a macro (.TH, .SS): a double quote inside is \(dq.
std::string macro_arg(const std::string& s) {
  std::string out = "\"";
  for (char c : roff_escape(s)) out += c == '"' ? std::string("\\(dq") : std::string(1, c);
  return out + "\"";
}

std::string sentence(std::string s) {
  if (!s.empty() && s.back() != '.' && s.back() != ')' && s.back() != '!') s += '.';
  return roff_escape(s);
}

// The synopsis: ".B appv pack\n[\fIOPTIONS\fR] ...\n".
std::string synopsis(const CommandDoc& c) {
  std::string out;
  if (!c.subcommands.empty()) out += " \\fICOMMAND\\fR";
  if (!c.options.empty()) out += " [\\fIOPTIONS\\fR]";
  for (const PositionalDoc& p : c.positionals) {
    const std::string word = "\\fI" + roff_escape(p.name) + "\\fR" + (p.many ? "..." : "");
    out += p.required ? " " + word : " [" + word + "]";
  }
  if (c.rest_is_args) out += " [\\fB\\-\\-\\fR] [\\fIARGS\\fR...]";
  // A text line starting with a space would break the line after the name.
  return ".B " + roff_escape(c.full_name()) + "\n" + (out.empty() ? "" : out.substr(1) + "\n");
}

std::string options_list(const CommandDoc& c) {
  std::string out;
  for (const OptionDoc& o : c.options) {
    std::string names;
    for (const std::string& n : o.names) names += (names.empty() ? "" : ", ") + ("\\fB" + roff_escape(n) + "\\fR");
    if (o.takes_value) names += " \\fI" + value_display(o) + "\\fR";
    std::string text = sentence(o.description);
    if (!o.default_value.empty()) text += " Default: " + roff_escape(o.default_value) + ".";
    if (o.repeatable) text += " May be given more than once.";
    out += ".TP\n" + names + "\n" + text + "\n";
  }
  return out;
}

std::string arguments_list(const CommandDoc& c) {
  std::string out;
  for (const PositionalDoc& p : c.positionals) {
    out += ".TP\n\\fI" + roff_escape(p.name) + "\\fR" + (p.many ? "..." : "") + "\n" + sentence(p.description) + "\n";
  }
  return out;
}

// A command's footer: "Usage:" lines and indented lines stay as they are, one per
// output line (a usage line's alternatives, "a | b", one per line); the other lines
// are prose wrapped at the source's width, joined into filled paragraphs.
std::string footer_text(std::string footer) {
  // CLI11 gives subcommands appv's footer, the exit status table, unless they set
  // their own: every page has the table in a section of its own instead.
  const std::string table = exit_status_text();
  if (size_t at = footer.find(table); at != std::string::npos) footer.erase(at, table.size());
  std::string out, prose;
  bool verbatim = false;
  auto flush_prose = [&] {
    if (!prose.empty()) out += ".PP\n" + roff_escape(prose) + "\n";
    prose.clear();
  };
  size_t start = 0;
  while (start < footer.size()) {
    size_t end = footer.find('\n', start);
    if (end == std::string::npos) end = footer.size();
    std::string line = footer.substr(start, end - start);
    start = end + 1;
    const bool literal = line.rfind("Usage:", 0) == 0 || (!line.empty() && line[0] == ' ');
    if (literal) {
      flush_prose();
      if (!verbatim) out += ".PP\n.nf\n";
      verbatim = true;
      size_t bar;
      while ((bar = line.find(" | ")) != std::string::npos) {
        out += roff_escape(line.substr(0, bar)) + "\n";
        line = "      " + line.substr(bar + 3);
      }
      out += roff_escape(line) + "\n";
      continue;
    }
    if (verbatim) out += ".fi\n";
    verbatim = false;
    if (line.empty()) {
      flush_prose();
    } else {
      prose += (prose.empty() ? "" : " ") + line;
    }
  }
  if (verbatim) out += ".fi\n";
  flush_prose();
  return out;
}

std::string exit_status_section() {
  std::string out = ".SH EXIT STATUS\n";
  for (const ExitStatusDoc& s : exit_statuses()) out += fmt::format(".TP\n.B {}\n{}\n", s.status, sentence(s.meaning));
  return out;
}

// A description as the one line whatis(1) shows: appv's own ("appv: application
// virtualization for Linux. Packs ...") loses its name and all but its first sentence.
std::string whatis(const std::string& description) {
  std::string text = description.rfind("appv: ", 0) == 0 ? description.substr(6) : description;
  if (size_t stop = text.find(". "); stop != std::string::npos) text.erase(stop);
  return text;
}

std::string header(const CommandDoc& c, const std::string& version, const std::string& date) {
  std::string out = ".\\\" Generated from appv's command definitions by `appv help --man`; do not edit.\n";
  out += fmt::format(".TH {} 1 {} {} \"appv manual\"\n", macro_arg(upper(c.full_name("-"))), macro_arg(date), macro_arg(version));
  // Left-aligned and not hyphenated: option names and page names are to be typed.
  out += ".nh\n.ad l\n";
  out += ".SH NAME\n" + roff_name(c.full_name("-")) + " \\- " + roff_escape(whatis(c.description)) + "\n";
  out += ".SH SYNOPSIS\n" + synopsis(c);
  return out;
}

// The page of a top-level command, its subcommands (and theirs) in a COMMANDS section.
std::string command_page(const CommandDoc& c, const std::string& version, const std::string& date) {
  std::string out = header(c, version, date);
  out += ".SH DESCRIPTION\n" + sentence(c.description) + "\n" + footer_text(c.footer);
  if (!c.positionals.empty()) out += ".SH ARGUMENTS\n" + arguments_list(c);
  if (!c.options.empty()) out += ".SH OPTIONS\n" + options_list(c);
  if (!c.subcommands.empty()) {
    out += ".SH COMMANDS\n";
    for (const CommandDoc* sub : all_commands(c)) {
      if (sub == &c) continue;
      out += ".SS " + macro_arg(sub->full_name()) + "\n";
      out += synopsis(*sub);
      out += ".PP\n" + sentence(sub->description) + "\n" + footer_text(sub->footer);
      if (!sub->positionals.empty()) out += ".PP\nArguments:\n.RS\n" + arguments_list(*sub) + ".RE\n";
      if (!sub->options.empty()) out += ".PP\nOptions:\n.RS\n" + options_list(*sub) + ".RE\n";
    }
  }
  out += exit_status_section();
  out += ".SH SEE ALSO\n\\fBappv\\fR(1)\n";
  return out;
}

std::string root_page(const CommandDoc& root, const std::string& version, const std::string& date) {
  std::string out = header(root, version, date);
  out += ".SH DESCRIPTION\n" + sentence(root.description) + "\n";
  out += ".PP\nEach command has a page of its own, named after it: \\fBappv\\-run\\fR(1) for "
         "\\fBappv run\\fR. Every command answers \\fB\\-\\-help\\fR.\n";
  out += ".SH COMMANDS\n";
  for (const CommandDoc& c : root.subcommands) {
    out += ".TP\n\\fB" + roff_name(c.full_name("-")) + "\\fR(1)\n" + sentence(c.description) + "\n";
  }
  if (!root.options.empty()) out += ".SH OPTIONS\n" + options_list(root);
  out += exit_status_section();
  out += ".SH SEE ALSO\n";
  std::string see;
  for (const CommandDoc& c : root.subcommands) see += (see.empty() ? "" : ",\n") + ("\\fB" + roff_name(c.full_name("-")) + "\\fR(1)");
  return out + see + "\n";
}

}  // namespace

std::string roff_escape(const std::string& text) {
  std::string out;
  bool option_word = false;  // inside a word that starts with '-'
  char prev = '\n';
  for (char c : text) {
    const bool word_start = prev == '\n' || prev == ' ' || prev == '(' || prev == '[' || prev == ',' || prev == '=' ||
                            prev == '\'' || prev == '"' || prev == '`' || prev == '|';
    if (word_start) option_word = c == '-';
    if (std::isspace(static_cast<unsigned char>(c))) option_word = false;
    if (prev == '\n' && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-' && option_word) {
      out += "\\-";
    } else {
      out += c;
    }
    prev = c;
  }
  return out;
}

std::vector<ManPage> man_pages(const CommandDoc& root, const std::string& version, const std::string& date) {
  std::vector<ManPage> pages{{"appv.1", root_page(root, version, date)}};
  for (const CommandDoc& c : root.subcommands) pages.push_back({c.full_name("-") + ".1", command_page(c, version, date)});
  return pages;
}

}  // namespace appv::cli
