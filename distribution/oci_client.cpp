#include "distribution/oci_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/advice.h"
#include "base/error.h"
#include "base/fs_util.h"
#include "base/human_bytes.h"
#include "base/text.h"
#include "vfs/sha256.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

// Manifests, indexes, tag-list pages and error bodies are small; the distribution spec
// caps manifests at 4 MiB. Token answers are a few KiB (a JWT).
constexpr size_t kMaxBody = 4 << 20;
constexpr size_t kMaxTokenBody = 1 << 20;
// A repository with more tags than this is not a registry appv needs to list.
constexpr size_t kMaxTags = 100000;
constexpr int kMaxRedirects = 5;
// Blob bytes are written in pieces of this size (one pwrite per 16 KiB callback made
// a pull spend a third of its time in system calls).
constexpr size_t kSinkChunk = 1 << 20;
constexpr const char* kManifestAccept =
    "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.pop_back();
  size_t start = s.find_first_not_of(' ');
  return start == std::string::npos ? "" : s.substr(start);
}

// The registry's own words for a failure: {"errors":[{"code":..,"message":..}]}.
std::string registry_error(const std::string& body) {
  try {
    auto doc = nlohmann::json::parse(body);
    const auto& e = doc.at("errors").at(0);
    std::string code = e.value("code", ""), message = e.value("message", "");
    return code.empty() ? message : message.empty() ? code : code + ": " + message;
  } catch (const std::exception&) {
    return "";
  }
}

// The TLS handshake failed in a way that means the server speaks plain HTTP.
struct NoTls : Error {
  using Error::Error;
};
// A blob streamed past its declared size: what arrived is not kept.
struct Oversized : Error {
  using Error::Error;
};

Exit exit_for_status(long status) {
  if (status == 401 || status == 403) return Exit::NoPerm;
  if (status == 404) return Exit::NoInput;
  if (status >= 500 || status == 429) return Exit::Environment;
  return Exit::Failure;
}

}  // namespace

std::string url_origin(const std::string& url) {
  CURLU* u = curl_url();
  if (!u) return "";
  std::string out;
  char *scheme = nullptr, *host = nullptr, *port = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    out = lower(scheme) + "://" + lower(host) + ":" + port;
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return out;
}

std::string bytes_digest(const std::string& bytes) { return "sha256:" + to_hex(sha256(bytes.data(), bytes.size())); }

std::string file_digest(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_sys("cannot open", path, errno, Exit::NoInput);
  Sha256 h;
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot read", path, errno);
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  return "sha256:" + to_hex(h.finish());
}

// One HTTP exchange. The body to send comes from `upload` or from `upload_fd`; what
// comes back goes to `sink_fd` when the status is 200/206 (a blob), else to the
// response body.
struct OciClient::Request {
  std::string method = "GET";
  std::string url;  // absolute, or a path below the base URL
  std::vector<std::string> headers;
  const std::string* upload = nullptr;
  int upload_fd = -1;
  uint64_t upload_size = 0;
  int sink_fd = -1;
  std::string sink_path;     // names the sink in errors
  uint64_t sink_offset = 0;  // where a 206 continues; a 200 starts over at 0
  uint64_t sink_limit = UINT64_MAX;  // the blob's declared size: one byte more aborts it
  size_t body_cap = kMaxBody;        // the most a non-blob answer may hold
  std::string label;         // names the transfer to the reporter; empty: not reported
  bool follow = true;        // follow redirects (without credentials off the origin)
  // Sent as Authorization to `auth_origin` only ("scheme://host:port"); unset: the
  // client's current authorization, to the registry's origin only.
  std::optional<std::string> auth;
  std::string auth_origin;

  // State during perform().
  uint64_t sent = 0;
  long status = 0;
  bool sink_started = false;
  std::string pending;  // blob bytes not yet written: curl hands over 16 KiB at a time
  int sink_errno = 0;
  bool body_too_big = false;
  bool sink_too_big = false;
  Response* response = nullptr;
  Reporter* reporter = nullptr;  // the client's, for on_progress
};

namespace {

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<OciClient::Request*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after a redirect or 100 Continue): forget the previous headers.
    r->response->headers.clear();
    size_t sp = line.find(' ');
    r->status = sp == std::string::npos ? 0 : std::strtol(line.c_str() + sp + 1, nullptr, 10);
  } else if (size_t colon = line.find(':'); colon != std::string::npos) {
    std::string name = lower(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    // Keep the first WWW-Authenticate: it is the one the registry prefers.
    if (name != "www-authenticate" || !r->response->headers.count(name)) r->response->headers[name] = value;
  }
  return size * n;
}

