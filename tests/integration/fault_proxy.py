"""A small HTTP proxy in front of moto that injects faults moto cannot produce (see MOTO.md).

Two ways in, one thread, stdlib only, bound to 127.0.0.1 on a free port:

- reverse proxy: point aws.endpoint_url at FaultProxy.url; every request goes to `upstream`.
- forward proxy (http_proxy=FaultProxy.url): requests arrive in absolute form (`POST http://host:port/ HTTP/1.1`);
  `hosts` maps made-up host names to real ones, so a URL that only the proxy can resolve proves the proxy was
  used. No CONNECT (https) support: moto speaks plain http.

Faults: `throttle(n, target=...)` answers the next n requests whose X-Amz-Target or Action contains `target`
with CloudWatch's throttling error (HTTP 400, x-amzn-query-error: Throttling;Sender); `json_error(n, target, type)`
with any error of a JSON-protocol service (DynamoDB's ProvisionedThroughputExceededException); `hold(target)` keeps
such requests unanswered and never passes them on, until `release()`: a request that left a client (killed
meanwhile) and never reached the service. Every request is recorded with its arrival time (time.monotonic()) so
tests can check the client's backoff delays.
"""
import http.client
import json
import threading
import time
import urllib.parse

from local_servers import HOP_BY_HOP, LocalServer


class Seen:
    def __init__(self, at, method, url, headers, body, answer):
        self.at, self.method, self.url, self.headers, self.body, self.answer = at, method, url, headers, body, answer

    def header(self, name):
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None


class FaultProxy(LocalServer):
    def __init__(self, upstream=None, hosts=None):
        self.upstream = upstream  # "http://127.0.0.1:PORT" for reverse-proxy mode
        self.hosts = dict(hosts or {})
        self.seen = []
        self.lock = threading.Lock()
        self.faults = []  # [target substring, remaining count, (status, headers, body)]
        self.holds = []  # target substrings whose requests wait for `released`
        self.released = threading.Event()
        super().__init__()

    def handle(self, rec):
        status, headers, payload, _ = self.route(rec.method, rec.path, rec.headers, rec.body)
        return status, headers, payload

    def throttle(self, count, target="GetMetricData", retry_after_ms=None):
        headers = [("x-amzn-query-error", "Throttling;Sender"), ("Content-Type", "application/x-amz-json-1.0")]
        if retry_after_ms is not None:
            headers.append(("x-amz-retry-after", str(retry_after_ms)))
        body = b'{"__type":"com.amazonaws.cloudwatch#Throttling","message":"Rate exceeded"}'
        with self.lock:
            self.faults.append([target, count, (400, headers, body)])

    def json_error(self, count, target, error_type, message="", status=400):
        """The next `count` requests for `target` are refused the way an AWS JSON-protocol service refuses one:
        HTTP `status`, body {"__type": error_type, "message": message}."""
        body = json.dumps({"__type": error_type, "message": message}).encode()
        with self.lock:
            self.faults.append([target, count, (status, [("Content-Type", "application/x-amz-json-1.0")], body)])

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def hold(self, target):
        """Requests for `target` get no answer and are never passed on until release(); then a 503 ends each."""
        with self.lock:
            self.holds.append(target)

    def release(self):
        with self.lock:
            self.holds.clear()
        self.released.set()

    def held(self):
        return [s for s in self.seen if s.answer == "held"]

    def matching(self, target):
        return [s for s in self.seen if target in (s.header("X-Amz-Target") or "") or
                f"Action={target}" in s.body.decode(errors="replace")]

    def route(self, method, path, headers, body):
        now = time.monotonic()
        what = (headers.get("X-Amz-Target") or headers.get("x-amz-target") or "") + " " + body.decode(errors="replace")
        with self.lock:
            for fault in self.faults:
                if fault[1] > 0 and fault[0] in what:
                    fault[1] -= 1
                    status, fheaders, fbody = fault[2]
                    self.seen.append(Seen(now, method, path, headers, body, "fault"))
                    return status, fheaders, fbody, "fault"
            held = any(target in what for target in self.holds)
            if held:
                self.seen.append(Seen(now, method, path, headers, body, "held"))
        if held:
            self.released.wait(timeout=120)
            return 503, [("Content-Type", "text/plain")], b"held by the fault proxy, never passed on", "held"
        if path.startswith("http://"):
            parts = urllib.parse.urlsplit(path)
            host = self.hosts.get(parts.hostname, parts.hostname)  # e.g. "moto.test" -> "127.0.0.1"
            target = f"{host}:{parts.port}" if parts.port else host
            rel = parts.path + (("?" + parts.query) if parts.query else "")
        elif self.upstream:
            target, rel = urllib.parse.urlsplit(self.upstream).netloc, path
        else:
            return 502, [], b"no upstream", "error"
        conn = http.client.HTTPConnection(target, timeout=30)
        try:
            out = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(method, rel or "/", body=body, headers=out)
            resp = conn.getresponse()
            payload = resp.read()
            with self.lock:
                self.seen.append(Seen(now, method, path, headers, body, resp.status))
            return resp.status, resp.getheaders(), payload, resp.status
        finally:
            conn.close()

class Blackhole:
    """A TCP listener on 127.0.0.1 that accepts connections and reads what arrives but never answers.

    A request sent to Blackhole.url stays in flight until the client gives up (its own timeout) or dies: a
    delivery that has started and not finished. Everything received is kept per connection, in order.
    """

    def __init__(self):
        import socket
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self._received = []  # one bytearray per connection
        self._conns = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stopped:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            buf = bytearray()
            with self.lock:
                self._conns.append(conn)
                self._received.append(buf)
            threading.Thread(target=self._read, args=(conn, buf), daemon=True).start()

    def _read(self, conn, buf):
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                buf.extend(chunk)

    def received(self):
        """What each connection has sent so far, decoded."""
        with self.lock:
            return [bytes(b).decode(errors="replace") for b in self._received]

    def stop(self):
        import socket
        self._stopped = True
        try:
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accept() in progress
        except OSError:
            pass
        self._socket.close()
        with self.lock:
            for c in self._conns:
                try:
                    c.close()
                except OSError:
                    pass
