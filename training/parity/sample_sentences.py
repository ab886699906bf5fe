"""Sample varied sentences from the public data sets for the encoder parity check.

usage: /usr/bin/python3 training/parity/sample_sentences.py DATA_DIR OUT_FILE [--count 600]
Mixes Reddit comments, tweets, assistant requests and dialogue turns, short and long, seeded.
"""
import argparse
import csv
import random
from pathlib import Path


def sources(data: Path) -> dict[str, list[str]]:
    with (data / "goemotions/train.tsv").open() as f:
        goemotions = [row[0] for row in csv.reader(f, delimiter="\t") if row]
    with (data / "olid/olid-training-v1.0.tsv").open() as f:
        olid = [row[1] for row in list(csv.reader(f, delimiter="\t"))[1:] if len(row) > 1]
    with (data / "sgd/user_utterances.tsv").open() as f:
        sgd = [row[-1] for row in csv.reader(f, delimiter="\t") if row][1:]
    with (data / "kaggle_insults/train.csv").open() as f:
        kaggle = [row[2].strip('"').replace("\\n", " ") for row in list(csv.reader(f))[1:] if len(row) > 2]
    return {"goemotions": goemotions, "olid": olid, "sgd": sgd, "kaggle": kaggle}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=600)
    args = parser.parse_args()
    rng = random.Random(13)
    picked: list[str] = []
    pools = sources(args.data)
    for pool in pools.values():
        picked += rng.sample([s for s in pool if s.strip()], args.count // len(pools))
    args.out.write_text("\n".join(" ".join(s.split()) for s in picked) + "\n")
    print(f"wrote {len(picked)} sentences to {args.out}")


if __name__ == "__main__":
    main()
