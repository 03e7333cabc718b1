"""Seeded synthetic professional network with hostile-state campaigns (``spycatcher synth``).

``generate(out_dir, n_profiles, seed)`` writes ``profiles.jsonl``, ``events.jsonl`` (data
contract v1) and ``truth.json``. See :mod:`spycatcher.synth.generator` for what each holds.
"""

from spycatcher.synth.generator import SynthSummary, generate

__all__ = ["SynthSummary", "generate"]
