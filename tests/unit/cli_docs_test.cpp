// The command tree as data (cli_model.h), and what is generated from it: the exit
// status table, man pages' roff, completion scripts. The scripts themselves are run by
// the shells in tests/cli/completions.sh.
#include <catch2/catch.hpp>

#include <set>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "launcher/cli_model.h"
#include "launcher/completion.h"
#include "launcher/exit_statuses.h"
#include "launcher/man_page.h"

using namespace appv;
using namespace appv::cli;

namespace {

// A small appv-like tree: a leaf with every kind of option and a many-word program
// argument, a prefix command, a group with a leaf, and hidden things.
struct Tree {
  CLI::App app{"appv: a test app. It has commands.", "appv"};
  std::string s;
  std::vector<std::string> v;
  bool b = false;
  Tree() {
    app.set_version_flag("--version", "appv 0");
    CLI::App* pack = app.add_subcommand("pack", "Pack programs");
    pack->add_option("programs", v, "Programs to pack")->type_name("COMMAND");
    pack->add_option("-m,--manifest", s, "Manifest")->check(CLI::ExistingFile);
    pack->add_option("-o,--output", s, "Output [package]")->type_name("FILE");
    pack->add_option("--level", s, "Level")->check(CLI::Range(1, 19))->default_str("3");
    pack->add_option("--trace-run", v, "Trace this too")->allow_extra_args(false);
    pack->add_flag("--exe,!--no-exe", b, "Put the stub in front");
    pack->add_flag("--secret", b, "Hidden")->group("");
    pack->footer("Usage: appv pack A | appv pack B\nA long sentence that goes on\nover two lines.");
    CLI::App* run = app.add_subcommand("run", "Run a package");
    run->prefix_command();
    run->add_option("package", s, "Package file")->type_name("FILE");
    CLI::App* sandbox = app.add_subcommand("sandbox", "Sandboxes");
    sandbox->require_subcommand(1);
    CLI::App* exp = sandbox->add_subcommand("export", "Export");
    exp->add_option("app", s, "App id")->required();
    exp->add_option("dir", s, "Where")->required()->type_name("DIR");
    app.add_subcommand("internal", "Hidden command")->group("");
  }
};

const OptionDoc& option(const CommandDoc& c, const std::string& name) {
  for (const OptionDoc& o : c.options) {
    for (const std::string& n : o.names) {
      if (n == name) return o;
    }
  }
  FAIL("no option " << name << " in " << c.full_name());
  throw;
}

}  // namespace

TEST_CASE("cli model: commands, paths and what is hidden") {
  Tree t;
  const CommandDoc root = describe(t.app);
  REQUIRE(root.subcommands.size() == 3);  // "internal" is hidden
  CHECK(root.subcommands[0].full_name() == "appv pack");
  const CommandDoc& sandbox = root.subcommands[2];
  CHECK(sandbox.subcommand_required);
  REQUIRE(sandbox.subcommands.size() == 1);
  CHECK(sandbox.subcommands[0].path == std::vector<std::string>{"sandbox", "export"});
  CHECK(sandbox.subcommands[0].full_name("-") == "appv-sandbox-export");
  CHECK(root.subcommands[1].rest_is_args);
  CHECK_FALSE(root.subcommands[0].rest_is_args);
  std::vector<std::string> names;
  for (const CommandDoc* c : all_commands(root)) names.push_back(c->full_name());
  CHECK(names == std::vector<std::string>{"appv", "appv pack", "appv run", "appv sandbox", "appv sandbox export"});
  for (const OptionDoc& o : root.subcommands[0].options) CHECK(o.names != std::vector<std::string>{"--secret"});
}

TEST_CASE("cli model: options' names, values, kinds and repetition") {
  Tree t;
  const CommandDoc pack = describe(t.app).subcommands[0];
  CHECK(option(pack, "--help").names == std::vector<std::string>{"-h", "--help"});
  CHECK_FALSE(option(pack, "--help").takes_value);
  CHECK(option(pack, "-m").names == std::vector<std::string>{"-m", "--manifest"});
  CHECK(option(pack, "-m").kind == ValueKind::File);  // from CLI::ExistingFile
  CHECK(option(pack, "-o").kind == ValueKind::File);  // declared
  CHECK(option(pack, "--level").kind == ValueKind::Text);
  CHECK(option(pack, "--level").default_value == "3");
  CHECK(option(pack, "--trace-run").repeatable);
  CHECK_FALSE(option(pack, "-o").repeatable);
  CHECK(option(pack, "--exe").names == std::vector<std::string>{"--exe", "--no-exe"});
  CHECK_FALSE(option(pack, "--exe").takes_value);
  REQUIRE(pack.positionals.size() == 1);
  CHECK(pack.positionals[0].kind == ValueKind::Command);
  CHECK(pack.positionals[0].many);
  const CommandDoc exp = describe(t.app).subcommands[2].subcommands[0];
  REQUIRE(exp.positionals.size() == 2);
  CHECK(exp.positionals[0].kind == ValueKind::Text);
  CHECK(exp.positionals[0].required);
  CHECK(exp.positionals[1].kind == ValueKind::Dir);
}

