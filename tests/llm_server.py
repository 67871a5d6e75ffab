"""The scripted OpenAI-compatible server of the LLM tests (flowmagec.llm.replay)."""
from flowmagec.llm.replay import Script, Server  # noqa: F401
