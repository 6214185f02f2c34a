#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A STAND-IN for the Kubernetes API server, for kgated's tests.

This is not Kubernetes: no etcd, no authentication, no validation, no
admission, no server-side apply.  It serves just what kgated's API client
uses, shaped as the real API server answers it:

  GET  /api/v1/[namespaces/NS/]PLURAL             LIST: {"kind": "XList",
  GET  /apis/GROUP/VERSION/[namespaces/NS/]PLURAL  metadata.resourceVersion,
                                                   metadata.continue, items}
       ?limit=N&continue=TOKEN      paging over one snapshot
       ?fieldSelector=a.b=value     equality only (type=kubernetes.io/tls)
       ?watch=1&resourceVersion=RV&allowWatchBookmarks=true&timeoutSeconds=S
           a chunked stream of newline-delimited {"type", "object"} events
           (ADDED, MODIFIED, DELETED, BOOKMARK); an RV older than the
           compaction point gets an ERROR event with code 410 (or, in
           "status" mode, an HTTP 410 Status)
  PATCH .../PLURAL/NAME/status    application/merge-patch+json, recorded
       and applied (a MODIFIED event follows, as on the real server)

List items carry no kind or apiVersion, as the real server's; watch
objects do.  resourceVersion is one counter for everything (etcd's
revision).  Control endpoints for tests (JSON bodies):

  POST /_control/put       {"object": {...}}         add or modify
                           (or {"objects": [...]}: each, in order)
  POST /_control/delete    {"apiVersion","kind","namespace","name"}
  POST /_control/bookmark  a BOOKMARK to every watch that allows them
  POST /_control/compact   {"mode": "event"|"status"}: older RVs are gone
  POST /_control/drop      {"then": [objects], "delete": [{...}],
                           "compact": MODE}: cut every watch mid-stream
                           (no last chunk), then put, delete and compact,
                           all before any watch can resume
  POST /_control/away      {"seconds": S}: close every connection, refuse
                           new ones for S seconds, then listen again;
                           with "reset": true, new connections are
                           accepted meanwhile, their request line read
                           and recorded (with "away": true), then reset
  GET  /_control/patches   the status PATCHes received
  GET  /_control/requests  every API request: method, path, query, time
  GET  /_control/state     {"resourceVersion"}

