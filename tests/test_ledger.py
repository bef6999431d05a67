"""The main process holds a window of the corpus, not the corpus: what goes to disk reads back the same."""
import os
import random
from itertools import count
from pathlib import Path

import pytest

from newsspan import read
from newsspan.engine import windowed
from newsspan.incidents import sort_key
from newsspan.neardup import KEY_BYTES, candidate_groups
from newsspan.validate import ledger as ledger_mod
from newsspan.validate import validate_corpus
from newsspan.validate.ledger import Ledger, StoredDoc

from conftest import CORPUS

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _stored(doc_id: str, bands: bytes, split: str = "train", group: str | None = None) -> StoredDoc:
    return StoredDoc(doc_id, split, group, f"/c/annotations/{doc_id}.json", f"/c/raw/{doc_id}.txt",
                     f"annotations/{doc_id}.json", ("a" * 64, "b" * 64), 10, bands)


@pytest.mark.parametrize("seed", range(6))
def test_candidates_read_band_by_band_from_disk_are_those_of_the_keys_in_memory(seed, monkeypatch):
    monkeypatch.setattr(ledger_mod, "BLOCK", 7)  # several blocks, the last one partial
    rng = random.Random(seed)
    pool = [rng.getrandbits(64).to_bytes(KEY_BYTES, "little") for _ in range(6)]  # few values: many buckets
    keys = {f"doc-{i:03d}": b"".join(rng.choice(pool) for _ in range(5)) for i in range(rng.randint(0, 40))}
    ledger = Ledger()
    for doc_id in sorted(keys):
        ledger.add(_stored(doc_id, keys[doc_id]))
    ledger.seal()
    from newsspan.neardup import banded_candidates

    on_disk = banded_candidates(ledger.band_column, ledger.bands(), len(ledger), ledger.ids_at,
                                lambda d: ledger.get(d).bands)
    in_memory = candidate_groups(keys)
    assert on_disk.groups == in_memory.groups
    for _, group in in_memory.groups:
        assert on_disk.first_band(group[0], group[-1]) == in_memory.first_band(group[0], group[-1])
    ledger.close()


def test_the_ledger_answers_by_id_split_span_and_group_and_is_removed_when_closed():
    ledger = Ledger()
    docs = [_stored(f"d{i}", bytes(16), "test" if i % 3 else "train", "g" if i in (2, 5) else None) for i in range(10)]
    for doc in docs:
        ledger.add(doc)
    ledger.seal()
    with pytest.raises(RuntimeError):
        ledger.add(docs[0])
    assert len(ledger) == 10 and ledger.get("d4") == docs[4] and ledger.get("nope") is None
    assert list(ledger.ids()) == sorted(d.doc_id for d in docs)
    assert [d.doc_id for d in ledger.docs("train")] == sorted(d.doc_id for d in docs if d.split == "train")
    assert [d.doc_id for d in ledger.span("test", "d1", "d5")] == ["d1", "d2", "d4", "d5"]
    assert [d.doc_id for d in ledger.grouped()] == ["d2", "d5"] and all(d.bands == b"" for d in ledger.grouped())
    folder = Path(ledger.folder)
    assert folder.is_dir()
    ledger.close()
    assert not folder.exists()


def test_a_corpus_on_disk_reads_back_as_the_one_in_memory():
    on_disk = validate_corpus(CORPUS, keep_documents=False).documents
    in_memory = validate_corpus(CORPUS).documents
    assert list(on_disk) == list(in_memory) and len(on_disk) == len(in_memory)
    for doc_id in in_memory:
        assert doc_id in on_disk and on_disk[doc_id] == in_memory[doc_id]
    assert "no-such-doc" not in on_disk and 3 not in on_disk
    keep = frozenset(list(in_memory)[:2])
    narrowed = on_disk.narrowed(keep)
    assert list(narrowed) == sorted(keep) and len(narrowed) == 2
    assert [s.doc_id for s in narrowed.stored_docs()] == sorted(keep)
    with pytest.raises(KeyError):
        narrowed.stored(list(in_memory)[-1])


@pytest.mark.parametrize("root", sorted(p for p in (FIXTURES / "codes").iterdir() if p.is_dir())
                         + sorted(p for p in (FIXTURES / "hostile").iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_a_listing_sorted_on_disk_is_the_listing_in_memory(root, tmp_path):
    in_memory, on_disk = read.discover(root), read.discover(root, spill=str(tmp_path))
    assert list(on_disk.docs) == in_memory.docs and len(on_disk.docs) == len(in_memory.docs)
    assert list(on_disk.docs) == list(on_disk.docs)  # read again on each pass
    assert sorted(on_disk.incidents, key=sort_key) == sorted(in_memory.incidents, key=sort_key)
    # every id with a well-named file, each once, in sorted order
    stems = {os.path.splitext(name)[0] for folder in ("annotations", "raw") if (root / folder).is_dir()
             and not (root / folder).is_symlink() for name in os.listdir(root / folder) if not name.startswith(".")}
    expected = sorted(s for s in stems if read.SLUG.match(s) and s not in read.RESERVED_IDS)
    assert [d.doc_id for d in in_memory.docs] == expected


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


@pytest.mark.parametrize("in_flight", [1, 3])
def test_the_windowed_map_reads_its_items_a_window_at_a_time(in_flight):
    pulled = count()
    items = (next(pulled) for _ in range(50))
    submitted = []

    def submit(chunk):
        submitted.append(len(chunk))
        return _Done([x * 2 for x in chunk])

    results = windowed(submit, items, 4, in_flight)
    first = [next(results) for _ in range(5)]
    assert first == [0, 2, 4, 6, 8]
    # two chunks consumed, so in_flight more at most are submitted: never the whole input
    assert len(submitted) <= 2 + in_flight
    assert list(results) == [x * 2 for x in range(5, 50)] and sum(submitted) == 50
