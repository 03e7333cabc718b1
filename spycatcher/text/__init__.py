"""Text tools shared by the message, template and behaviour detectors.

- :mod:`~spycatcher.text.normalize`: undo the tricks that hide a word from a filter (look-alike
  letters, zero-width characters, "w h a t s a p p", "t3legram") while keeping a map back to the
  original characters, so that evidence quotes exactly what the sender wrote.
- :mod:`~spycatcher.text.lures`: the approach-message lexicon (paid reports, trips, flattery,
  urgency, moving off the platform, questions about work and access) and its matcher.
- :mod:`~spycatcher.text.intents`: the same lures read by meaning (concept synonym sets in slot
  rules), so that paraphrases count; merged into the matcher.
- :mod:`~spycatcher.text.templates`: MinHash LSH over word shingles, to find wording shared by
  many profiles.
- :mod:`~spycatcher.text.sensitive`: which employers and headlines belong to sensitive sectors.
- :mod:`~spycatcher.text.embeddings`: optional semantic similarity to known approach scripts.
"""