Usage: apiserver.py [--host 127.0.0.1] [--port 0]; prints
"listening on HOST:PORT" on stdout once it accepts connections.
"""

import argparse
import copy
import json
import secrets
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (prefix, plural) -> (kind, apiVersion, namespaced)
RESOURCES = {
    ("/api/v1", "services"): ("Service", "v1", True),
    ("/api/v1", "endpoints"): ("Endpoints", "v1", True),
    ("/api/v1", "secrets"): ("Secret", "v1", True),
    ("/apis/discovery.k8s.io/v1", "endpointslices"):
        ("EndpointSlice", "discovery.k8s.io/v1", True),
    ("/apis/networking.k8s.io/v1", "ingresses"):
        ("Ingress", "networking.k8s.io/v1", True),
    ("/apis/networking.k8s.io/v1", "ingressclasses"):
        ("IngressClass", "networking.k8s.io/v1", False),
    ("/apis/gateway.networking.k8s.io/v1", "gatewayclasses"):
        ("GatewayClass", "gateway.networking.k8s.io/v1", False),
    ("/apis/gateway.networking.k8s.io/v1", "gateways"):
        ("Gateway", "gateway.networking.k8s.io/v1", True),
    ("/apis/gateway.networking.k8s.io/v1", "httproutes"):
        ("HTTPRoute", "gateway.networking.k8s.io/v1", True),
}
BY_KIND = {(v[1], v[0]): k for k, v in RESOURCES.items()}


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge_patch(target.get(k), v)
    return target


def field_match(obj, selector):
    for term in filter(None, (selector or "").split(",")):
        path, _, want = term.partition("=")
        val = obj
        for part in path.split("."):
            val = val.get(part) if isinstance(val, dict) else None
        if str(val) != want:
            return False
    return True


class Store:
    def __init__(self):
        self.cond = threading.Condition()
        self.rv = 100
        self.objects = {res: {} for res in RESOURCES}
        self.log = []           # (rv, res or None, type, object)
        self.compacted = 0      # watches from an RV below this are gone
        self.gone_mode = "event"
        self.drops = 0          # bumped to cut every watch
        self.snapshots = {}     # continue token -> (rv, remaining items)
        self.patches = []
        self.requests = []

    def _event(self, res, etype, obj):
        self.log.append((self.rv, res, etype, copy.deepcopy(obj)))
        self.cond.notify_all()

    def put(self, obj):
        with self.cond:
            res = BY_KIND[(obj["apiVersion"], obj["kind"])]
            meta = obj.setdefault("metadata", {})
            if RESOURCES[res][2]:
                meta.setdefault("namespace", "default")
            key = (meta.get("namespace", ""), meta["name"])
            old = self.objects[res].get(key)
            self.rv += 1
            meta["resourceVersion"] = str(self.rv)
            if old is None:
                meta.setdefault("uid", secrets.token_hex(8))
                meta.setdefault("generation", 1)
                meta.setdefault("creationTimestamp",
                                time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                              time.gmtime()))
            else:
                gen = old["metadata"].get("generation", 1)
                if old.get("spec") != obj.get("spec"):
                    gen += 1
                meta["generation"] = gen
                meta["uid"] = old["metadata"].get("uid")
            self.objects[res][key] = obj
            self._event(res, "ADDED" if old is None else "MODIFIED", obj)
            return self.rv

    def delete(self, api_version, kind, ns, name):
        with self.cond:
            res = BY_KIND[(api_version, kind)]
            obj = self.objects[res].pop((ns or "", name), None)
            if obj is None:
                return None
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self._event(res, "DELETED", obj)
            return self.rv

    def bookmark(self):
        with self.cond:
            self.rv += 1
            self.log.append((self.rv, None, "BOOKMARK", None))
            self.cond.notify_all()
            return self.rv

    def compact(self, mode):
        with self.cond:
            self.compacted = self.rv
            self.gone_mode = mode
            self.log = []

    def drop(self):
        with self.cond:
            self.drops += 1
            self.cond.notify_all()


STORE = Store()
CONNS = set()
CONNS_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with CONNS_LOCK:
            CONNS.add(self.connection)

    def finish(self):
        with CONNS_LOCK:
            CONNS.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    # ---- helpers --------------------------------------------------------

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def status(self, code, reason, message):
        self.send_json(code, {"kind": "Status", "apiVersion": "v1",
                              "metadata": {}, "status": "Failure",
                              "message": message, "reason": reason,
                              "code": code})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def route(self):
        """(resource, namespace, name, subresource) of an API path."""
        parts = self.url.path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            prefix, rest = "/api/v1", parts[2:]
        elif parts[0] == "apis" and len(parts) >= 3:
            prefix, rest = "/" + "/".join(parts[:3]), parts[3:]
        else:
            return None
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if not rest or (prefix, rest[0]) not in RESOURCES:
            return None
        return ((prefix, rest[0]), ns, rest[1] if len(rest) > 1 else None,
                rest[2] if len(rest) > 2 else None)

    def record(self):
        self.url = urllib.parse.urlsplit(self.path)
        self.query = dict(urllib.parse.parse_qsl(self.url.query))
        if not self.url.path.startswith("/_control/"):
            with STORE.cond:
                STORE.requests.append({"method": self.command,
                                       "path": self.url.path,
                                       "query": self.query,
                                       "time": time.monotonic()})

    # ---- the API --------------------------------------------------------

    def do_GET(self):
        self.record()
        if self.url.path.startswith("/_control/"):
            return self.control_get()
        r = self.route()
        if not r or r[2]:
            return self.status(404, "NotFound", "the server could not "
                               "find the requested resource")
        if self.query.get("watch") in ("1", "true"):
            return self.watch(r[0], r[1])
        return self.list(r[0], r[1])

    def selected(self, res, ns, obj):
        meta = obj["metadata"]
        return ((ns is None or meta.get("namespace") == ns) and
                field_match(obj, self.query.get("fieldSelector")))

    def list(self, res, ns):
        kind, api_version, _ = RESOURCES[res]
        limit = int(self.query.get("limit") or 0)
        token = self.query.get("continue")
        with STORE.cond:
            if token:
                snap = STORE.snapshots.pop(token, None)
                if snap is None:
                    return self.status(410, "Expired", "the provided "
                                       "continue parameter is too old")
                rv, items = snap
            else:
                rv = STORE.rv
                items = [copy.deepcopy(o) for k, o in
                         sorted(STORE.objects[res].items())
                         if self.selected(res, ns, o)]
            meta = {"resourceVersion": str(rv)}
            if limit and len(items) > limit:
                token = secrets.token_urlsafe(12)
                STORE.snapshots[token] = (rv, items[limit:])
                meta["continue"] = token
                meta["remainingItemCount"] = len(items) - limit
                items = items[:limit]
        for o in items:
            o.pop("kind", None)
            o.pop("apiVersion", None)
        self.send_json(200, {"kind": kind + "List", "apiVersion": api_version,
                             "metadata": meta, "items": items})

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, res, ns):
        kind, api_version, _ = RESOURCES[res]
        since = int(self.query.get("resourceVersion") or 0)
        timeout = int(self.query.get("timeoutSeconds") or 1800)
        bookmarks = self.query.get("allowWatchBookmarks") == "true"
        deadline = time.monotonic() + timeout
        with STORE.cond:
            gone = since and since < STORE.compacted
            mode = STORE.gone_mode
            drops = STORE.drops
            if not since:
                since = STORE.rv
        if gone and mode == "status":
            return self.status(410, "Expired", "too old resource version: "
                               "%d (%d)" % (since, STORE.compacted))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        if gone:
            ev = {"type": "ERROR", "object": {
                "kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure", "reason": "Expired", "code": 410,
                "message": "too old resource version: %d (%d)" %
                           (since, STORE.compacted)}}
            self.chunk(json.dumps(ev).encode() + b"\n")
            self.chunk(b"")
            return
        sent = since
        while True:
            with STORE.cond:
                while True:
                    if STORE.drops != drops:
                        return self.cut()
                    out = [e for e in STORE.log if e[0] > sent]
                    left = deadline - time.monotonic()
                    if out or left <= 0:
                        break
                    STORE.cond.wait(left)
            if not out:
                self.chunk(b"")
                return
            for rv, eres, etype, obj in out:
                sent = rv
                if etype == "BOOKMARK":
                    if not bookmarks:
                        continue
                    obj = {"kind": kind, "apiVersion": api_version,
                           "metadata": {"resourceVersion": str(rv)}}
                elif eres != res or not self.selected(res, ns, obj):
                    continue
                line = json.dumps({"type": etype, "object": obj})
                self.chunk(line.encode() + b"\n")

    def cut(self):
        """End a stream without its last chunk: a dropped connection."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_PATCH(self):
        self.record()
        r = self.route()
        body = self.body()
        if not r or not r[2] or r[3] != "status":
            return self.status(404, "NotFound", "not a status subresource")
        res, ns, name, _ = r
        ctype = self.headers.get("Content-Type", "")
        try:
            patch = json.loads(body)
        except ValueError:
            return self.status(400, "BadRequest", "the body is not JSON")
        with STORE.cond:
            STORE.patches.append({"path": self.url.path,
                                  "contentType": ctype, "body": patch})
            obj = STORE.objects[res].get((ns or "", name))
        if ctype != "application/merge-patch+json":
            return self.status(415, "UnsupportedMediaType",
                               "the body of the request was in an unknown "
                               "format")
        if obj is None:
            return self.status(404, "NotFound", '%s "%s" not found' %
                               (res[1], name))
        obj = copy.deepcopy(obj)
        obj["status"] = merge_patch(obj.get("status"), patch.get("status"))
        STORE.put(obj)
        self.send_json(200, obj)

    # ---- control --------------------------------------------------------

    def control_get(self):
        with STORE.cond:
            if self.url.path == "/_control/patches":
                return self.send_json(200, STORE.patches)
            if self.url.path == "/_control/requests":
                return self.send_json(200, STORE.requests)
            if self.url.path == "/_control/state":
                return self.send_json(200, {"resourceVersion":
                                            str(STORE.rv)})
        self.status(404, "NotFound", "no such control")

    def do_POST(self):
        self.record()
        try:
            arg = json.loads(self.body() or b"{}")
        except ValueError:
            return self.status(400, "BadRequest", "the body is not JSON")
        path = self.url.path
        if path == "/_control/put":
            with STORE.cond:
                for obj in arg.get("objects", []) or [arg["object"]]:
                    rv = STORE.put(obj)
        elif path == "/_control/delete":
            rv = STORE.delete(arg["apiVersion"], arg["kind"],
                              arg.get("namespace"), arg["name"])
        elif path == "/_control/bookmark":
            rv = STORE.bookmark()
        elif path == "/_control/compact":
            STORE.compact(arg.get("mode", "event"))
            rv = STORE.rv
        elif path == "/_control/drop":
            with STORE.cond:
                STORE.drop()
                for obj in arg.get("then", []):
                    STORE.put(obj)
                for d in arg.get("delete", []):
                    STORE.delete(d["apiVersion"], d["kind"],
                                 d.get("namespace"), d["name"])
                if arg.get("compact"):
                    STORE.compact(arg["compact"])
                rv = STORE.rv
        elif path == "/_control/away":
            self.send_json(200, {"resourceVersion": str(STORE.rv)})
            self.close_connection = True
            threading.Thread(target=go_away,
                             args=(arg.get("seconds", 1),
                                   bool(arg.get("reset"))),
                             daemon=True).start()
            return
        else:
            return self.status(404, "NotFound", "no such control")
        self.send_json(200, {"resourceVersion": str(rv)})


