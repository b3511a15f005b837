#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/text.h"

using appv::printable;
using appv::printable_message;

TEST_CASE("printable passes plain text and well-formed UTF-8 through") {
  CHECK(printable("jq 1.6 (JSON processor)") == "jq 1.6 (JSON processor)");
  CHECK(printable("Grüße, 日本語, 🙂") == "Grüße, 日本語, 🙂");
  CHECK(printable("") == "");
}

TEST_CASE("printable shows terminal controls escaped, never raw") {
  CHECK(printable("\x1b]0;owned\x07title") == "\\x1b]0;owned\\x07title");
  CHECK(printable("\x1b[2J\x1b[31mred") == "\\x1b[2J\\x1b[31mred");
  CHECK(printable("ok\rFAKE\nline\ttab\x7f") == "ok\\x0dFAKE\\x0aline\\x09tab\\x7f");
  CHECK(printable(std::string("nul\0byte", 8)) == "nul\\x00byte");
  // C1 controls in UTF-8 (U+009B is CSI on terminals that honour C1) and bidi overrides.
  CHECK(printable("\xc2\x9b" "31m") == "\\u009b31m");
  CHECK(printable("abc\xe2\x80\xae" "fdp.exe") == "abc\\u202efdp.exe");
  CHECK(printable("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u2066x\\u2069");
  // A backslash is doubled, so "\x1b" in the output always means an escaped byte.
  CHECK(printable("a\\x1b") == "a\\\\x1b");
}

TEST_CASE("printable shows bytes that are not UTF-8 one by one") {
  CHECK(printable("\x9b[31m") == "\\x9b[31m");            // a raw 8-bit CSI
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");            // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");    // a surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  CHECK(printable("end\xe6\x97") == "end\\xe6\\x97");      // truncated sequence
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  for (int c = 0; c < 256; ++c) {
    const std::string out = printable(std::string(1, static_cast<char>(c)));
    for (unsigned char o : out) CHECK((o >= 0x20 && o < 0x7f));
  }
}

TEST_CASE("printable_message keeps earlier escapes as they are and escapes the rest") {
  CHECK(printable_message("entry 'a\\x1b': bad\x1b[2J") == "entry 'a\\x1b': bad\\x1b[2J");
  CHECK(printable_message("two\nlines") == "two\\x0alines");
}

TEST_CASE("shell_split splits a command line at blanks and honours quotes, expanding nothing") {
  using W = std::vector<std::string>;
  CHECK(appv::shell_split("python3 app.py --in 'my file.txt'") == W{"python3", "app.py", "--in", "my file.txt"});
  CHECK(appv::shell_split("  sh   -c \"echo \\\"\\$HOME\\\" \\\\n\"  ") == W{"sh", "-c", "echo \"$HOME\" \\n"});
  CHECK(appv::shell_split("a\\ b c'd'\"e\" '' $HOME ~ *") == W{"a b", "cde", "", "$HOME", "~", "*"});
  CHECK(appv::shell_split("").empty());
  CHECK(appv::shell_split(" \t ").empty());
  for (const char* bad : {"a 'b", "a \"b", "a\\"}) {
    try {
      appv::shell_split(bad);
      FAIL("accepted: " << bad);
    } catch (const appv::Error& e) {
      CHECK(e.code() == appv::Exit::Usage);
    }
  }
}

TEST_CASE("closest_match suggests the candidate a typo most likely meant") {
  using appv::closest_match;
  const std::vector<std::string> sandbox{"list", "path", "diff", "reset", "export", "import"};
  CHECK(closest_match("lst", sandbox) == "list");      // a letter left out
  CHECK(closest_match("lsit", sandbox) == "list");     // two letters swapped: one edit
  CHECK(closest_match("rest", sandbox) == "reset");
  CHECK(closest_match("exprot", sandbox) == "export");
  CHECK(closest_match("imprt", sandbox) == "import");
  // Nothing close: no suggestion rather than a wild one.
  CHECK_FALSE(closest_match("frobnicate", sandbox));
  CHECK_FALSE(closest_match("xy", sandbox));
  CHECK_FALSE(closest_match("", sandbox));
  CHECK_FALSE(closest_match("list", sandbox));  // the word is a candidate: nothing to suggest
  CHECK_FALSE(closest_match("list", {}));
}

TEST_CASE("closest_match allows two edits only in longer words") {
  using appv::closest_match;
  CHECK(closest_match("instll", {"install", "uninstall"}) == "install");
  CHECK(closest_match("unistal", {"install", "uninstall"}) == "uninstall");  // 2 edits, 7 letters
  CHECK_FALSE(closest_match("pk", {"pack"}));                                 // 2 edits, 2 letters
  CHECK(closest_match("pul", {"push", "pull"}) == "pull");
}

TEST_CASE("closest_match falls back to the one candidate a word begins") {
  using appv::closest_match;
  const std::vector<std::string> options{"--manifest", "--output", "--report-json", "--report-only"};
  CHECK(closest_match("--man", options) == "--manifest");
  CHECK_FALSE(closest_match("--re", options));  // begins two options: no guess
  CHECK(closest_match("--ouptut", options) == "--output");
}

TEST_CASE("closest_match breaks ties by candidate order") {
  CHECK(appv::closest_match("pash", {"push", "path"}) == "push");
  CHECK(appv::closest_match("pash", {"path", "push"}) == "path");
}
