// What a registry (or an admin's auth file) sends appv: references, WWW-Authenticate
// challenges, image manifests, base64 logins, the URLs of redirects, Links and token
// realms (whose origin decides where credentials go), and strings appv prints. The
// first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/text.h"
#include "distribution/oci_artifact.h"
#include "distribution/oci_client.h"
#include "distribution/oci_auth.h"
#include "distribution/oci_reference.h"
#include "base/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 7) {
      case 0: {
        appv::OciReference r = appv::parse_oci_reference(text);
        // What parses prints back as something that parses to the same.
        if (appv::parse_oci_reference(r.str()).str() != r.str()) __builtin_trap();
        break;
      }
      case 1:
        appv::parse_challenge(text);
        break;
      case 2:
        appv::parse_package_manifest(text, "fuzz");
        break;
      case 3:
        appv::decode_basic_token(text, "fuzz");
        break;
      case 4:
        appv::is_loopback_registry(text);
        appv::parse_oci_repository(text);
        break;
      case 5: {
        // An origin is stable: a path below it has the same origin, and it is its own.
        const std::string origin = appv::url_origin(text);
        if (!origin.empty() && (appv::url_origin(origin) != origin || appv::url_origin(origin + "/v2/x") != origin)) {
          __builtin_trap();
        }
        break;
      }
      case 6:
        // Nothing printable() returns can drive a terminal: no C0 control, no DEL.
        for (unsigned char c : appv::printable(text)) {
          if (c < 0x20 || c == 0x7f) __builtin_trap();
        }
        break;
    }
  } catch (const appv::Error&) {
  }
  return 0;
}
