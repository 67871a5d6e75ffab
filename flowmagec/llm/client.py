"""Chat completions through the official ``openai`` client, for any compatible server.

Endpoint, key and model: ``--llm MODEL`` (or the config file's ``model``),
``OPENAI_BASE_URL`` / ``base_url``, ``OPENAI_API_KEY`` / ``api_key_env``.  Works
with OpenAI and local servers (vLLM, llama.cpp server, Ollama), which differ in
what they support:

* structured output: ``json_schema`` first; a 400 that names the response format
  falls back to ``json_object``, then to none; the answer is then extracted
  tolerantly (the first balanced JSON object, also inside prose or code fences);
* retries: 429 and 5xx are retried with exponential backoff (``retries`` times),
  honouring ``Retry-After``; a timeout is retried the same way; other errors fail
  that sample only;
* every answer is cached by content (``cache.py``): model, prompt text and
  template version, sample index and temperature, so an unchanged NF never costs a
  second call.
Nothing is sent anywhere unless the user asked for an LLM.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .cache import AnswerCache

FORMATS = ("json_schema", "json_object", "none")


@dataclass
class LLMConfig:
    model: str
    base_url: Optional[str] = None
    api_key: Optional[str] = None
    samples: int = 5
    temperature: float = 0.0
    timeout_s: float = 60.0
    retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    budget_tokens: int = 1500          # code slice per prompt (the whole prompt adds ~900)
    input: str = "source"              # 'source' | 'ir' | 'both'
    price_in: float = 0.0              # per million prompt tokens (cost accounting)
    price_out: float = 0.0
    only: bool = False                 # --llm-only: the paper's pure-LLM pipeline

    @classmethod
    def load(cls, model: str, path: Optional[str] = None, **overrides) -> "LLMConfig":
        """Config file (JSON) if any, then the environment, then explicit options."""
        data: dict[str, Any] = {}
        path = path or _default_config()
        if path and os.path.isfile(path):
            from ..errors import read_json
            data = read_json(path, "LLM configuration") or {}
        cfg = cls(model=model if model not in (None, "", "config") else data.get("model", ""))
        for k, v in data.items():
            if k in ("model", "api_key_env"):
                continue
            if hasattr(cfg, k):
                setattr(cfg, k, v)
        cfg.base_url = cfg.base_url or os.environ.get("OPENAI_BASE_URL")
        key_env = data.get("api_key_env", "OPENAI_API_KEY")
        cfg.api_key = cfg.api_key or os.environ.get(key_env) or "not-needed"
        for k, v in overrides.items():
            if v is not None:
                setattr(cfg, k, v)
        return cfg


def _default_config() -> Optional[str]:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    path = os.path.join(base, "flowmagec", "llm.json")
    return path if os.path.isfile(path) else None


@dataclass
class Answer:
    text: str = ""
    data: Optional[dict] = None        # parsed JSON object, None if none could be read
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    error: str = ""


@dataclass
class Usage:
    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, a: Answer) -> None:
        if a.cached:
            self.cached += 1
        else:
            self.requests += 1
            self.prompt_tokens += a.prompt_tokens
            self.completion_tokens += a.completion_tokens
        if a.error:
            self.errors.append(a.error)

    def cost(self, cfg: LLMConfig) -> float:
        return (self.prompt_tokens * cfg.price_in + self.completion_tokens * cfg.price_out) / 1e6

    def to_dict(self, cfg: Optional[LLMConfig] = None) -> dict:
        d = {"requests": self.requests, "cached": self.cached,
             "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}
        if cfg is not None and (cfg.price_in or cfg.price_out):
            d["cost"] = round(self.cost(cfg), 6)
        if self.errors:
            d["errors"] = self.errors[:10]
        return d


class ChatClient:
    def __init__(self, cfg: LLMConfig, cache: AnswerCache, sleep: Callable[[float], None] = time.sleep):
        import openai
        self.cfg, self.cache, self.sleep = cfg, cache, sleep
        self.openai = openai
        self.client = openai.OpenAI(base_url=cfg.base_url, api_key=cfg.api_key,
                                    timeout=cfg.timeout_s, max_retries=0)
        self.format = FORMATS[0]

    def ask(self, system: str, user: str, schema: dict, sample: int, version: str) -> Answer:
        key = self.cache.key(self.cfg.model, version, system, user, sample, self.cfg.temperature)
        hit = self.cache.get(key)
        if hit is not None:
            return Answer(text=hit.get("text", ""), data=extract_json(hit.get("text", "")),
                          cached=True)
        answer = self._call(system, user, schema)
        if not answer.error:
            self.cache.put(key, {"text": answer.text, "model": self.cfg.model,
                                 "usage": [answer.prompt_tokens, answer.completion_tokens]})
        return answer

    def _call(self, system: str, user: str, schema: dict) -> Answer:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        delay = self.cfg.backoff_s
        last = ""
        failures = 0
        while True:
            try:
                resp = self.client.chat.completions.create(
                    model=self.cfg.model, messages=messages, temperature=self.cfg.temperature,
                    **self._format_args(schema))
            except self.openai.BadRequestError as e:
                msg = str(e).lower()
                if self.format != "none" and any(w in msg for w in ("response_format", "json",
                                                                     "schema")):
                    self.format = FORMATS[FORMATS.index(self.format) + 1]
                    continue                 # the server lacks this format: the next one
                return Answer(error=f"rejected: {_short(e)}")
            except (self.openai.RateLimitError, self.openai.InternalServerError,
                    self.openai.APITimeoutError, self.openai.APIConnectionError) as e:
                last, failures = _short(e), failures + 1
                if failures > self.cfg.retries:
                    break
                self.sleep(min(self.cfg.max_backoff_s, _retry_after(e) or delay))
                delay *= 2
                continue
            except self.openai.APIStatusError as e:
                last, failures = _short(e), failures + 1
                if getattr(e, "status_code", 0) >= 500 and failures <= self.cfg.retries:
                    self.sleep(min(self.cfg.max_backoff_s, _retry_after(e) or delay))
                    delay *= 2
                    continue
                return Answer(error=f"failed: {last}")
            text = ""
            try:
                text = resp.choices[0].message.content or ""
            except (AttributeError, IndexError, TypeError):
                text = ""
            usage = getattr(resp, "usage", None)
            return Answer(text=text, data=extract_json(text),
                          prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                          completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
                          error="" if text else "empty answer")
        return Answer(error=f"gave up after {self.cfg.retries + 1} attempts: {last}")

    def _format_args(self, schema: dict) -> dict:
        if self.format == "json_schema":
            return {"response_format": {"type": "json_schema", "json_schema": {
                "name": "answer", "schema": schema, "strict": True}}}
        if self.format == "json_object":
            return {"response_format": {"type": "json_object"}}
        return {}


def _retry_after(e) -> Optional[float]:
    resp = getattr(e, "response", None)
    value = resp.headers.get("retry-after") if resp is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _short(e) -> str:
    return f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}"


def extract_json(text: str) -> Optional[dict]:
    """The first JSON object in ``text``: the whole text, or a balanced ``{...}``
    inside prose or a code fence."""
    if not text:
        return None
    try:
        v = json.loads(text)
        return v if isinstance(v, dict) else None
    except ValueError:
        pass
    start = text.find("{")
    while start >= 0:
        depth, in_str, esc = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_str:
                esc = ch == "\\" and not esc
                if ch == '"' and not esc:
                    in_str = False
                continue
            if ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    try:
                        v = json.loads(text[start:i + 1])
                        if isinstance(v, dict):
                            return v
                    except ValueError:
                        pass
                    break
        start = text.find("{", start + 1)
    return None
