// Library resolution on ELF fixtures built by the test with the project's compiler.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "packager/closure.h"
#include "packager/elf_reader.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using namespace appv::test;

namespace {

void sh(const std::string& command) {
  INFO(command);
  REQUIRE(std::system(command.c_str()) == 0);
}

// T/lib/libleaf.so.1, T/lib/libmid.so.1 (needs leaf), and programs in T/bin.
struct Fixture {
  TempDir dir;
  std::string cxx = APPV_TEST_CXX;

  Fixture() {
    write_file(dir / "leaf.cc", "extern \"C\" int leaf() { return 40; }\n");
    write_file(dir / "mid.cc", "extern \"C\" int leaf(); extern \"C\" int mid() { return leaf() + 2; }\n");
    write_file(dir / "main.cc", "extern \"C\" int mid(); int main() { return mid() == 42 ? 0 : 1; }\n");
    make_dirs_for("lib");
    make_dirs_for("bin");
    sh(fmt::format("{} -shared -fPIC -o {}/lib/libleaf.so.1 -Wl,-soname,libleaf.so.1 {}", cxx, dir.path(), dir / "leaf.cc"));
    sh(fmt::format("ln -s libleaf.so.1 {}/lib/libleaf.so", dir.path()));
    sh(fmt::format("{} -shared -fPIC -o {}/lib/libmid.so.1 -Wl,-soname,libmid.so.1 {} -L{}/lib -lleaf", cxx, dir.path(),
                   dir / "mid.cc", dir.path()));
    sh(fmt::format("ln -s libmid.so.1 {}/lib/libmid.so", dir.path()));
  }
  void make_dirs_for(const std::string& sub) { sh(fmt::format("mkdir -p {}/{}", dir.path(), sub)); }

  // Links bin/NAME against libmid with `flags` (e.g. an RPATH or RUNPATH).
  std::string program(const std::string& name, const std::string& flags) {
    std::string out = dir / ("bin/" + name);
    sh(fmt::format("{} -o {} {} -L{}/lib -lmid -Wl,-rpath-link,{}/lib {}", cxx, out, dir / "main.cc", dir.path(), dir.path(), flags));
    return out;
  }
};

ClosureResolver resolver(FileSet& files) { return ClosureResolver(files, SearchConfig::from_host()); }

bool has(const FileSet& files, const std::string& path) { return files.provides(path); }

}  // namespace

TEST_CASE("RUNPATH $ORIGIN/../lib finds the program's own libraries") {
  Fixture f;
  std::string prog = f.program("runpath", "-Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags");
  ElfInfo info = read_elf(prog);
  CHECK(info.runpath == std::vector<std::string>{"$ORIGIN/../lib"});
  CHECK(info.rpath.empty());
  CHECK_FALSE(info.interpreter.empty());

  FileSet files;
  ClosureResolver r = resolver(files);
  r.add_program(prog, "test");
  CHECK(has(files, f.dir / "lib/libmid.so.1"));
  // RUNPATH applies to the program's own needs only and is not inherited (ld.so(8)),
  // so libmid's need for libleaf cannot be met: ld.so itself fails to start this
  // program, and the closure reports the same gap.
  CHECK(std::system(prog.c_str()) != 0);
  CHECK_FALSE(has(files, f.dir / "lib/libleaf.so.1"));
  REQUIRE(r.unresolved().size() == 1);
  CHECK_THAT(r.unresolved()[0], Catch::StartsWith("libleaf.so.1 (needed by " + f.dir.path()));
  // The loader and libc are part of every closure.
  CHECK(has(files, info.interpreter));
  bool libc = false;
  for (const auto& [path, record] : files.entries()) libc = libc || path.find("/libc.so.6") != std::string::npos;
  CHECK(libc);
}

TEST_CASE("DT_RPATH of the program is inherited by the libraries it loads") {
  Fixture f;
  std::string prog = f.program("rpath", "-Wl,-rpath,'$ORIGIN/../lib' -Wl,--disable-new-dtags");
  sh(prog);
  ElfInfo info = read_elf(prog);
  CHECK(info.rpath == std::vector<std::string>{"$ORIGIN/../lib"});
  FileSet files;
  ClosureResolver r = resolver(files);
  r.add_program(prog, "test");
  CHECK(has(files, f.dir / "lib/libmid.so.1"));
  CHECK(has(files, f.dir / "lib/libleaf.so.1"));
  CHECK(r.unresolved().empty());
}

