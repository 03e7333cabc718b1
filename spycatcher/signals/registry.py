"""The detector registry: built-in detectors plus any third party's, found without editing the core.

A third-party package adds a detector by declaring an entry point in the group
``spycatcher.detectors`` that points at a :class:`~spycatcher.signals.base.Detector` subclass (or
by calling :func:`register` at import time). ``scan``, ``check``, the API and the Spark engine all
ask this module for the list, so a registered detector runs everywhere.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from spycatcher.signals.base import Detector, SignalSpec

ENTRY_POINT_GROUP = "spycatcher.detectors"

#: modules whose import registers the built-in detectors
BUILTIN_MODULES = (
    "spycatcher.signals.profile",
    "spycatcher.signals.audience",
    "spycatcher.signals.message",
    "spycatcher.signals.behaviour",
    "spycatcher.signals.templates",
    "spycatcher.signals.photo",
    "spycatcher.signals.graph",
    "spycatcher.signals.intel",
    "spycatcher.signals.reports",
)

_registry: dict[str, type[Detector]] = {}
_loaded = False


def register(cls: type[Detector]) -> type[Detector]:
    """Class decorator: make a detector available to every engine."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    existing = _registry.get(cls.name)
    if existing is not None and existing is not cls:
        raise ValueError(f"detector name {cls.name!r} is taken by {existing.__qualname__}")
    _registry[cls.name] = cls
    return cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for mod in BUILTIN_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            # a built-in family not written yet, or whose optional extra is missing
            if exc.name != mod:
                raise
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        if isinstance(obj, type) and issubclass(obj, Detector):
            register(obj)


def detector_classes() -> list[type[Detector]]:
    _load()
    return [_registry[k] for k in sorted(_registry)]


def detectors() -> list[Detector]:
    """Fresh instances of every registered detector, in a stable order."""
    return [cls() for cls in detector_classes()]


def all_specs() -> dict[str, SignalSpec]:
    """Every signal any registered detector can raise, by name (plus the scorer's own)."""
    out: dict[str, SignalSpec] = {}
    for cls in detector_classes():
        for spec in cls.specs:
            out[spec.name] = spec
    return out
