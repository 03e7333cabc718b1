"""Profile photos: safe loading, PDQ hashes, a hash index and an AI-generated-face detector.

Fake personas wear someone else's face (a catalogue model, a stock photo, another member) or a
generated one. Two independent questions answer that: "have we seen this face before?" (PDQ
perceptual hashes matched against every other profile and a bank of known-bad photos) and "does
this image look generated?" (:mod:`spycatcher.photo.aiface`).
"""

from spycatcher.photo.load import ImageLimits, ImageRejected, LoadedImage, load_image

__all__ = ["ImageLimits", "ImageRejected", "LoadedImage", "load_image"]
