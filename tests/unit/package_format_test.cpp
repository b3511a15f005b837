#include <catch2/catch.hpp>

#include "base/error.h"
#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "vfs/package.h"
#include "vfs/package_format.h"
#include "tests/unit/support/thrown.h"

using namespace appv;
using namespace appv::test;

namespace {

Exit open_error(const std::string& path, std::string* message = nullptr) {
  try {
    Package::open(path);
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return Exit::Ok;
}

std::string sound_package() {
  return frame_package(zstd_compress(make_tar(base_entries())));
}

}  // namespace

TEST_CASE("trailer and header round-trip") {
  Trailer t;
  t.header_offset = 1000;
  t.header_size = 200;
  t.payload_offset = 1200;
  t.payload_size = 5000;
  t.header_digest[0] = 7;
  t.payload_digest[31] = 9;
  std::vector<uint8_t> bytes = encode_trailer(t);
  REQUIRE(bytes.size() == kTrailerSize);
  Trailer back = decode_trailer(bytes, 1200 + 5000 + kTrailerSize, "p");
  CHECK(back.header_offset == 1000);
  CHECK(back.payload_size == 5000);
  CHECK(back.header_digest == t.header_digest);
  CHECK(back.payload_digest == t.payload_digest);

  Header h;
  h.manifest_text = "id = \"x\"";
  h.file_count = 3;
  h.unpacked_bytes = 42;
  Header hb = decode_header(encode_header(h), "p");
  CHECK(hb.manifest_text == h.manifest_text);
  CHECK(hb.file_count == 3);
  CHECK(hb.unpacked_bytes == 42);
}

TEST_CASE("the trailer is a zstd skippable frame, so stock zstd skips it") {
  std::vector<uint8_t> bytes = encode_trailer(Trailer{});
  CHECK(bytes[0] == 0x50);
  CHECK(bytes[1] == 0x2A);
  CHECK(bytes[2] == 0x4D);
  CHECK(bytes[3] == 0x18);
  CHECK(bytes[4] == kTrailerSize - 8);
}

TEST_CASE("offsets that do not tile the file are refused") {
  Trailer t;
  t.header_offset = 0;
  t.header_size = 100;
  t.payload_offset = 100;
  t.payload_size = 50;
  std::vector<uint8_t> bytes = encode_trailer(t);
  CHECK_NOTHROW(decode_trailer(bytes, 150 + kTrailerSize, "p"));
  // A gap between payload and trailer is the signatures region: bounded here, and
  // Package::open accepts nothing but signature frames in it (signature_test.cpp).
  CHECK_NOTHROW(decode_trailer(bytes, 151 + kTrailerSize, "p"));
  CHECK_NOTHROW(decode_trailer(bytes, 150 + kMaxSignatureRegion + kTrailerSize, "p"));
  CHECK_REFUSED(decode_trailer(bytes, 151 + kMaxSignatureRegion + kTrailerSize, "p"), Exit::BadInput, "package 'p': trailer's offsets do not match the file (truncated or corrupt)");
  CHECK_REFUSED(decode_trailer(bytes, 149 + kTrailerSize, "p"), Exit::BadInput, "package 'p': trailer's offsets do not match the file (truncated or corrupt)");
  t.payload_size = ~0ull - 50;  // an overflowing sum must not wrap into "fits"
  CHECK_REFUSED(decode_trailer(encode_trailer(t), 150 + kTrailerSize, "p"), Exit::BadInput, "package 'p': trailer's offsets do not match the file (truncated or corrupt)");
}

TEST_CASE("a sound package opens and reads its manifest without the payload") {
  TempDir dir;
  write_file(dir / "p.appv", sound_package());
  Package p = Package::open(dir / "p.appv");
  CHECK(p.manifest().id == "org.example.test");
  CHECK(p.trailer().header_offset == 0);
}

TEST_CASE("a package truncated at any length is refused as bad input") {
  TempDir dir;
  const std::string bytes = sound_package();
  for (size_t len = 0; len < bytes.size(); len += (len < 200 ? 1 : 37)) {
    write_file(dir / "t.appv", bytes.substr(0, len));
    INFO("length " << len);
    CHECK(open_error(dir / "t.appv") == Exit::BadInput);
  }
}

TEST_CASE("a flipped byte in the header or trailer is refused") {
  TempDir dir;
  const std::string bytes = sound_package();
  const size_t header_size = Package::open((write_file(dir / "s.appv", bytes), dir / "s.appv")).trailer().header_size;
  std::vector<size_t> positions;
  for (size_t i = 0; i < header_size; ++i) positions.push_back(i);
  for (size_t i = bytes.size() - kTrailerSize; i < bytes.size(); ++i) positions.push_back(i);
  for (size_t pos : positions) {
    std::string bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x20);
    write_file(dir / "f.appv", bad);
    INFO("flipped byte " << pos);
    CHECK(open_error(dir / "f.appv") == Exit::BadInput);
  }
}

TEST_CASE("errors name the file and the problem") {
  TempDir dir;
  write_file(dir / "junk.appv", std::string(4096, 'x'));
  std::string message;
  CHECK(open_error(dir / "junk.appv", &message) == Exit::BadInput);
  CHECK(message.find("junk.appv") != std::string::npos);
  CHECK(message.find("not an appv package") != std::string::npos);
  CHECK(open_error(dir / "missing.appv", &message) == Exit::NoInput);
  CHECK(open_error(dir.path(), &message) == Exit::BadInput);
  CHECK(message.find("not a regular file") != std::string::npos);
}

TEST_CASE("an invalid manifest in the header is refused with its position") {
  TempDir dir;
  const std::string manifest = "id = \"x\"\nversion = 1\n";
  write_file(dir / "m.appv", frame_package(zstd_compress(make_tar(base_entries(manifest))), manifest));
  std::string message;
  CHECK(open_error(dir / "m.appv", &message) == Exit::BadInput);
  CHECK(message.find("(manifest):2:11: 'version' must be a string") != std::string::npos);
}

TEST_CASE("the header carries the runtime stub's digest, and verify_stub checks it") {
  TempDir dir;
  write_file(dir / "stub", std::string(5000, 's'), 0755);
  write_file(dir / "data", "x");
  WriteOptions o;
  o.stub = dir / "stub";
  std::vector<PayloadItem> items = {{"root", PayloadItem::Type::Dir, 0755, {}, {}, {}}};
  write_package(dir / "p.appv", kTestManifest, items, o);
  Package p = Package::open(dir / "p.appv");
  CHECK(p.trailer().header_offset == 5000);
  CHECK(p.header().stub_digest == sha256(std::string(5000, 's').data(), 5000));
  CHECK_NOTHROW(p.verify_stub());

  std::string bytes = read_file(dir / "p.appv");
  bytes[100] = 't';
  write_file(dir / "changed.appv", bytes);
  Package changed = Package::open(dir / "changed.appv");  // the header is intact
  try {
    changed.verify_stub();
    FAIL("changed stub accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK_THAT(e.what(), Catch::Contains("runtime stub digest mismatch"));
  }
}

TEST_CASE("a plain package has no stub and a zero stub digest") {
  TempDir dir;
  std::vector<PayloadItem> items = {{"root", PayloadItem::Type::Dir, 0755, {}, {}, {}}};
  write_package(dir / "p.appv", kTestManifest, items, {});
  Package p = Package::open(dir / "p.appv");
  CHECK(p.trailer().header_offset == 0);
  CHECK(p.header().stub_digest == Digest{});
  CHECK_NOTHROW(p.verify_stub());
}