// Writes the buffered blob bytes at the sink's offset; false (with sink_errno) on failure.
bool flush_sink(OciClient::Request& r) {
  size_t done = 0;
  while (done < r.pending.size()) {
    ssize_t w = ::pwrite(r.sink_fd, r.pending.data() + done, r.pending.size() - done, static_cast<off_t>(r.sink_offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      r.sink_errno = w < 0 ? errno : EIO;
      return false;
    }
    done += static_cast<size_t>(w);
    r.sink_offset += static_cast<uint64_t>(w);
  }
  r.pending.clear();
  return true;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<OciClient::Request*>(user);
  const size_t len = size * n;
  if (r->sink_fd >= 0 && (r->status == 200 || r->status == 206)) {
    if (!r->sink_started) {
      r->sink_started = true;
      if (r->status == 200 && r->sink_offset != 0) {
        // The registry ignored the Range request: start over.
        r->sink_offset = 0;
        if (::ftruncate(r->sink_fd, 0) != 0) r->sink_errno = errno;
      }
    }
    // Stop at the declared size: a registry that streams more gets nothing written past it.
    if (r->sink_offset + r->pending.size() + len > r->sink_limit) {
      r->sink_too_big = true;
      return 0;
    }
    r->pending.append(data, len);
    if (r->pending.size() >= kSinkChunk && !flush_sink(*r)) return 0;  // aborts with CURLE_WRITE_ERROR
    return len;
  }
  if (r->response->body.size() + len > r->body_cap) {
    r->body_too_big = true;
    return 0;
  }
  r->response->body.append(data, len);
  return len;
}

size_t on_upload(char* buffer, size_t size, size_t n, void* user) {
  auto* r = static_cast<OciClient::Request*>(user);
  size_t want = size * n;
  if (r->upload) {
    size_t left = r->upload->size() - r->sent;
    size_t take = std::min(want, left);
    std::memcpy(buffer, r->upload->data() + r->sent, take);
    r->sent += take;
    return take;
  }
  while (true) {
    ssize_t got = ::pread(r->upload_fd, buffer, std::min<uint64_t>(want, r->upload_size - r->sent), static_cast<off_t>(r->sent));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return CURL_READFUNC_ABORT;
    r->sent += static_cast<uint64_t>(got);
    return static_cast<size_t>(got);
  }
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
  auto* r = static_cast<OciClient::Request*>(user);
  uint64_t total = static_cast<uint64_t>(dltotal > 0 ? dltotal : ultotal);
  uint64_t now = static_cast<uint64_t>(dltotal > 0 ? dlnow : ulnow);
  if (dltotal > 0 && r->status == 206) {
    // Resumed: count what the earlier attempt already has.
    uint64_t before = r->sink_offset + r->pending.size() - (r->sink_started ? static_cast<uint64_t>(dlnow) : 0);
    total += before;
    now += before;
  }
  if (total > 0) r->reporter->progress(r->label, Progress{now, total, 0, 0});
  return 0;
}

}  // namespace

OciClient::OciClient(const OciReference& repo, OciOptions options, bool push)
    : repo_(repo), options_(std::move(options)), push_(push) {
  global_init();
  curl_ = curl_easy_init();
  if (!curl_) throw Error(Exit::Internal, "curl_easy_init failed");
  if (!options_.credentials) {
    options_.credentials = find_credentials(options_.auth_files, repo_.registry, repo_.repository, *options_.reporter);
  }
}

OciClient::~OciClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

std::string OciClient::url(const std::string& path) const {
  if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) return path;
  return base_ + path;
}

// Follows redirects itself (curl's own following is off) so that credentials go only
// to their origin: a blob redirected to a CDN or object store is fetched there without
// the registry's login or token (the redirect URL carries its own signature).
OciClient::Response OciClient::perform(Request& rq) {
  const std::string auth = rq.auth ? *rq.auth : authorization_;
  const std::string auth_origin = rq.auth ? rq.auth_origin : url_origin(base_);
  std::string target = url(rq.url);
  for (int hop = 0;; ++hop) {
    std::string next;
    Response r = perform_once(rq, target, url_origin(target) == auth_origin ? auth : std::string(), next);
    if (next.empty() || !rq.follow) return r;
    if (hop == kMaxRedirects) {
      throw Error(Exit::BadInput, fmt::format("{} redirected {} more than {} times", repo_.registry, printable(url(rq.url)), kMaxRedirects));
    }
    const bool plain_ok = options_.insecure || is_loopback_registry(repo_.registry);
    if (next.rfind("https://", 0) != 0 && !(plain_ok && next.rfind("http://", 0) == 0)) {
      throw Error(Exit::BadInput, fmt::format("{} redirected to '{}', which is not HTTPS; refused", repo_.registry, printable(next)));
    }
    target = next;
  }
}

