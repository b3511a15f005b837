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

TEST_CASE("closest_match suggests a near candidate and nothing for a far word") {
  using appv::closest_match;
  const std::vector<std::string> ids{"org.stedolan.jq", "org.x.xmessage", "com.example.File"};
  CHECK(closest_match("org.stedolan.jg", ids) == "org.stedolan.jq");
  CHECK(closest_match("org.x.xmesage", ids) == "org.x.xmessage");
  CHECK(closest_match("COM.EXAMPLE.FILE", ids) == "com.example.File");  // case is no edit
  CHECK(closest_match("firefox", ids) == std::nullopt);
  CHECK(closest_match("jq", {}) == std::nullopt);
  CHECK(closest_match("lst", {"list", "ls"}) == "list");  // a tie goes to the first given
}
