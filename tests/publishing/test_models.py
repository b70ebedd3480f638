"""The live model file: install, history and rollback are renames, fingerprints change."""

from __future__ import annotations

from pathlib import Path

from publishing.models import ModelRegistry


def _model(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_install_keeps_the_replaced_model_and_rollback_brings_it_back(tmp_path: Path) -> None:
    live = _model(tmp_path / "assistant.tar.gz", b"model one")
    registry = ModelRegistry(live, tmp_path / "history")
    first = registry.fingerprint()
    second = registry.install(_model(tmp_path / "candidate.tar.gz", b"model two"))
    assert second != first and live.read_bytes() == b"model two"
    assert [v.fingerprint for v in registry.history()] == [first]
    assert registry.rollback() == first
    assert live.read_bytes() == b"model one"
    assert registry.rollback() == second  # a rollback can itself be undone


def test_rollback_without_history_changes_nothing(tmp_path: Path) -> None:
    live = _model(tmp_path / "assistant.tar.gz", b"only model")
    registry = ModelRegistry(live, tmp_path / "history")
    assert registry.rollback() is None
    assert live.read_bytes() == b"only model"


def test_history_is_pruned_to_the_newest(tmp_path: Path) -> None:
    live = _model(tmp_path / "assistant.tar.gz", b"0")
    registry = ModelRegistry(live, tmp_path / "history", keep=2)
    for number in range(1, 5):
        registry.install(_model(tmp_path / "candidate.tar.gz", str(number).encode()))
    assert len(registry.history()) == 2


def test_no_model_has_no_fingerprint(tmp_path: Path) -> None:
    assert ModelRegistry(tmp_path / "missing.tar.gz", tmp_path / "history").fingerprint() is None
