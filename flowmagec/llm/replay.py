"""A local HTTP server speaking the OpenAI chat-completions protocol with scripted
or recorded answers: the LLM tests and the fusion benchmark replay model answers
through it with the real ``openai`` client (it only listens on 127.0.0.1)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Script:
    """Answers in order; the last one repeats.  Each step is a dict:
    ``content`` (str), ``status`` (int, default 200), ``headers``, ``delay`` (s),
    ``body`` (raw error body), ``reject_formats`` (400 on these response formats)."""

    def __init__(self, steps):
        self.steps = list(steps)
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    def next(self, request: dict) -> dict:
        with self.lock:
            self.requests.append(request)
            step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if callable(step):
            step = step(request)
        return step


class Server:
    def __init__(self, script: Script):
        self.script = script
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def count(self) -> int:
        return len(self.script.requests)

    def _handler(self):
        script = self.script

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                step = script.next(request)
                fmt = (request.get("response_format") or {}).get("type", "none")
                if fmt in step.get("reject_formats", ()):
                    return self._send(400, {"error": {"message": f"response_format {fmt} is not "
                                                      f"supported", "type": "invalid_request_error"}})
                time.sleep(step.get("delay", 0))
                status = step.get("status", 200)
                if status != 200:
                    return self._send(status, step.get("body") or {"error": {"message": "scripted"}},
                                      step.get("headers", {}))
                content = step.get("content", "")
                self._send(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": 0,
                    "model": request.get("model", "m"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})

            def _send(self, status, body, headers=None):
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
