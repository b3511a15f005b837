#!/usr/bin/env python3
"""A hostile OCI registry for tests/security/hostile_registry.sh.

    hostile_registry.py MAIN_PORT OTHER_PORT PACKAGE APP_ID LOGDIR

Serves on 127.0.0.1:MAIN_PORT a registry that wants the login alice:s3cret (Basic) and
answers one repository per attack; 127.0.0.1:OTHER_PORT is "another host" (another
origin) that records in LOGDIR/other.log every request it gets and whether it carried
an Authorization header. LOGDIR/main.log records the registry's requests the same way;
LOGDIR/ready appears once both listen. PACKAGE (an appv package, APP_ID its id) is
the one blob every repository describes.

Repositories (REPO in /v2/REPO/...):
  plain/app      a well-behaved registry (the control)
  redirect/app   the blob is a 307 to the other host (a CDN): fetched there, no login
  redirloop/app  the blob redirects to itself forever
  bigblob/app    the blob's bytes, then 300 MiB more
  baddigest/app  the blob's size, other bytes
  bigmanifest/app the manifest never ends
  link/app       the tag list's Link points at the other host
  linkrel/app    a protocol-relative Link (//other-host/...)
  linkok/app     a Link to the next page on the registry itself (the control)
  bigtags/app    a tag list page that never ends
  esc/app        tags and a manifest annotation with terminal escapes
  realm/app      Bearer, with a plain-HTTP token realm on another machine
  bigtoken/app   Bearer, with a token realm (same origin) whose answer never ends
  liar/app       takes pushes (uploads and manifests kept in memory, served back), but
                 answers 200 to a HEAD of any blob, as a catch-all front may
"""
import base64
import hashlib
import http.server
import json
import os
import sys
import threading

main_port, other_port, package, app_id, logdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
blob = open(package, "rb").read()
digest = "sha256:" + hashlib.sha256(blob).hexdigest()
LOGIN = "Basic " + base64.b64encode(b"alice:s3cret").decode()
OTHER = "127.0.0.1:%d" % other_port
MAIN = "127.0.0.1:%d" % main_port
lock = threading.Lock()
pushed = {}  # liar/app's blobs and manifests by digest or tag


def manifest(annotations=None):
    ann = {"io.appv.app.id": app_id}
    ann.update(annotations or {})
    config = b"{}"
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.appv.package.v1",
        "config": {"mediaType": "application/vnd.appv.config.v1+json",
                   "digest": "sha256:" + hashlib.sha256(config).hexdigest(), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.appv.package.v1", "digest": digest, "size": len(blob)}],
        "annotations": ann,
    }).encode()


class Base(http.server.BaseHTTPRequestHandler):
    log_name = ""

    def log_message(self, *args):
        pass

    def record(self):
        auth = self.headers.get("Authorization")
        with lock, open(os.path.join(logdir, self.log_name), "a") as f:
            f.write("%s %s auth=%s\n" % (self.command, self.path, "yes" if auth else "no"))
        return auth

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def endless(self, status, first, headers=(), total=300 << 20):
        """`first`, then filler up to `total` bytes, until the client hangs up."""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(total))
        self.end_headers()
        sent = 0
        try:
            self.wfile.write(first)
            sent = len(first)
            chunk = b"A" * (1 << 16)
            while sent < total:
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        with lock, open(os.path.join(logdir, self.log_name), "a") as f:
            f.write("sent %d bytes of %s\n" % (sent, self.path))


class Other(Base):
    log_name = "other.log"

    def do_GET(self):
        self.record()
        if self.path.startswith("/cdn/"):
            return self.answer(200, blob)
        if "/tags/list" in self.path:
            return self.answer(200, json.dumps({"tags": ["from-the-other-host"]}).encode())
        if self.path.startswith("/token"):
            return self.answer(200, b'{"token": "stolen"}')
        self.answer(404)

    do_HEAD = do_GET


