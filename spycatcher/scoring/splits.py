"""Cross-validation folds that respect campaigns.

Members of one campaign share a photo, a template, an employer: a model that has seen some of them
recognises the rest, which says nothing about the next campaign. So when profiles carry a
``campaign``, folds are stratified *and grouped* by it (members of one campaign never sit on both
sides); profiles without one are their own group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold


def group_ids(campaigns: Sequence[str | None], ids: Sequence[str]) -> np.ndarray:
    """One group per campaign; a profile outside any campaign is a group of its own."""
    out = np.empty(len(ids), dtype=np.int64)
    seen: dict[str, int] = {}
    for i, (c, pid) in enumerate(zip(campaigns, ids, strict=True)):
        key = f"campaign\x00{c}" if c else f"profile\x00{pid}\x00{i}"
        out[i] = seen.setdefault(key, len(seen))
    return out


def stratified_folds(
    y: np.ndarray, groups: np.ndarray | None, k: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, test) index pairs, stratified by label and grouped when groups repeat.

    ``k`` is lowered to what the data allows (each fold needs a member of each class), and a
    ValueError explains when even two folds are impossible.
    """
    y = np.asarray(y).astype(np.int64)
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    grouped = groups is not None and len(np.unique(groups)) < len(y)
    if grouped:
        assert groups is not None
        n_pos_groups = len(np.unique(groups[y == 1]))
        n_neg_groups = len(np.unique(groups[y == 0]))
        limit = min(n_pos_groups, n_neg_groups)
    else:
        limit = min(n_pos, n_neg)
    k = min(k, limit)
    if k < 2:
        raise ValueError(
            "cross-validation needs at least two positive and two negative "
            + ("campaigns/profiles" if grouped else "profiles")
        )
    x = np.zeros(len(y))
    if grouped:
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        return [(tr, te) for tr, te in splitter.split(x, y, groups)]
    plain = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(tr, te) for tr, te in plain.split(x, y)]