SERVER = {"srv": None, "away": 0, "reset": False}


def go_away(seconds, reset):
    time.sleep(0.05)    # let the answer go out
    SERVER["away"] = seconds
    SERVER["reset"] = reset
    SERVER["srv"].shutdown()


def reset_one(conn, when):
    """Read @conn's request line, record it (accepted at @when), reset
    the connection."""
    conn.settimeout(1)
    line = b""
    try:
        while b"\n" not in line and len(line) < 8192:
            data = conn.recv(4096)
            if not data:
                break
            line += data
    except OSError:
        pass
    words = line.split(b"\r\n", 1)[0].decode(errors="replace").split()
    url = urllib.parse.urlsplit(words[1] if len(words) >= 2 else "")
    if len(words) >= 2 and not url.path.startswith("/_control/"):
        with STORE.cond:
            STORE.requests.append({
                "method": words[0], "path": url.path,
                "query": dict(urllib.parse.parse_qsl(url.query)),
                "time": when, "away": True})
    # SO_LINGER 0: close() sends a RST, as a server that went away would
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    conn.close()


def reset_listener(host, port):
    ls = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(64)
    return ls


def away_resetting(ls, seconds):
    """Accept and reset every connection on @ls for @seconds."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        ls.settimeout(left)
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            break
        # a thread each: one that sends nothing must not delay the others
        threading.Thread(target=reset_one, args=(conn, time.monotonic()),
                         daemon=True).start()
    ls.close()


def close_all():
    STORE.drop()
    with CONNS_LOCK:
        for c in list(CONNS):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    port = args.port
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    first = True
    while True:
        srv = ThreadingHTTPServer((args.host, port), Handler)
        port = srv.server_address[1]
        SERVER["srv"] = srv
        if first:
            print("listening on %s:%d" % (args.host, port), flush=True)
            first = False
        srv.serve_forever(poll_interval=0.05)
        srv.server_close()
        # listening again before the cut: the first retries must find it
        ls = reset_listener(args.host, port) if SERVER["reset"] else None
        close_all()
        if ls:
            away_resetting(ls, SERVER["away"])
        else:
            time.sleep(SERVER["away"])


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
