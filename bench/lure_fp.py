"""Lure-message flags: false positives on benign messages, recall on lures, throughput.

A benign message counts as a false positive when any lure category is flagged in it (strong
hits, and weak hits corroborated by a strong hit of another category in the same text: exactly
what ``message.*`` signals fire on for a one-text sender).

    .venv/bin/python bench/lure_fp.py                       # the corpora in bench/corpora
    .venv/bin/python bench/lure_fp.py --benign OTHER.jsonl  # a held-out corpus ({"text": ...})
    .venv/bin/python bench/lure_fp.py --benign-csv messages.csv --column CONTENT
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spycatcher.text.lures import LureMatcher  # noqa: E402

HERE = Path(__file__).resolve().parent


def _jsonl(path: Path) -> list[dict[str, object]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _csv(path: Path, column: str) -> list[dict[str, object]]:
    csv.field_size_limit(10_000_000)
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        rows = csv.DictReader(fh)
        return [{"text": row.get(column) or "", "gray": False} for row in rows]


def _synth_texts(net: Path) -> list[dict[str, object]]:
    """Distinct invitation notes and messages sent by genuine accounts of a synthetic network."""
    from spycatcher.io.records import read_events, read_profiles

    genuine = {p.id for p in read_profiles(net / "profiles.jsonl") if p.label == "genuine"}
    seen: set[str] = set()
    out: list[dict[str, object]] = []
    for e in read_events(net / "events.jsonl"):
        text = e.text
        if e.type in ("invitation", "message") and text and e.actor in genuine and text not in seen:
            seen.add(text)
            out.append({"text": text, "gray": False})
    return out


def _embeddings(
    benign: list[dict[str, object]],
    lures: list[dict[str, object]],
    paraphrases: list[dict[str, object]],
) -> dict[str, object]:
    """Best similarity to a known script per text; rates at the detector's threshold."""
    import numpy as np

    from spycatcher.text.embeddings import DEFAULT_THRESHOLD, ScriptSimilarity

    sim = ScriptSimilarity()
    plain = [str(r.get("text") or "") for r in benign if not r.get("gray")]
    t0 = time.perf_counter()
    b = sim.similarities(plain).max(axis=1)
    seconds = time.perf_counter() - t0
    lure_best = sim.similarities([str(r["text"]) for r in lures]).max(axis=1)
    para_best = sim.similarities([str(r["text"]) for r in paraphrases]).max(axis=1)
    thr = DEFAULT_THRESHOLD
    return {
        "embedding_threshold": thr,
        "embedding_false_positive_rate": round(float((b >= thr).mean()), 4),
        "embedding_benign_p99_similarity": round(float(np.quantile(b, 0.99)), 3),
        "embedding_lure_recall": round(float((lure_best >= thr).mean()), 4),
        "embedding_paraphrase_recall": round(float((para_best >= thr).mean()), 4),
        "embedding_sentences_per_second": round(len(plain) / max(seconds, 1e-9)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--benign", type=Path, default=HERE / "corpora" / "benign_messages.jsonl")
    ap.add_argument("--benign-csv", type=Path, default=None)
    ap.add_argument("--column", default="text")
    ap.add_argument(
        "--synth-net",
        type=Path,
        default=None,
        help="a spycatcher synth output: benign = texts sent by accounts labelled genuine",
    )
    ap.add_argument("--lures", type=Path, default=HERE / "corpora" / "lure_messages.jsonl")
    ap.add_argument("--paraphrases", type=Path, default=HERE / "corpora" / "lure_paraphrases.jsonl")
    ap.add_argument("--show", type=int, default=10, help="false positives to print")
    ap.add_argument(
        "--embeddings",
        action="store_true",
        help="also measure the semantic similarity to known scripts (spycatcher[embeddings])",
    )
    args = ap.parse_args()

    if args.synth_net is not None:
        if not (args.synth_net / "events.jsonl").exists():
            print(json.dumps({"skipped": f"{args.synth_net} has no events.jsonl"}))
            return
        benign = _synth_texts(args.synth_net)
    elif args.benign_csv is not None:
        if not args.benign_csv.exists():
            print(json.dumps({"skipped": f"{args.benign_csv} not found"}))
            return
        benign = _csv(args.benign_csv, args.column)
    else:
        if not args.benign.exists():
            print(json.dumps({"skipped": f"{args.benign} not found"}))
            return
        benign = _jsonl(args.benign)
    lures = _jsonl(args.lures) if args.lures.exists() else []

    matcher = LureMatcher(cache_size=0)  # no cache: measure real matching cost
    t0 = time.perf_counter()
    fps: list[tuple[str, list[str]]] = []
    gray_flagged = n_gray = n_plain = 0
    for row in benign:
        text = str(row.get("text") or "")
        hits = matcher.flagged(text)
        if row.get("gray"):
            n_gray += 1
            gray_flagged += bool(hits)
            continue
        n_plain += 1
        if hits:
            fps.append((text, [f"{h.category}:{h.text}" for h in hits]))
    t_benign = time.perf_counter() - t0

    t0 = time.perf_counter()
    found = cat_total = cat_found = 0
    misses: list[tuple[str, list[str]]] = []
    for row in lures:
        text = str(row["text"])
        cats = {h.category for h in matcher.flagged(text)}
        found += bool(cats)
        want = [str(c) for c in row.get("categories", [])]  # type: ignore[union-attr]
        cat_total += len(want)
        cat_found += sum(c in cats for c in want)
        if set(want) - cats:
            misses.append((text, sorted(set(want) - cats)))
    t_lures = time.perf_counter() - t0

    n_all = n_plain + len(lures)
    result = {
        "benign_messages": n_plain,
        "benign_flagged": len(fps),
        "false_positive_rate": round(len(fps) / n_plain, 4) if n_plain else None,
        "gray_messages": n_gray,
        "gray_flagged": gray_flagged,
        "lure_messages": len(lures),
        "lure_recall_any_flag": round(found / len(lures), 4) if lures else None,
        "lure_recall_per_category": round(cat_found / cat_total, 4) if cat_total else None,
        "texts_per_second": round(n_all / max(t_benign + t_lures, 1e-9)),
    }
    paraphrases = _jsonl(args.paraphrases) if args.paraphrases.exists() else []
    if paraphrases:
        result["paraphrases"] = len(paraphrases)
        result["paraphrase_recall_lexicon"] = round(
            sum(bool(matcher.flagged(str(r["text"]))) for r in paraphrases) / len(paraphrases), 4
        )
    if args.embeddings:
        result.update(_embeddings(benign, lures, paraphrases))
    print(json.dumps(result, indent=2))
    for text, hits in fps[: args.show]:
        print("FP:", hits, "|", text[:200])
    for text, missing in misses[: args.show]:
        print("MISS:", missing, "|", text[:200])


if __name__ == "__main__":
    main()