OciClient::Response OciClient::perform_once(Request& rq, const std::string& target, const std::string& authorization,
                                            std::string& redirect) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  Response response;
  rq.response = &response;
  rq.sent = 0;
  rq.status = 0;
  rq.sink_started = false;
  rq.pending.clear();
  rq.sink_errno = 0;
  rq.body_too_big = false;
  rq.sink_too_big = false;
  const bool plain_ok = options_.insecure || is_loopback_registry(repo_.registry);
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_URL, target.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "appv/0.1.0");
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, plain_ok ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // perform() follows, see there
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled transfer (under 1 byte/s for a minute) fails instead of hanging a timer unit.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (options_.limit_rate > 0) {
    curl_easy_setopt(c, CURLOPT_MAX_RECV_SPEED_LARGE, static_cast<curl_off_t>(options_.limit_rate));
    curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE, static_cast<curl_off_t>(options_.limit_rate));
  }
  // A large receive buffer saves system calls, but makes curl's rate limit bursty
  // (megabytes at once, then seconds of silence).
  if (options_.limit_rate == 0) curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &rq);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &rq);
  // Only labelled transfers (blobs) are reported; manifests and tokens are small.
  const bool show = !rq.label.empty();
  rq.reporter = options_.reporter;
  if (show) {
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &rq);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  }

  curl_slist* headers = nullptr;
  for (const std::string& h : rq.headers) headers = curl_slist_append(headers, h.c_str());
  if (!authorization.empty()) headers = curl_slist_append(headers, ("Authorization: " + authorization).c_str());
  if (rq.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (rq.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &rq);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(rq.upload ? rq.upload->size() : rq.upload_size));
  } else if (rq.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  // What arrived before an interruption is kept, so the next pull resumes after it.
  if (rq.sink_errno == 0 && !rq.pending.empty()) flush_sink(rq);
  if (show) options_.reporter->progress_ended(rq.label);
  if (rq.sink_errno != 0) throw_sys("cannot write download", rq.sink_path, rq.sink_errno);
  if (rq.sink_too_big) {
    throw Oversized(Exit::BadInput, fmt::format("{} sent more than the {} bytes declared for {}", repo_.registry, rq.sink_limit,
                                                printable(rq.label)));
  }
  if (rq.body_too_big) {
    throw Error(Exit::BadInput, fmt::format("{} sent more than {} bytes for {}", repo_.registry, rq.body_cap, printable(target)));
  }
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
      throw Error(Exit::Environment, fmt::format("TLS: cannot verify {}: {} ({})", repo_.registry, detail, advice_for(Attempt::TlsVerify, 0)));
    }
    std::string message = fmt::format("cannot reach registry {}: {}", repo_.registry, detail);
    if (rc == CURLE_SSL_CONNECT_ERROR) throw NoTls(Exit::Environment, message);
    throw Error(Exit::Environment, message);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  char* location = nullptr;
  if (status >= 300 && status < 400 && curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
    redirect = location;
  }
  return response;
}

// Picks the scheme on first use, and answers one authentication challenge.
OciClient::Response OciClient::send(Request& rq) {
  Response r;
  if (base_.empty()) {
    base_ = "https://" + repo_.registry;
    try {
      r = perform(rq);
    } catch (const NoTls& e) {
      if (!options_.insecure && !is_loopback_registry(repo_.registry)) {
        throw Error(Exit::Environment, fmt::format("{} (plain HTTP is used only for a loopback registry or with --insecure)", e.what()));
      }
      base_ = "http://" + repo_.registry;
      r = perform(rq);
    }
  } else {
    r = perform(rq);
  }
  if (r.status == 401) {
    authenticate(r);
    r = perform(rq);
    if (r.status == 401) {
      fail(r, fmt::format("{} refused the credentials{}", repo_.registry,
                          options_.credentials ? " from " + options_.credentials->source : ""));
    }
  }
  return r;
}

