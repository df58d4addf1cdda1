"""The repository's text holds no invisible bidirectional controls (bandit B613,
"Trojan Source"): such a character makes code or a template read differently
on screen from what Python or Django executes. Write them as escapes."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# U+202A–U+202E: embeddings and overrides; U+2066–U+2069: isolates.
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
SUFFIXES = (".py", ".html", ".txt")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", *(f"*{suffix}" for suffix in SUFFIXES)],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def bidi_controls_in(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        for char in sorted(set(line) & BIDI_CONTROLS):
            found.append(f"{path.relative_to(root)}:{number}: U+{ord(char):04X}")
    return found


def test_the_scan_sees_the_repository_and_catches_a_control(tmp_path):
    files = tracked_text_files()
    assert ROOT / "workinggroups" / "sniffing.py" in files
    assert any(path.suffix == ".html" for path in files)
    planted = tmp_path / "planted.txt"
    planted.write_text("harmless\nreport\u2067fdp.exe \u202a\n", encoding="utf-8")
    assert bidi_controls_in(planted, root=tmp_path) == ["planted.txt:2: U+202A", "planted.txt:2: U+2067"]


def test_no_tracked_source_or_template_holds_a_bidi_control():
    found = [hit for path in tracked_text_files() for hit in bidi_controls_in(path)]

    assert found == [], "write these as escapes (\\u202e) or rephrase:\n" + "\n".join(found)
