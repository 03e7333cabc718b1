"""Detectors, one module per family; see :mod:`spycatcher.signals.base` for the interface."""

from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import all_specs, detector_classes, detectors, register

__all__ = [
    "Detector",
    "ProfileContext",
    "Signal",
    "SignalSpec",
    "all_specs",
    "detector_classes",
    "detectors",
    "register",
]