class Main(Base):
    log_name = "main.log"

    def do_GET(self):
        auth = self.record()
        path = self.path.split("?")[0]
        if path == "/bigtoken":
            return self.endless(200, b'{"token": "', total=8 << 20)
        parts = path.split("/")  # "", "v2", repo..., kind, ref
        if len(parts) < 3 or parts[1] != "v2":
            return self.answer(404)
        if path == "/v2/":
            return self.answer(200 if auth == LOGIN else 401, b"{}", [("WWW-Authenticate", 'Basic realm="hostile"')])
        repo = "/".join(parts[2:4])
        rest = parts[4:]
        if repo == "realm/app" and auth != "Bearer ok":
            return self.answer(401, b"", [("WWW-Authenticate",
                                           'Bearer realm="http://hostile-realm.invalid:%d/token",service="x"' % other_port)])
        if repo == "bigtoken/app" and auth != "Bearer ok":
            return self.answer(401, b"", [("WWW-Authenticate", 'Bearer realm="http://%s/bigtoken",service="x"' % MAIN)])
        if repo not in ("realm/app", "bigtoken/app") and auth != LOGIN:
            return self.answer(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', [("WWW-Authenticate", 'Basic realm="hostile"')])
        if rest[:2] == ["tags", "list"]:
            return self.tags(repo)
        if len(rest) == 2 and rest[0] == "manifests":
            return self.manifest(repo)
        if len(rest) == 2 and rest[0] == "blobs":
            return self.blob(repo, rest[1])
        self.answer(404)

    do_HEAD = do_GET

    def liar_upload(self):
        """liar/app: POST starts an upload, PUT ...?digest=D ends it (monolithic)."""
        auth = self.record()
        path, _, query = self.path.partition("?")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if auth != LOGIN or not path.startswith("/v2/liar/app/"):
            return self.answer(401 if auth != LOGIN else 404, b"", [("WWW-Authenticate", 'Basic realm="hostile"')])
        if self.command == "POST" and path == "/v2/liar/app/blobs/uploads/":
            return self.answer(202, b"", [("Location", "/v2/liar/app/blobs/uploads/one")])
        if self.command == "PUT" and path == "/v2/liar/app/blobs/uploads/one":
            d = dict(kv.split("=", 1) for kv in query.split("&") if "=" in kv).get("digest", "")
            if d != "sha256:" + hashlib.sha256(body).hexdigest():
                return self.answer(400, b'{"errors":[{"code":"DIGEST_INVALID"}]}')
            with lock:
                pushed[d] = body
            return self.answer(201, b"", [("Location", "/v2/liar/app/blobs/" + d)])
        if self.command == "PUT" and path.startswith("/v2/liar/app/manifests/"):
            d = "sha256:" + hashlib.sha256(body).hexdigest()
            with lock:
                pushed[path.rsplit("/", 1)[1]] = pushed[d] = body
            return self.answer(201, b"", [("Docker-Content-Digest", d)])
        self.answer(404)

    do_POST = do_PUT = liar_upload

    def tags(self, repo):
        page2 = "last=one" in self.path
        if repo == "link/app":
            return self.answer(200, b'{"tags":["one"]}', [
                ("Link", '<http://%s/v2/link/app/tags/list?n=1000&last=one>; rel="next"' % OTHER)])
        if repo == "linkrel/app":
            return self.answer(200, b'{"tags":["one"]}', [
                ("Link", '<//%s/v2/linkrel/app/tags/list?n=1000&last=one>; rel="next"' % OTHER)])
        if repo == "linkok/app":
            if page2:
                return self.answer(200, b'{"tags":["two"]}')
            return self.answer(200, b'{"tags":["one"]}', [("Link", '</v2/linkok/app/tags/list?n=1000&last=one>; rel="next"')])
        if repo == "bigtags/app":
            return self.endless(200, b'{"tags":["', total=64 << 20)
        if repo == "esc/app":
            return self.answer(200, json.dumps({"tags": ["v1\x1b]0;owned\x07", "v2\x1b[2J"]}).encode())
        self.answer(200, b'{"tags":["1"]}')

    def manifest(self, repo):
        headers = [("Content-Type", "application/vnd.oci.image.manifest.v1+json")]
        if repo == "liar/app":
            body = pushed.get(self.path.split("?")[0].rsplit("/", 1)[1])
            if body is None:
                return self.answer(404)
            return self.answer(200, body, headers + [("Docker-Content-Digest", "sha256:" + hashlib.sha256(body).hexdigest())])
        if repo == "bigmanifest/app":
            return self.endless(200, b'{"schemaVersion": 2, "x": "', headers, total=64 << 20)
        body = manifest({"io.appv.app.version": "9\x1b[2J"} if repo == "esc/app" else None)
        headers.append(("Docker-Content-Digest", "sha256:" + hashlib.sha256(body).hexdigest()))
        self.answer(200, body, headers)

    def blob(self, repo, ref):
        if repo == "liar/app":
            if self.command == "HEAD":
                return self.answer(200)  # whatever is asked: the lie
            return self.answer(200, pushed[ref]) if ref in pushed else self.answer(404)
        if ref != digest:
            return self.answer(404)
        if repo == "redirect/app":
            return self.answer(307, b"", [("Location", "http://%s/cdn/%s" % (OTHER, digest))])
        if repo == "redirloop/app":
            return self.answer(302, b"", [("Location", "/v2/redirloop/app/blobs/%s?again" % digest)])
        if repo == "bigblob/app":
            return self.endless(200, blob)
        if repo == "baddigest/app":
            return self.answer(200, bytes(len(blob)))
        self.answer(200, blob)


servers = [http.server.ThreadingHTTPServer(("127.0.0.1", p), h) for p, h in ((main_port, Main), (other_port, Other))]
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
open(os.path.join(logdir, "ready"), "w").close()
threading.Event().wait()
