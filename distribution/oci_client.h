// A client for the OCI distribution API (what Harbor, Artifactory, GitLab, cloud
// registries and the CNCF distribution server speak), over libcurl. One client talks
// to one repository; it picks HTTPS (plain HTTP only for loopback registries or with
// `insecure`), answers Basic and Bearer challenges, and reports transfer progress to
// the options' Reporter.
//
// What a registry says is hostile until checked. Credentials (the login, a token) go
// only to the registry's own origin (scheme, host, port): redirects are followed without
// them, a tag-list `Link` to another origin is refused, and the login goes to a token
// realm only over HTTPS, on the registry's origin, or on loopback from a loopback registry. Answers are bounded: a blob stops
// at its declared size (one byte more aborts and keeps nothing), manifests, indexes,
// tag-list pages and errors at 4 MiB, token answers at 1 MiB, tag lists at 100000 tags.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/reporter.h"
#include "distribution/oci_auth.h"
#include "distribution/oci_reference.h"

namespace appv {

struct OciOptions {
  std::string ca_file;    // PEM bundle trusted instead of the system's CA store
  bool insecure = false;  // allow plain HTTP to a registry that is not on loopback
  std::optional<Credentials> credentials;              // --username/--password-stdin
  std::vector<std::string> auth_files = default_auth_files();
  uint64_t limit_rate = 0;  // bytes per second for blob transfers; 0: no limit
  // Warnings (auth files), resumed downloads and transfer progress; never null. The
  // pointee outlives every client and pull made with these options.
  Reporter* reporter = &silent_reporter();
};

class OciClient {
 public:
  // `push`: ask the token server for push rights too.
  OciClient(const OciReference& repo, OciOptions options, bool push = false);
  ~OciClient();
  OciClient(const OciClient&) = delete;
  OciClient& operator=(const OciClient&) = delete;

  struct Manifest {
    std::string bytes;
    std::string digest;      // sha256 of `bytes`, checked against the registry's
    std::string media_type;
  };
  // GET the manifest named by a tag or digest. Exit::NoInput if it does not exist,
  // Exit::BadInput if its bytes do not match the digest asked for or announced.
  Manifest get_manifest(const std::string& reference);
  std::string put_manifest(const std::string& reference, const std::string& bytes, const std::string& media_type);

  // Whether the registry holds the blob `digest` of `size` bytes (HEAD): a 200 that
  // names another size or digest, or none, counts as absent. Throws on other answers.
  bool has_blob(const std::string& digest, uint64_t size);
  // Monolithic upload of a file (or bytes) whose sha256 is `digest`.
  void push_blob(const std::string& digest, const std::string& path, uint64_t size, const std::string& label);
  void push_blob_bytes(const std::string& digest, const std::string& bytes);

  // Downloads blob `digest` of `size` bytes to `dest`: the bytes accumulate in
  // `partial` (an earlier interrupted download there is resumed with a Range request),
  // are checked against size and digest, and only then renamed to `dest` (same file
  // system). An interruption leaves `partial` for the next attempt, never `dest`.
  void fetch_blob(const std::string& digest, uint64_t size, const std::string& partial, const std::string& dest,
                  const std::string& label);

  // Every tag of the repository, in the registry's order (following pagination).
  std::vector<std::string> tags();

  // "https://host:port" or "http://host:port", once the first request has decided.
  const std::string& base_url() const { return base_; }

  // One HTTP exchange (defined in oci_client.cpp; public for libcurl's callbacks).
  struct Request;
  struct Response {
    long status = 0;
    std::map<std::string, std::string> headers;  // names lower-case; last value wins
    std::string body;
  };

 private:
  Response send(Request& request);
  Response perform(Request& request);
  // One exchange with `target`, with `authorization` ("" for none: perform() decides
  // by origin); a 3xx leaves its absolute Location in `redirect`.
  Response perform_once(Request& request, const std::string& target, const std::string& authorization, std::string& redirect);
  void authenticate(const Response& challenge);
  [[noreturn]] void fail(const Response& response, const std::string& what);
  // POSTs a new upload session; returns its URL ready for "digest=<digest>" to be appended.
  std::string start_upload();
  std::string url(const std::string& path) const;

  OciReference repo_;
  OciOptions options_;
  bool push_;
  std::string base_;
  std::string authorization_;  // "Basic ..." or "Bearer ..." once a challenge was answered
  void* curl_ = nullptr;
};

// "scheme://host:port" of an absolute http(s) URL, lower-case, with the scheme's
// default port filled in; "" if `url` is not one. Credentials go only to their origin.
std::string url_origin(const std::string& url);

// The sha256 digest of a file, as "sha256:<hex>".
std::string file_digest(const std::string& path);
std::string bytes_digest(const std::string& bytes);

}  // namespace appv
