"""A local stand-in for GOV.UK Notify's API v2: enough to send email and text messages, and to fail on demand.

It checks the JWT the real client signs (HS256 with the key's secret, `iss` = service id), validates
phone numbers the way Notify does for UK mobiles, and records every request it receives.
"""

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

UK_MOBILE = re.compile(r"^07\d{9}$")

FAILURES = {
    400: {"error": "BadRequestError", "message": "Bad request"},
    403: {"error": "AuthError", "message": "Invalid token: API key not found"},
    429: {
        "error": "RateLimitError",
        "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    },
    500: {"error": "Exception", "message": "Internal server error"},
}


def make_api_key(name: str = "asb-portal-test") -> str:
    """A well-formed Notify key: keyname-<service id>-<secret>, both UUIDs."""
    return f"{name}-{uuid.uuid4()}-{uuid.uuid4()}"


@dataclass
class NotifyRequest:
    path: str
    body: dict
    claims: dict | None  # the verified JWT claims; None if the token was missing or invalid
    status: int  # what the fake answered


@dataclass
class FakeNotify:
    api_key: str
    requests: list[NotifyRequest] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)  # notifications accepted (201)
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def service_id(self) -> str:
        return self.api_key[-73:-37]

    @property
    def secret(self) -> str:
        return self.api_key[-36:]

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` requests with `status` (500, 429, 400, 403) instead of sending."""
        with self._lock:
            self._failures.extend([status] * times)

    def handle(self, path: str, authorization: str, body: dict) -> tuple[int, dict]:
        claims = self._verify(authorization)
        with self._lock:
            forced = self._failures.pop(0) if self._failures else None
        status, response = self._answer(path, claims, body, forced)
        with self._lock:
            self.requests.append(NotifyRequest(path=path, body=body, claims=claims, status=status))
            if status == 201:
                self.sent.append({"path": path, **body, "id": response["id"]})
        return status, response

    def _verify(self, authorization: str) -> dict | None:
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            return None
        try:
            claims = jwt.decode(token, key=self.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.InvalidTokenError:
            return None
        return claims if claims["iss"] == self.service_id else None

    def _answer(self, path: str, claims: dict | None, body: dict, forced: int | None) -> tuple[int, dict]:
        if path not in ("/v2/notifications/email", "/v2/notifications/sms"):
            return 404, _errors(404, "RequestError", "Not found")
        if claims is None:
            return 403, _errors(403, **FAILURES[403])
        if forced is not None:
            return forced, _errors(forced, **FAILURES[forced])
        if not body.get("template_id"):
            return 400, _errors(400, "ValidationError", "template_id is a required property")
        if path.endswith("/sms"):
            number = re.sub(r"[\s()-]", "", body.get("phone_number", ""))
            number = re.sub(r"^(\+44|0044)", "0", number)
            if not UK_MOBILE.match(number):
                return 400, _errors(400, "ValidationError", "phone_number Not a UK mobile number")
        elif "@" not in body.get("email_address", ""):
            return 400, _errors(400, "ValidationError", "email_address Not a valid email address")
        notification_id = str(uuid.uuid4())
        return 201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": {"body": body.get("personalisation", {}).get("body", "")},
            "uri": f"/v2/notifications/{notification_id}",
            "template": {"id": body["template_id"], "version": 1, "uri": f"/v2/template/{body['template_id']}"},
        }


def _errors(status: int, error: str, message: str) -> dict:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        status, response = self.server.fake.handle(self.path, self.headers.get("Authorization", ""), body)
        payload = json.dumps(response).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeNotify


class FakeNotifyServer:
    """Runs a FakeNotify on 127.0.0.1 on a free port, in a thread. Use as a context manager."""

    def __init__(self, api_key: str | None = None):
        self.fake = FakeNotify(api_key=api_key or make_api_key())
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self.fake
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-notify", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeNotify:
        self._thread.start()
        return self.fake

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