TEST_CASE("exit statuses: one table in order, every status appv returns") {
  std::set<int> seen;
  int last = -1;
  for (const ExitStatusDoc& s : exit_statuses()) {
    CHECK(s.status > last);
    last = s.status;
    seen.insert(s.status);
  }
  for (Exit e : {Exit::Ok, Exit::Failure, Exit::Usage, Exit::BadInput, Exit::NoInput, Exit::Environment, Exit::Internal,
                 Exit::CantCreate, Exit::Io, Exit::Busy, Exit::NoPerm, Exit::CannotExecute, Exit::NotFound}) {
    CHECK(seen.count(static_cast<int>(e)) == 1);
  }
  const std::string text = exit_status_text();
  CHECK(text.rfind("Exit status:\n", 0) == 0);
  CHECK(text.find("\n  64   bad command line\n") != std::string::npos);
}

TEST_CASE("roff: options as minus signs, hyphenated words kept, requests and backslashes escaped") {
  CHECK(roff_escape("use --output or -m") == "use \\-\\-output or \\-m");
  CHECK(roff_escape("a write-copy view") == "a write-copy view");
  CHECK(roff_escape("(--trace) [-o OUT]") == "(\\-\\-trace) [\\-o OUT]");
  CHECK(roff_escape(".hidden\n'quote") == "\\&.hidden\n\\&'quote");
  CHECK(roff_escape("C:\\path") == "C:\\epath");
}

TEST_CASE("man pages: appv(1) and one page per command, with exit statuses") {
  Tree t;
  const std::vector<ManPage> pages = man_pages(describe(t.app), "appv 9.9", "2024-01-02");
  std::vector<std::string> files;
  for (const ManPage& p : pages) files.push_back(p.file_name);
  CHECK(files == std::vector<std::string>{"appv.1", "appv-pack.1", "appv-run.1", "appv-sandbox.1"});
  const std::string& pack = pages[1].roff;
  CHECK(pack.find(".TH \"APPV-PACK\" 1 \"2024-01-02\" \"appv 9.9\" \"appv manual\"\n") != std::string::npos);
  CHECK(pack.find(".SH NAME\nappv\\-pack \\- Pack programs\n") != std::string::npos);
  CHECK(pack.find("\\fB\\-m\\fR, \\fB\\-\\-manifest\\fR \\fIFILE\\fR\n") != std::string::npos);
  CHECK(pack.find("\\fB\\-\\-level\\fR \\fIVALUE\\fR\nLevel. Default: 3.\n") != std::string::npos);
  CHECK(pack.find("--secret") == std::string::npos);
  // The footer: usage alternatives one per line, unfilled; prose joined.
  CHECK(pack.find(".nf\nUsage: appv pack A\n      appv pack B\n.fi\n") != std::string::npos);
  CHECK(pack.find(".PP\nA long sentence that goes on over two lines.\n") != std::string::npos);
  CHECK(pack.find(".SH EXIT STATUS\n") != std::string::npos);
  CHECK(pack.find(".B 64\nbad command line.\n") != std::string::npos);
  // A group's page holds its subcommands.
  CHECK(pages[3].roff.find(".SS \"appv sandbox export\"\n") != std::string::npos);
  CHECK(pages[0].roff.find("\\fBappv\\-sandbox\\fR(1)") != std::string::npos);
  // appv's NAME line is what whatis shows: no "appv: ", the first sentence only.
  CHECK(pages[0].roff.find(".SH NAME\nappv \\- a test app\n") != std::string::npos);
  CHECK(pages[0].roff.find(".SH DESCRIPTION\nappv: a test app. It has commands.\n") != std::string::npos);
}

TEST_CASE("completion: each shell's script names every command and option") {
  Tree t;
  const CommandDoc root = describe(t.app);
  CHECK(shell_named("bash") == Shell::Bash);
  CHECK_FALSE(shell_named("tcsh"));
  for (Shell shell : {Shell::Bash, Shell::Zsh, Shell::Fish}) {
    const std::string script = completion_script(root, shell);
    for (const char* word : {"pack", "sandbox", "export", "manifest", "no-exe", "trace-run"}) {
      CHECK(script.find(word) != std::string::npos);
    }
    CHECK(script.find("internal") == std::string::npos);
    CHECK(script.find("secret") == std::string::npos);
  }
  CHECK(bash_completion(root).find("\" pack -m\"|\" pack --manifest\") REPLY=file ;;") != std::string::npos);
  CHECK(zsh_completion(root).find("'(-o --output)--output=[Output \\[package\\]]:file:_files'") != std::string::npos);
  CHECK(fish_completion(root).find("complete -c appv -n '__appv_at pack' -s m -l manifest -r -F -d 'Manifest'\n") !=
        std::string::npos);
  CHECK(fish_completion(root).find("complete -c appv -n '__appv_at run' -F\n") != std::string::npos);
}
