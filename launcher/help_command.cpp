// `appv help [COMMAND...]`, `appv help --man DIR`, `appv version` and
// `appv completion SHELL`: what appv says about itself, all of it taken from the
// command tree the other command files registered (cli_model.h).
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "launcher/cli_model.h"
#include "launcher/command_line.h"
#include "launcher/completion.h"
#include "launcher/exit_statuses.h"
#include "launcher/man_page.h"
#include "launcher/version.h"

namespace appv::cli {
namespace {

// The date man pages carry: SOURCE_DATE_EPOCH's (reproducible builds), or none.
std::string page_date() {
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (!epoch || !*epoch) return "";
  char* end = nullptr;
  const long long seconds = std::strtoll(epoch, &end, 10);
  if (*end != '\0' || seconds < 0) throw Error(Exit::Usage, fmt::format("SOURCE_DATE_EPOCH is not a number of seconds: '{}'", epoch));
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

int write_man_pages(const CLI::App& app, const std::string& dir) {
  make_dirs(dir);
  const std::string first_line = version_text().substr(0, version_text().find('\n'));
  for (const ManPage& page : man_pages(describe(app), first_line, page_date())) {
    write_file_atomic(dir + "/" + page.file_name, page.roff);
  }
  return 0;
}

// `appv help exit-statuses`: the one table every subcommand's help points to.
constexpr const char* kExitStatusesTopic = "exit-statuses";

// The command `words` name below `app` ("sandbox", "reset"), or nullptr.
const CLI::App* find_command(const CLI::App& app, const std::vector<std::string>& words) {
  const CLI::App* at = &app;
  for (const std::string& w : words) {
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : at->get_subcommands({})) {
      if (sub->get_name() == w && !sub->get_group().empty()) next = sub;
    }
    if (!next) return nullptr;
    at = next;
  }
  return at;
}

std::string command_names(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (!sub->get_group().empty()) names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

int print_help(const CLI::App& app, const std::vector<std::string>& words) {
  if (words.size() == 1 && words[0] == kExitStatusesTopic) {
    fmt::print("{}", exit_status_text());
    return 0;
  }
  const CLI::App* command = find_command(app, words);
  std::string name = "appv";
  for (const std::string& w : words) name += " " + w;
  if (!command) {
    std::vector<std::string> parent(words.begin(), words.end() - 1);
    const CLI::App* above = find_command(app, parent);
    throw Error(Exit::Usage, fmt::format("unknown command '{}' (commands: {})", name, above ? command_names(*above) : command_names(app)));
  }
  // The formatter directly: App::help() would describe the parsed subcommand, `help`.
  fmt::print("{}", app.get_formatter()->make_help(command, name, CLI::AppFormatMode::Normal));
  return 0;
}

}  // namespace

void add_help_commands(CLI::App& app, Commands& out) {
  struct HelpArgs {
    std::vector<std::string> words;
    std::string man_dir;
    std::string shell;
  };
  auto args = std::make_shared<HelpArgs>();
  const CLI::App* root = &app;

  CLI::App* help = app.add_subcommand("help", "Show the help of appv or of a command (appv help sandbox reset)");
  help->add_option("command", args->words, "The command, and its subcommand if it has them; or exit-statuses");
  help->add_option("--man", args->man_dir, "Write appv's man pages (roff, one per command) into this directory instead")
      ->type_name("DIR");
  out.add(help, [args, root] {
    return args->man_dir.empty() ? print_help(*root, args->words) : write_man_pages(*root, args->man_dir);
  });

  CLI::App* version = app.add_subcommand("version", "Show appv's version, the package format it reads and writes, and the build");
  out.add(version, [] {
    fmt::print("{}", version_text());
    return 0;
  });

  CLI::App* completion = app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
  completion->add_option("shell", args->shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->footer("Installed packages of appv load these already. By hand:\n"
                     "  bash: appv completion bash > ~/.local/share/bash-completion/completions/appv\n"
                     "  zsh:  appv completion zsh > ~/.zfunc/_appv  (with fpath+=~/.zfunc before compinit)\n"
                     "  fish: appv completion fish > ~/.config/fish/completions/appv.fish");
  out.add(completion, [args, root] {
    fmt::print("{}", completion_script(describe(*root), *shell_named(args->shell)));
    return 0;
  });
}

}  // namespace appv::cli
