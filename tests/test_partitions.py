"""Cutting inputs into partitions, and telling when they are too small to share out."""

from scraper.partitions import partitions, under


def test_under_counts_every_file_below_a_folder_and_stops_at_the_size(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / "one.txt").write_bytes(b"x" * 300)
    (tmp_path / "a" / "deep" / "two.jsonl").write_bytes(b"y" * 300)
    single = tmp_path / "single.txt"
    single.write_bytes(b"z" * 100)
    assert under([str(tmp_path / "a")], 601)
    assert not under([str(tmp_path / "a")], 600)  # nested files count
    assert under([str(single)], 101) and not under([str(single)], 100)
    assert not under([str(tmp_path / "a"), str(single)], 700)
    assert under([str(tmp_path / "missing.txt")], 1)  # read later, and reported then


def test_under_does_not_follow_a_link_back_into_its_folder(tmp_path):
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "again").symlink_to(tmp_path / "loop", target_is_directory=True)
    (tmp_path / "loop" / "a.txt").write_bytes(b"x" * 10)
    assert under([str(tmp_path / "loop")], 1 << 20)


def test_partitions_keep_input_order_and_cut_a_jsonl_file_into_ranges(tmp_path):
    first = tmp_path / "first.txt"
    first.write_text("Judul\n\nIsi.\n")
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(b'{"text": "isi"}\n' * 100)  # 1,600 bytes: four ranges of 512
    cut = list(partitions([str(first), str(dump)], tmp_path / "out", 512))
    assert [piece.name for piece in cut[0]] == [str(first)]
    assert [len(p) for p in cut[1:]] == [1, 1, 1, 1]
    assert all(p[0].name == str(dump) for p in cut[1:])
