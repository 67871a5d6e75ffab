"""The LLM options every command that analyses NFs shares (main job, audit, track)."""
from __future__ import annotations

from typing import Optional


def add_llm_options(p) -> None:
    p.add_argument("--llm", default="off", metavar="MODEL",
                   help="ask MODEL (any OpenAI-compatible endpoint: OPENAI_BASE_URL, "
                        "OPENAI_API_KEY) for a second opinion on undecided features; "
                        "'config' takes the model from the LLM config file (default: off)")
    p.add_argument("--llm-config", metavar="FILE",
                   help="LLM settings (JSON: model, base_url, api_key_env, samples, "
                        "temperature, timeout_s, retries, budget_tokens, price_in, price_out); "
                        "default $XDG_CONFIG_HOME/flowmagec/llm.json when present")
    p.add_argument("--llm-samples", type=int, metavar="N",
                   help="answers per NF, majority-voted per feature (default 5)")
    p.add_argument("--llm-input", choices=["source", "ir", "both"],
                   help="what the prompt carries: the C/C++ slice, the LLVM IR of the "
                        "per-packet functions, or both (default source)")
    p.add_argument("--llm-budget", type=int, metavar="TOKENS",
                   help="code tokens per prompt (default 1500; the whole prompt adds about 900)")
    p.add_argument("--llm-only", action="store_true",
                   help="features from the LLM alone (the paper's pipeline, for comparison)")


def llm_config(args):
    """The LLMConfig the options ask for, or None when the LLM is off."""
    from ..errors import InputError
    from ..llm.client import LLMConfig
    model: Optional[str] = getattr(args, "llm", "off")
    if model in (None, "off"):
        if getattr(args, "llm_only", False):
            raise InputError("--llm-only needs --llm MODEL")
        return None
    if getattr(args, "llm_samples", None) is not None and args.llm_samples < 1:
        raise InputError(f"--llm-samples must be at least 1, got {args.llm_samples}")
    cfg = LLMConfig.load(model, getattr(args, "llm_config", None),
                         samples=getattr(args, "llm_samples", None),
                         input=getattr(args, "llm_input", None),
                         budget_tokens=getattr(args, "llm_budget", None),
                         only=True if getattr(args, "llm_only", False) else None)
    if not cfg.model:
        raise InputError("--llm config: the LLM config file names no model")
    return cfg