void OciClient::authenticate(const Response& r) {
  auto it = r.headers.find("www-authenticate");
  std::optional<Challenge> ch = it == r.headers.end() ? std::nullopt : parse_challenge(it->second);
  if (!ch) throw Error(Exit::NoPerm, fmt::format("{} answered 401 without a usable WWW-Authenticate challenge", repo_.registry));
  const std::optional<Credentials>& cred = options_.credentials;
  if (ch->scheme == "basic") {
    if (!cred) {
      throw Error(Exit::NoPerm, fmt::format("{} requires a login: use --username and --password-stdin, or log in "
                                            "with docker or podman", repo_.registry));
    }
    authorization_ = "Basic " + basic_token(*cred);
    return;
  }
  if (ch->scheme != "bearer" || ch->params["realm"].empty()) {
    throw Error(Exit::NoPerm, fmt::format("{} asks for '{}' authentication, which appv does not speak", repo_.registry, ch->scheme));
  }
  // The token server: GET realm?service=..&scope=.., with the login if there is one.
  std::string scope = ch->params.count("scope") ? ch->params["scope"]
                                                : fmt::format("repository:{}:{}", repo_.repository, push_ ? "pull,push" : "pull");
  if (push_ && scope.find("push") == std::string::npos) scope = fmt::format("repository:{}:pull,push", repo_.repository);
  CURL* c = static_cast<CURL*>(curl_);
  auto escape = [&](const std::string& s) {
    char* e = curl_easy_escape(c, s.c_str(), static_cast<int>(s.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
  };
  std::string realm = ch->params["realm"];
  std::string token_url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + "scope=" + escape(scope);
  if (ch->params.count("service")) token_url += "&service=" + escape(ch->params["service"]);
  const bool https = token_url.rfind("https://", 0) == 0;
  if (!https && (token_url.rfind("http://", 0) != 0 || !(options_.insecure || is_loopback_registry(repo_.registry)))) {
    throw Error(Exit::NoPerm, fmt::format("{}'s token server '{}' is not HTTPS", repo_.registry, printable(realm)));
  }
  // The realm is the registry's auth server, often another host (Docker Hub's
  // auth.docker.io): it gets the login, as docker's token flow wants, only over HTTPS,
  // on the registry's own origin, or over plain HTTP on loopback when the registry is
  // on loopback too (nothing leaves the machine); never plain HTTP to another machine,
  // --insecure or not.
  const std::string realm_origin = url_origin(token_url);
  if (realm_origin.empty()) throw Error(Exit::BadInput, fmt::format("{}'s token server '{}' is not a URL", repo_.registry, printable(realm)));
  const bool loopback_pair = is_loopback_registry(repo_.registry) && is_loopback_registry(realm_origin.substr(realm_origin.find("//") + 2));
  if (cred && !https && realm_origin != url_origin(base_) && !loopback_pair) {
    throw Error(Exit::NoPerm, fmt::format("{}'s token server '{}' is plain HTTP to another machine; not sending the login from {} there",
                                          repo_.registry, printable(realm), cred->source));
  }
  Request tr;
  tr.url = token_url;
  tr.auth = cred ? "Basic " + basic_token(*cred) : "";
  tr.auth_origin = realm_origin;
  tr.body_cap = kMaxTokenBody;
  authorization_.clear();
  Response t = perform(tr);
  if (t.status != 200) fail(t, fmt::format("token server {} refused {}", printable(realm), scope));
  try {
    auto doc = nlohmann::json::parse(t.body);
    std::string token = doc.value("token", doc.value("access_token", std::string()));
    if (token.empty()) throw Error(Exit::BadInput, "no token");
    authorization_ = "Bearer " + token;
  } catch (const std::exception&) {
    throw Error(Exit::BadInput, fmt::format("token server {} sent no token", printable(realm)));
  }
}

void OciClient::fail(const Response& r, const std::string& what) {
  std::string detail = registry_error(r.body);
  throw Error(exit_for_status(r.status),
              fmt::format("{}: HTTP {}{}", what, r.status, detail.empty() ? "" : " (" + detail + ")"));
}

OciClient::Manifest OciClient::get_manifest(const std::string& reference) {
  Request rq;
  rq.url = fmt::format("/v2/{}/manifests/{}", repo_.repository, reference);
  rq.headers = {kManifestAccept};
  Response r = send(rq);
  if (r.status == 404) throw Error(Exit::NoInput, fmt::format("{}/{}:{} does not exist", repo_.registry, repo_.repository, reference));
  if (r.status != 200) fail(r, fmt::format("cannot get manifest {} of {}", reference, repo_.repo_name()));
  Manifest m{r.body, bytes_digest(r.body), r.headers["content-type"]};
  auto announced = r.headers.find("docker-content-digest");
  if (reference.rfind("sha256:", 0) == 0 && m.digest != reference) {
    throw Error(Exit::BadInput, fmt::format("{} sent a manifest whose digest is {}, not the {} asked for", repo_.registry, m.digest, reference));
  }
  if (announced != r.headers.end() && announced->second.rfind("sha256:", 0) == 0 && announced->second != m.digest) {
    throw Error(Exit::BadInput, fmt::format("{} announced manifest digest {} but sent bytes with digest {}", repo_.registry,
                                            announced->second, m.digest));
  }
  return m;
}

std::string OciClient::put_manifest(const std::string& reference, const std::string& bytes, const std::string& media_type) {
  Request rq;
  rq.method = "PUT";
  rq.url = fmt::format("/v2/{}/manifests/{}", repo_.repository, reference);
  rq.headers = {"Content-Type: " + media_type};
  rq.upload = &bytes;
  rq.follow = false;
  Response r = send(rq);
  if (r.status != 201 && r.status != 200) fail(r, fmt::format("cannot store manifest {} in {}", reference, repo_.repo_name()));
  return bytes_digest(bytes);
}

bool OciClient::has_blob(const std::string& digest, uint64_t size) {
  Request rq;
  rq.method = "HEAD";
  rq.url = fmt::format("/v2/{}/blobs/{}", repo_.repository, digest);
  Response r = send(rq);
  // Stored only if the answer says so in full: the blob's size (Content-Length, which
  // the distribution spec has a HEAD answer carry) and its digest where it names one.
  // A front that answers 200 to every HEAD (a catch-all proxy, a login page) would
  // otherwise have the push skip a blob the registry lacks and store a manifest that
  // no pull can follow; uploading a blob it had after all costs only time.
  if (r.status == 200) {
    const std::string named = r.headers["docker-content-digest"];
    return r.headers["content-length"] == std::to_string(size) && (named.empty() || named == digest);
  }
  if (r.status == 404) return false;
  fail(r, fmt::format("cannot check blob {} in {}", digest, repo_.repo_name()));
}

std::string OciClient::start_upload() {
  Request start;
  start.method = "POST";
  start.url = fmt::format("/v2/{}/blobs/uploads/", repo_.repository);
  start.follow = false;
  Response r = send(start);
  if (r.status != 202 || r.headers["location"].empty()) fail(r, fmt::format("cannot start an upload to {}", repo_.repo_name()));
  std::string location = r.headers["location"];
  if (location.front() == '/') location = base_ + location;
  return location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=";
}

void OciClient::push_blob(const std::string& digest, const std::string& path, uint64_t size, const std::string& label) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_sys("cannot open", path, errno, Exit::NoInput);
  Request put;
  put.method = "PUT";
  put.url = start_upload() + digest;
  put.headers = {"Content-Type: application/octet-stream"};
  put.upload_fd = fd.get();
  put.upload_size = size;
  put.label = label;
  put.follow = false;
  Response done = send(put);
  if (done.status != 201) fail(done, fmt::format("cannot upload {} to {}", label, repo_.repo_name()));
}

void OciClient::push_blob_bytes(const std::string& digest, const std::string& bytes) {
  Request put;
  put.method = "PUT";
  put.url = start_upload() + digest;
  put.headers = {"Content-Type: application/octet-stream"};
  put.upload = &bytes;
  put.follow = false;
  Response done = send(put);
  if (done.status != 201) fail(done, fmt::format("cannot upload blob {} to {}", digest, repo_.repo_name()));
}

void OciClient::fetch_blob(const std::string& digest, uint64_t size, const std::string& partial, const std::string& dest,
                           const std::string& label) {
  make_dirs(parent_dir(partial), 0700);
  UniqueFd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_sys("cannot create", partial, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_sys("cannot stat", partial, errno);
  uint64_t have = static_cast<uint64_t>(st.st_size);
  if (have > size) {
    if (::ftruncate(fd.get(), 0) != 0) throw_sys("cannot truncate", partial, errno);
    have = 0;
  }
  if (have < size) {
    Request rq;
    rq.url = fmt::format("/v2/{}/blobs/{}", repo_.repository, digest);
    rq.sink_fd = fd.get();
    rq.sink_path = partial;
    rq.sink_offset = have;
    rq.sink_limit = size;
    rq.label = label;
    if (have > 0) {
      rq.headers.push_back(fmt::format("Range: bytes={}-", have));
      options_.reporter->transfer_resumed(label, have, size);
    }
    Response r;
    try {
      r = send(rq);
    } catch (const Oversized& e) {
      ::unlink(partial.c_str());
      throw Error(e.code(), fmt::format("{} sent more than the {} bytes declared for {}; nothing was kept", repo_.registry, size, digest));
    } catch (const Error& e) {
      struct stat now {};
      uint64_t got = ::fstat(fd.get(), &now) == 0 ? static_cast<uint64_t>(now.st_size) : 0;
      if (got == 0) {  // nothing to resume: keep nothing
        ::unlink(partial.c_str());
        throw;
      }
      throw Error(e.code(), fmt::format("{}; download interrupted at {} of {} (run the command again to resume)", e.what(),
                                        human_bytes(got), human_bytes(size)));
    }
    if (r.status != 200 && r.status != 206 && have == 0) ::unlink(partial.c_str());
    if (r.status == 404) throw Error(Exit::NoInput, fmt::format("{} has no blob {}", repo_.repo_name(), digest));
    if (r.status != 200 && r.status != 206) fail(r, fmt::format("cannot download {} from {}", label, repo_.repo_name()));
  }
  if (::fsync(fd.get()) != 0) throw_sys("cannot sync", partial, errno);
  struct stat done {};
  if (::fstat(fd.get(), &done) != 0) throw_sys("cannot stat", partial, errno);
  fd.reset();
  if (static_cast<uint64_t>(done.st_size) != size || file_digest(partial) != digest) {
    ::unlink(partial.c_str());
    throw Error(Exit::BadInput, fmt::format("{} sent {} bytes for {} whose digest does not match (expected {} bytes); "
                                            "nothing was kept", repo_.registry, done.st_size, digest, size));
  }
  make_dirs(parent_dir(dest), 0755);
  if (::rename(partial.c_str(), dest.c_str()) != 0) throw_sys("cannot rename into place", dest, errno);
  sync_dir(parent_dir(dest));
}

std::vector<std::string> OciClient::tags() {
  std::vector<std::string> out;
  std::string next = fmt::format("/v2/{}/tags/list?n=1000", repo_.repository);
  for (int page = 0; !next.empty() && page < 1000; ++page) {
    Request rq;
    rq.url = next;
    Response r = send(rq);
    if (r.status == 404) throw Error(Exit::NoInput, fmt::format("{} does not exist", repo_.repo_name()));
    if (r.status != 200) fail(r, fmt::format("cannot list the tags of {}", repo_.repo_name()));
    try {
      auto doc = nlohmann::json::parse(r.body);
      if (doc.contains("tags") && doc["tags"].is_array()) {
        for (const auto& t : doc["tags"]) out.push_back(t.get<std::string>());
      }
    } catch (const std::exception& e) {
      throw Error(Exit::BadInput, fmt::format("{} sent a tag list that is not JSON: {}", repo_.registry, printable(e.what())));
    }
    if (out.size() > kMaxTags) throw Error(Exit::BadInput, fmt::format("{} lists more than {} tags for {}", repo_.registry, kMaxTags, repo_.repo_name()));
    // Link: </v2/repo/tags/list?n=1000&last=x>; rel="next". A path on the registry, or
    // an absolute URL of the registry's own origin; anything else is refused (it would
    // be a request the registry chose to another host).
    next.clear();
    std::string link = r.headers["link"];
    size_t open = link.find('<'), close = link.find('>');
    if (open != std::string::npos && close != std::string::npos && open < close && link.find("rel=\"next\"") != std::string::npos) {
      next = link.substr(open + 1, close - open - 1);
      if (next.rfind("/", 0) == 0 && next.rfind("//", 0) != 0) continue;
      if (url_origin(next).empty() || url_origin(next) != url_origin(base_)) {
        throw Error(Exit::BadInput, fmt::format("{} sent a tag-list Link to another host ('{}'); refused", repo_.registry, printable(next)));
      }
    }
  }
  return out;
}

}  // namespace appv
