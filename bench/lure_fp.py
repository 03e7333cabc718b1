"""Lure-message flags: false positives on benign messages, recall on lures, throughput.

A benign message counts as a false positive when any lure category is flagged in it (strong
hits, and weak hits corroborated by a strong hit of another category in the same text: exactly
what ``message.*`` signals fire on for a one-text sender). Every figure is given twice: for the
phrase lexicon alone (``lexicon_*``) and for the lexicon plus intents read by meaning
(:mod:`spycatcher.text.intents`), which is what the detectors use.

Corpora (bench/corpora): ``benign_messages.jsonl``, ``lure_messages.jsonl`` and
``lure_paraphrases.jsonl`` (25) were used to tune the lexicon and the intent rules;
``lure_paraphrases_heldout.jsonl`` (70 paraphrased lures in varied registers) and
``benign_hard_heldout.jsonl`` (202 genuine recruiter, event, consulting, academic, journalist and
colleague messages) were written and committed before the intent rules were tuned and are never
tuned on; ``*_heldout2.jsonl`` (40 lures, 50 hard benign) were written after the first tuning
round had been measured on set 1 and before the second: they are reported apart, as the honest
estimate. ``benign_hard_tuning.jsonl`` (60 hard benign messages, a later precision round) is tuned
on: measure it with ``--benign bench/corpora/benign_hard_tuning.jsonl``.

Session 8 added corpora written by authors who never saw the rules (each wrote from a brief of
kinds and registers alone): ``benign_ordinary_heldout.jsonl`` (500 messages in the mix of a
professional inbox) and ``lure_paraphrases_heldout3.jsonl`` (120 lures), measured before any change
of that session; ``benign_ordinary_tuning.jsonl`` (600) and ``lure_paraphrases_tuning2.jsonl``
(200), tuned on (``--benign ...``, ``--paraphrases ...``); and ``benign_ordinary_heldout2.jsonl``
(600), committed unread and measured once, after the changes. Every ``benign_*heldout*`` file is
reported with the upper end of its 95% interval: a few hundred messages cannot show a rate
below 1% with certainty.

    .venv/bin/python bench/lure_fp.py                       # the corpora in bench/corpora
    .venv/bin/python bench/lure_fp.py --benign OTHER.jsonl  # another benign corpus ({"text": ...})
    .venv/bin/python bench/lure_fp.py --benign-csv messages.csv --column CONTENT
    .venv/bin/python bench/lure_fp.py --synth-net NET       # texts of a synthetic network's genuine
    .venv/bin/python bench/lure_fp.py --show-heldout        # also print held-out misses and FPs
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
    ap.add_argument(
        "--heldout-paraphrases",
        type=Path,
        nargs="*",
        default=sorted((HERE / "corpora").glob("lure_paraphrases_heldout*.jsonl")),
    )
    ap.add_argument(
        "--heldout-benign",
        type=Path,
        nargs="*",
        default=sorted((HERE / "corpora").glob("benign_*heldout*.jsonl")),
        help="held-out benign sets (default: the hard ones and the ordinary one in bench/corpora)",
    )
    ap.add_argument("--show", type=int, default=10, help="false positives to print")
    ap.add_argument(
        "--show-heldout",
        action="store_true",
        help="print the held-out corpora's misses and false positives (to report, not to tune)",
    )
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

    full = LureMatcher(cache_size=0)  # no cache: measure real matching cost
    lexicon_only = LureMatcher(cache_size=0, use_intents=False)
    result: dict[str, object] = {}
    fps: list[tuple[str, list[str]]] = []
    misses: list[tuple[str, list[str]]] = []
    for prefix, matcher in (("lexicon_", lexicon_only), ("", full)):
        r, f, m = _measure(matcher, benign, lures)
        result.update({(prefix + k if prefix else k): v for k, v in r.items()})
        if not prefix:
            fps, misses = f, m
    cpu0 = time.process_time()
    paraphrase_sets = [("paraphrase", args.paraphrases)] + [
        (_set_name(p, "lure_paraphrases_"), p) for p in args.heldout_paraphrases
    ]
    for name, path in paraphrase_sets:
        rows = _jsonl(path) if path.exists() else []
        if not rows:
            continue
        result[name + "s" if name == "paraphrase" else name + "_paraphrases"] = len(rows)
        for prefix, matcher in (("lexicon_", lexicon_only), ("", full)):
            recall, per_cat, missed = _recall(matcher, rows)
            result[f"{prefix}{name}_recall"] = recall
            result[f"{prefix}{name}_recall_per_category"] = per_cat
            if name.startswith("heldout") and not prefix and args.show_heldout:
                for text, cats in missed:
                    print(f"{name.upper()} MISS:", cats, "|", text[:200])
    for path in args.heldout_benign:
        hard = _jsonl(path) if path.exists() else []
        if not hard:
            continue
        name = _benign_set_name(path)
        result[name] = len(hard)
        for prefix, matcher in (("lexicon_", lexicon_only), ("", full)):
            flagged = []
            for row in hard:
                text = str(row["text"])
                hits = [f"{h.category}:{h.text}" for h in matcher.flagged(text)]
                if hits:
                    flagged.append((text, hits))
            result[f"{prefix}{name}_flagged"] = len(flagged)
            result[f"{prefix}{name}_fp_rate"] = round(len(flagged) / len(hard), 4)
            result[f"{prefix}{name}_fp_rate_95pct_upper"] = round(
                wilson_upper(len(flagged), len(hard)), 4
            )
            if not prefix and args.show_heldout:
                for text, hits in flagged:
                    print(f"{name.upper()} FP:", hits, "|", text[:200])
    result["cpu_seconds_paraphrase_and_heldout"] = round(time.process_time() - cpu0, 2)
    if args.embeddings:
        paraphrases = _jsonl(args.paraphrases) if args.paraphrases.exists() else []
        result.update(_embeddings(benign, lures, paraphrases))
    print(json.dumps(result, indent=2))
    for text, hits in fps[: args.show]:
        print("FP:", hits, "|", text[:200])
    for text, missing in misses[: args.show]:
        print("MISS:", missing, "|", text[:200])


def _set_name(path: Path, prefix: str) -> str:
    """``lure_paraphrases_heldout2.jsonl`` -> ``heldout2``."""
    return path.stem.removeprefix(prefix)


def _benign_set_name(path: Path) -> str:
    """``benign_hard_heldout2.jsonl`` -> ``heldout2_hard_benign``; ``benign_ordinary_heldout``
    -> ``heldout_ordinary_benign`` (the key names earlier reports used for the hard sets)."""
    kind, _, rest = path.stem.removeprefix("benign_").partition("_")
    return f"{rest}_{kind}_benign"


def wilson_upper(k: int, n: int, z: float = 1.96) -> float:
    """Upper end of the Wilson 95% interval of a rate k/n: with a few hundred messages, zero or
    two false positives are compatible with a true rate near 1%, and the report should say so."""
    if n == 0:
        return 1.0
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5)
    return min(1.0, (centre + spread) / (1 + z * z / n))


def _measure(
    matcher: LureMatcher, benign: list[dict[str, object]], lures: list[dict[str, object]]
) -> tuple[dict[str, object], list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
    """False positives on the benign corpus, recall on the lure corpus, texts per second."""
    t0, c0 = time.perf_counter(), time.process_time()
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
    recall, per_cat, misses = _recall(matcher, lures)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n_all = n_plain + n_gray + len(lures)
    result: dict[str, object] = {
        "benign_messages": n_plain,
        "benign_flagged": len(fps),
        "false_positive_rate": round(len(fps) / n_plain, 4) if n_plain else None,
        "false_positive_rate_95pct_upper": round(wilson_upper(len(fps), n_plain), 4),
        "gray_messages": n_gray,
        "gray_flagged": gray_flagged,
        "lure_messages": len(lures),
        "lure_recall_any_flag": recall,
        "lure_recall_per_category": per_cat,
        "texts_per_second": round(n_all / max(wall, 1e-9)),
        "texts_per_cpu_second": round(n_all / max(cpu, 1e-9)),
        "cpu_seconds": round(cpu, 2),
    }
    return result, fps, misses


def _recall(
    matcher: LureMatcher, rows: list[dict[str, object]]
) -> tuple[float | None, float | None, list[tuple[str, list[str]]]]:
    """Share of texts flagged at all, share of labelled categories found, and the misses."""
    found = cat_total = cat_found = 0
    misses: list[tuple[str, list[str]]] = []
    for row in rows:
        text = str(row["text"])
        cats = {h.category for h in matcher.flagged(text)}
        found += bool(cats)
        labelled = row.get("categories")
        want = [str(c) for c in labelled] if isinstance(labelled, list) else []
        cat_total += len(want)
        cat_found += sum(c in cats for c in want)
        if set(want) - cats:
            misses.append((text, sorted(set(want) - cats)))
    if not rows:
        return None, None, misses
    return (
        round(found / len(rows), 4),
        round(cat_found / cat_total, 4) if cat_total else None,
        misses,
    )


if __name__ == "__main__":
    main()
