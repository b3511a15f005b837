// Writes a corpus of broken and hostile packages into DIR, one file per case, and
// DIR/cases: "<file> <status of appv info> <status of ls, verify, extract and run>".
// `info` reads only the trailer and header (by design: O(1)), so it accepts packages
// whose damage lies in the payload; every other command must refuse them.
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "vfs/package_format.h"

using namespace appv;
using namespace appv::test;

namespace {

std::vector<RawEntry> with(std::vector<RawEntry> extra) {
  std::vector<RawEntry> e = base_entries();
  e.insert(e.end(), extra.begin(), extra.end());
  return e;
}

std::string package(const std::vector<RawEntry>& entries) {
  return frame_package(zstd_compress(make_tar(entries)), kTestManifest, entries.size(), declared_bytes(entries));
}

std::string bad_manifest_package(const std::string& manifest) {
  std::vector<RawEntry> e = base_entries(manifest);
  return frame_package(zstd_compress(make_tar(e)), manifest, e.size(), declared_bytes(e));
}

// Rewrites the trailer of `bytes` with `change` applied, keeping its own checksum
// valid, so only the lie `change` tells is left to catch.
std::string retrailer(std::string bytes, const std::function<void(Trailer&)>& change) {
  size_t at = bytes.size() - kTrailerSize;
  Trailer t;
  t.header_size = 0;
  // Decode the fields we wrote (offsets are known: header at 0).
  auto u64 = [&](size_t off) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[at + off + i]);
    return v;
  };
  t.header_offset = u64(24);
  t.header_size = u64(32);
  t.payload_offset = u64(40);
  t.payload_size = u64(48);
  for (int i = 0; i < 32; ++i) t.header_digest[i] = static_cast<uint8_t>(bytes[at + 56 + i]);
  for (int i = 0; i < 32; ++i) t.payload_digest[i] = static_cast<uint8_t>(bytes[at + 88 + i]);
  change(t);
  std::vector<uint8_t> fresh = encode_trailer(t);
  bytes.replace(at, kTrailerSize, std::string(fresh.begin(), fresh.end()));
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_hostile_corpus DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  std::ofstream cases(dir + "/cases");
  auto add = [&](const std::string& name, const std::string& bytes, int info_status, int other_status = 65) {
    write_file(dir + "/" + name + ".appv", bytes);
    cases << name << ".appv " << info_status << " " << other_status << "\n";
  };

  const std::string sound = package(with({{"root/usr/", '5', 0755, {}, {}, -1}, {"root/usr/f", '0', 0644, "data", {}, -1}}));
  const size_t header_size = kHeaderFixedSize + std::string(kTestManifest).size();
  const size_t trailer_at = sound.size() - kTrailerSize;

  // Framing: every command, info included, refuses these.
  for (auto [name, len] : std::vector<std::pair<std::string, size_t>>{
           {"truncated-empty", 0}, {"truncated-in-header", header_size / 2}, {"truncated-at-payload", header_size},
           {"truncated-in-payload", (header_size + trailer_at) / 2}, {"truncated-at-trailer", trailer_at},
           {"truncated-in-trailer", trailer_at + kTrailerSize / 2}, {"truncated-last-byte", sound.size() - 1}}) {
    add(name, sound.substr(0, len), 65);
  }
  auto flipped = [&](size_t at) {
    std::string b = sound;
    b[at] = static_cast<char>(b[at] ^ 0x40);
    return b;
  };
  add("flip-header-magic", flipped(2), 65);
  add("flip-manifest", flipped(kHeaderFixedSize + 3), 65);
  add("flip-trailer", flipped(trailer_at + 30), 65);
  add("flip-payload", flipped((header_size + trailer_at) / 2), 0);
  add("wrong-payload-digest", retrailer(sound, [](Trailer& t) { t.payload_digest[0] ^= 1; }), 0);
  add("wrong-header-digest", retrailer(sound, [](Trailer& t) { t.header_digest[0] ^= 1; }), 65);
  add("oversized-header-size", retrailer(sound, [](Trailer& t) { t.header_size = uint64_t{1} << 40; }), 65);
  add("oversized-payload-size", retrailer(sound, [](Trailer& t) { t.payload_size = ~uint64_t{0} - 5; }), 65);
  add("manifest-unknown-key", bad_manifest_package(std::string(kTestManifest) + "colour = \"red\"\n"), 65);
  add("manifest-wrong-type", bad_manifest_package("id = 7\nversion = \"1\"\n[entry.a]\npath = \"/a\"\n"), 65);
  add("manifest-no-entry", bad_manifest_package("id = \"a\"\nversion = \"1\"\n"), 65);
  add("manifest-not-toml", bad_manifest_package("id = [\n"), 65);
  add("manifest-too-large", bad_manifest_package(std::string(kTestManifest) + "# " + std::string(1100000, 'x') + "\n"), 65);
  add("not-a-package", std::string(100000, 'z'), 65);

  // The payload: info (header only) accepts these; ls, verify, extract and run refuse.
  add("dotdot", package(with({{"root/../../appv-escape", '0', 0644, "x", {}, -1}})), 0);
  add("absolute", package(with({{"/tmp/appv-hostile-absolute", '0', 0644, "x", {}, -1}})), 0);
  add("symlink-out-then-write", package(with({{"root/out", '2', 0777, {}, "../../../../../../../../tmp", -1},
                                              {"root/out/appv-hostile-through-link", '0', 0644, "x", {}, -1}})), 0);
  {
    // Links each lexically inside root/ that together climb out of it: a/up is root/,
    // each a/eN one level further up, so a/e20 is the host's "/" from any cache path
    // less than 20 deep.
    std::vector<RawEntry> chain{{"root/a/", '5', 0755, {}, {}, -1}, {"root/a/up", '2', 0777, {}, "..", -1},
                                {"root/a/e1", '2', 0777, {}, "up/..", -1}};
    for (int i = 2; i <= 20; ++i) chain.push_back({"root/a/e" + std::to_string(i), '2', 0777, {}, "e" + std::to_string(i - 1) + "/..", -1});
    add("link-chain-out", package(with(chain)), 0);
    // The same chain behind a desktop icon: install would copy /etc/shadow into the
    // icon theme if it followed the links.
    const std::string m = std::string(kTestManifest) + "[desktop]\nname = \"Chain\"\nicon = \"/usr/share/icons/chain.png\"\n";
    std::vector<RawEntry> e = base_entries(m);
    e.insert(e.end(), chain.begin(), chain.end());
    for (const char* d : {"root/usr/", "root/usr/share/", "root/usr/share/icons/"}) e.push_back({d, '5', 0755, {}, {}, -1});
    e.push_back({"root/usr/share/icons/chain.png", '2', 0777, {}, "../../../a/e20/etc/shadow", -1});
    add("link-chain-icon", frame_package(zstd_compress(make_tar(e)), m, e.size(), declared_bytes(e)), 0);
    // A link made dangerous only by the entries after it.
    std::vector<RawEntry> late{{"root/lib", '2', 0777, {}, "a/e2/etc", -1}};
    late.insert(late.end(), chain.begin(), chain.end());
    add("link-chain-later", package(with(late)), 0);
  }
  add("absolute-symlink", package(with({{"root/passwd", '2', 0777, {}, "/etc/passwd", -1}})), 0);
  add("hardlink-out", package(with({{"root/shadow", '1', 0644, {}, "/etc/passwd", -1}})), 0);
  add("char-device", package(with({{"root/null", '3', 0644, {}, {}, -1}})), 0);
  add("block-device", package(with({{"root/sda", '4', 0644, {}, {}, -1}})), 0);
  add("fifo", package(with({{"root/fifo", '6', 0644, {}, {}, -1}})), 0);
  add("setuid", package(with({{"root/su", '0', 04755, "x", {}, -1}})), 0);
  add("setgid", package(with({{"root/sg", '0', 02755, "x", {}, -1}})), 0);
  add("sticky-dir", package(with({{"root/tmp/", '5', 01777, {}, {}, -1}})), 0);
  add("world-writable-dir", package(with({{"root/open/", '5', 0777, {}, {}, -1}})), 0);
  {
    // A 1 TiB entry: beyond the per-entry limit whatever the header says (an honest
    // header would already fail the free-space check before extraction).
    std::vector<RawEntry> e = with({{"root/huge", '0', 0644, "tiny", {}, int64_t{1} << 40}});
    add("enormous-declared-size", frame_package(zstd_compress(make_tar(e)), kTestManifest, e.size(), 4096), 0);
  }
  {
    // Tiny compressed, 256 MiB expanded, while the header declares 4 kB.
    std::vector<RawEntry> e = with({{"root/zeros", '0', 0644, std::string(256u << 20, '\0'), {}, -1}});
    add("decompression-bomb", frame_package(zstd_compress(make_tar(e)), kTestManifest, e.size(), 4096), 0);
  }
  {
    std::string deep = "root";
    for (int i = 0; i < 200; ++i) deep += "/d";
    add("deep-nesting", package(with({{deep + "/f", '0', 0644, "x", {}, -1}})), 0);
  }
  add("long-name", package(with({{"root/" + std::string(300, 'n'), '0', 0644, "x", {}, -1}})), 0);
  {
    std::string path = "root";
    while (path.size() < 5000) path += "/" + std::string(200, 'p');
    add("long-path", package(with({{path, '0', 0644, "x", {}, -1}})), 0);
  }
  add("non-utf8-name", package(with({{"root/bad\xff\xfename", '0', 0644, "x", {}, -1}})), 0);
  add("duplicate-entry", package(with({{"root/a", '0', 0644, "1", {}, -1}, {"root/a", '0', 0644, "2", {}, -1}})), 0);
  {
    // Many empty files: not hostile in itself, and well inside the entry limit.
    // Every command must handle it, in bounded time, with no partial output.
    std::vector<RawEntry> e = with({{"root/many/", '5', 0755, {}, {}, -1}});
    for (int i = 0; i < 100000; ++i) e.push_back({"root/many/" + std::to_string(i), '0', 0644, {}, {}, -1});
    add("100000-empty-files", package(e), 0, 0);
  }
  return cases ? 0 : 1;
}