TEST_CASE("symlink chains to libraries are kept as links") {
  Fixture f;
  sh(fmt::format("mv {0}/lib/libmid.so.1 {0}/lib/libmid.so.1.0.0 && ln -s libmid.so.1.0.0 {0}/lib/libmid.so.1", f.dir.path()));
  std::string prog = f.program("chain", "-Wl,-rpath,'$ORIGIN/../lib' -Wl,--disable-new-dtags");
  FileSet files;
  ClosureResolver r = resolver(files);
  r.add_program(prog, "test");
  REQUIRE(files.contains(f.dir / "lib/libmid.so.1"));
  CHECK(files.entries().at(f.dir / "lib/libmid.so.1").kind == FileRecord::Kind::Symlink);
  CHECK(files.entries().at(f.dir / "lib/libmid.so.1").link == "libmid.so.1.0.0");
  CHECK(files.entries().at(f.dir / "lib/libmid.so.1.0.0").kind == FileRecord::Kind::File);
}

TEST_CASE("a missing library is reported, not dropped silently") {
  Fixture f;
  std::string prog = f.program("missing", "-Wl,-rpath,'$ORIGIN/../lib'");
  sh(fmt::format("rm {}/lib/libmid.so.1", f.dir.path()));
  FileSet files;
  ClosureResolver r = resolver(files);
  r.add_program(prog, "test");
  REQUIRE(r.unresolved().size() == 1);
  CHECK_THAT(r.unresolved()[0], Catch::StartsWith("libmid.so.1 (needed by "));
  // A library the package holds elsewhere (an include; loaded by path at run time, as
  // Java's libjvm.so is) is not reported missing.
  write_file(f.dir / "private/libmid.so.1", "elf\n");
  files.add(f.dir / "private/libmid.so.1", "include");
  CHECK(r.unresolved().empty());
}

TEST_CASE("a script's interpreter and its closure are captured") {
  TempDir dir;
  write_file(dir / "script", "#!/bin/sh\necho hi\n", 0755);
  FileSet files;
  ClosureResolver r = resolver(files);
  r.add_program(dir / "script", "test");
  CHECK(has(files, dir / "script"));
  CHECK(has(files, "/bin/sh"));  // through the /bin link on merged-/usr hosts
  bool libc = false;
  for (const auto& [path, record] : files.entries()) libc = libc || path.find("/libc.so.6") != std::string::npos;
  CHECK(libc);
}

TEST_CASE("a truncated ELF file is refused, not parsed as empty") {
  Fixture f;
  std::string prog = f.program("whole", "");
  sh(fmt::format("head -c 200 {} > {}/bin/truncated", prog, f.dir.path()));
  CHECK(is_elf_file(f.dir / "bin/truncated"));
  try {
    read_elf(f.dir / "bin/truncated");
    FAIL("truncated file accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK_THAT(e.what(), Catch::Contains("truncated"));
  }
}

TEST_CASE("a program that does not exist is a NoInput error") {
  FileSet files;
  ClosureResolver r = resolver(files);
  try {
    r.add_program("/nonexistent/appv-probe", "entry point probe");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::NoInput);
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent/appv-probe"));
  }
}

TEST_CASE("ld.so.conf includes are followed") {
  TempDir dir;
  write_file(dir / "ld.so.conf", "# comment\ninclude " + dir.path() + "/conf.d/*.conf\n/opt/first\n");
  write_file(dir / "conf.d/a.conf", "/opt/a\n");
  write_file(dir / "conf.d/b.conf", "/opt/b # trailing comment\n");
  CHECK(read_ld_so_conf(dir / "ld.so.conf") == std::vector<std::string>{"/opt/a", "/opt/b", "/opt/first"});
}

TEST_CASE("env's program is found behind its options: -S, assignments, -u, --") {
  CHECK(env_program(" python3") == "python3");
  CHECK(env_program(" -S bash -e") == "bash");
  CHECK(env_program(" -Sbash -e") == "bash");
  CHECK(env_program(" --split-string=perl -w") == "perl");
  CHECK(env_program(" -S LC_ALL=C.UTF-8 -u PYTHONPATH python3 -I") == "python3");
  CHECK(env_program(" -i PATH=/usr/bin -- node") == "node");
  CHECK(env_program(" -S /usr/bin/bash -e") == "/usr/bin/bash");
  CHECK(env_program(" -S") == "");
  CHECK(env_program(" --frobnicate python3") == "");  // an option env may not have: not guessed
}

TEST_CASE("a '#!/usr/bin/env -S bash -e' script brings bash; an unknown program is reported") {
  TempDir dir;
  write_file(dir / "script", "#!/usr/bin/env -S bash -e\necho hi\n", 0755);
  write_file(dir / "other", "#!/usr/bin/env -S no-such-program-appv -x\n", 0755);
  FileSet files;
  ClosureResolver r = resolver(files);
  r.add_program(dir / "script", "test");
  CHECK((has(files, "/usr/bin/bash") || has(files, "/bin/bash")));
  CHECK(r.unresolved().empty());
  r.add_program(dir / "other", "test");
  REQUIRE(r.unresolved().size() == 1);
  CHECK_THAT(r.unresolved()[0], Catch::StartsWith("no-such-program-appv (run by "));
}
