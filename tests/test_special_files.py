"""Special files where rehab writes or reads: a FIFO, a device node, a link to one, a huge
file. --force replaces only regular files; nothing is ever opened that could block; a
template is read only from a regular file of sane size. And a killed export's temporary
files are cleaned up by the next export to the same place, never anything else."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Rehab, Result
from tests.test_not_ours import fingerprint, one_line

FORMATS = (("json", "x.json"), ("report", "x.html"), ("fhir", "x.fhir.json"), ("ics", "x.ics"))


@pytest.fixture
def patient(rehab: Rehab) -> Rehab:
    assert rehab("start", "heel-pain-self-care", "--side", "left").code == 0
    assert rehab("pain", "4").code == 0
    return rehab


def special_files(folder: Path) -> dict[str, Path]:
    """A FIFO and, where the kernel lets us, a copy of /dev/null's device node."""
    made = {"fifo": folder / "fifo"}
    os.mkfifo(made["fifo"])
    try:
        os.mknod(folder / "null", 0o600 | 0o020000, os.makedev(1, 3))
        made["device"] = folder / "null"
    except (PermissionError, OSError):
        pass
    link = folder / "link-to-fifo"
    link.symlink_to(made["fifo"])
    made["link"] = link
    return made


# --- 5. --force replaces only regular files ----------------------------------------------


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_force_never_replaces_a_fifo_or_a_device(
    patient: Rehab, tmp_path: Path, fmt: str, name: str
) -> None:
    places = special_files(tmp_path)
    before = {p: fingerprint(p) for p in places.values()}
    listing = sorted(tmp_path.iterdir())
    for kind, path in places.items():
        for force in ((), ("--force",)):
            result = patient("export", fmt, "--out", str(path), *force)
            one_line(result, 2)
            assert str(path) in result.err and "allowed:" in result.err, kind
            assert "FIFO" in result.err or "device" in result.err
    assert {p: fingerprint(p) for p in places.values()} == before
    assert sorted(tmp_path.iterdir()) == listing  # no temporary file either


def test_one_csv_table_never_replaces_a_fifo(patient: Rehab, tmp_path: Path) -> None:
    fifo = tmp_path / "pain.csv"
    os.mkfifo(fifo)
    before = fingerprint(fifo)
    result = patient("export", "csv", "--table", "pain", "--out", str(fifo), "--force")
    one_line(result, 2)
    assert fingerprint(fifo) == before


def test_a_csv_folder_is_never_a_fifo_and_never_holds_one_replaced(
    patient: Rehab, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = patient("export", "csv", "--out", str(fifo), "--force")
    one_line(result, 2)
    assert "FIFO" in result.err
    folder = tmp_path / "log"
    assert patient("export", "csv", "--out", str(folder)).code == 0
    (folder / "pain.csv").unlink()
    os.mkfifo(folder / "pain.csv")
    before = {p.name: fingerprint(p) for p in folder.iterdir()}
    result = patient("export", "csv", "--out", str(folder), "--force")
    one_line(result, 2)
    assert "pain.csv" in result.err and "FIFO" in result.err
    assert {p.name: fingerprint(p) for p in folder.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_force_to_dev_null_is_refused_before_any_file_is_made(
    patient: Rehab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real /dev/null, as root: nothing may even try to create or rename a file in /dev
    (these stubs stop the test before damage if it ever does)."""
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"tried to write: {args}")

    for module, name in ((tempfile, "mkstemp"), (os, "replace"), (os, "link")):
        monkeypatch.setattr(module, name, refuse)
    before = fingerprint(Path("/dev/null"))
    for fmt in ("json", "report"):
        result = patient("export", fmt, "--out", "/dev/null", "--force")
        one_line(result, 2)
        assert "character device" in result.err
    assert fingerprint(Path("/dev/null"))[:2] == before[:2]


def test_force_still_replaces_a_regular_file(patient: Rehab, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    out.write_text("old", encoding="utf-8")
    assert patient("export", "json", "--out", str(out), "--force").code == 0
    assert out.read_text(encoding="utf-8").startswith("{")


# --- 6. temporary files a killed export left -----------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_next_export_removes_only_its_own_stale_temporary_files(
    patient: Rehab, tmp_path: Path
) -> None:
    gone, alive = dead_pid(), os.getppid()
    stale = [
        tmp_path / f".x.json.rehab-{gone}-a1b2c3d4.part",
        tmp_path / f".x.json.rehab-{gone}-zz_9.part",
    ]
    for path in stale:
        path.write_text('{"health": "data"}', encoding="utf-8")
    stale_folder = tmp_path / f".log.rehab-{gone}-q1w2e3r4.part"
    stale_folder.mkdir(mode=0o700)
    (stale_folder / "doses.csv").write_text("half", encoding="utf-8")
    old_alive = tmp_path / f".x.json.rehab-{alive}-old00000.part"
    old_alive.write_text("{}", encoding="utf-8")
    os.utime(old_alive, (time.time() - 3 * 86400,) * 2)
    kept = {
        "live writer": tmp_path / f".x.json.rehab-{alive}-live0000.part",
        "other name": tmp_path / f".y.json.rehab-{gone}-a1b2c3d4.part",
        "old style": tmp_path / ".x.json.ab12cd34.part",
        "suffix": tmp_path / f".x.json.rehab-{gone}-a1b2c3d4.part.mine",
        "no dot": tmp_path / f"x.json.rehab-{gone}-a1b2c3d4.part",
        "fifo": tmp_path / f".x.json.rehab-{gone}-fifo0000.part",
        "link": tmp_path / f".x.json.rehab-{gone}-link0000.part",
        "folder with more": tmp_path / f".log.rehab-{gone}-more0000.part",
        "plain file, folder name": tmp_path / f".log.rehab-{gone}-file0000.part",
    }
    for kind, path in kept.items():
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "link":
            path.symlink_to(stale[0])
        elif kind == "folder with more":
            path.mkdir()
            (path / "thesis.txt").write_text("mine", encoding="utf-8")
        else:
            path.write_text("{}", encoding="utf-8")
    if os.geteuid() == 0:
        theirs = tmp_path / f".x.json.rehab-{gone}-theirs00.part"
        theirs.write_text("{}", encoding="utf-8")
        os.chown(theirs, 65534, 65534)
        kept["another user's"] = theirs
    before = {kind: fingerprint(path) for kind, path in kept.items() if kind != "folder with more"}

    assert patient("export", "json", "--out", str(tmp_path / "x.json")).code == 0
    assert patient("export", "csv", "--out", str(tmp_path / "log")).code == 0

    for path in [*stale, stale_folder, old_alive]:
        assert not os.path.lexists(path), path
    after = {kind: fingerprint(path) for kind, path in kept.items() if kind != "folder with more"}
    assert after == before
    assert (kept["folder with more"] / "thesis.txt").read_text(encoding="utf-8") == "mine"


# Writes an export through main() but stops half way: the test kills it there.
HALF_WAY = r"""
import os, sys, time
from rehab.export import jsondoc
real = jsondoc.export
def slow(session, scope, target):
    import rehab.export.files as files
    with files.open_text(target) as handle:
        handle.write("{" * 1000)
        handle.flush()
        print("writing", flush=True)
        time.sleep(120)
jsondoc.export = slow
from rehab.cli import main
main(sys.argv[1:])
"""


def test_a_killed_export_leaves_a_named_temporary_file_that_the_next_one_removes(
    patient: Rehab, tmp_path: Path
) -> None:
    out = tmp_path / "x.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HALF_WAY,
            "--db",
            str(patient.db),
            "export",
            "json",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "writing"
    finally:
        proc.kill()
        proc.wait(timeout=30)
    (left,) = [p for p in tmp_path.iterdir() if p.name.startswith(".x.json.")]
    assert left.name.startswith(f".x.json.rehab-{proc.pid}-") and left.name.endswith(".part")
    assert patient("export", "json", "--out", str(out)).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rehab.db", "x.json"]


# --- 7. templates are read only from regular files, up to a size ----------------------------


def limited(*args: str, env: dict[str, str] | None = None) -> Result:
    """`python -m rehab` with 1 GiB of address space and 60 s: a read without limit fails
    fast instead of taking the machine's memory."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    try:
        proc = subprocess.run(
            [sys.executable, "-m", "rehab", *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=60,
            preexec_fn=cap,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"rehab {' '.join(args)} hung")
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def user_programs(rehab_home: Path) -> Iterator[Path]:
    folder = rehab_home / "config" / "programs"
    folder.mkdir(parents=True)
    yield folder


def test_programs_check_refuses_a_device_or_fifo_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "f.toml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.toml"
    zero.symlink_to("/dev/zero")
    for path, kind in ((Path("/dev/zero"), "character device"), (fifo, "FIFO"),
                       (zero, "character device")):  # fmt: skip
        result = limited("programs", "check", str(path))
        one_line(result, 2)
        assert str(path) in result.err and kind in result.err and "1 MiB" in result.err


def test_programs_check_refuses_a_file_over_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"# padding\n" * 120_000)
    result = limited("programs", "check", str(big))
    one_line(result, 2)
    assert "1 MiB" in result.err and str(big) in result.err


def test_special_files_in_the_programs_folder_are_skipped_with_a_line_each(
    user_programs: Path, tmp_path: Path
) -> None:
    os.mkfifo(user_programs / "fifo.toml")
    (user_programs / "zero.toml").symlink_to("/dev/zero")
    (user_programs / "folder.toml").mkdir()
    (user_programs / "huge.toml").write_bytes(b"#" * (2 << 20))
    env = {"REHAB_HOME": str(user_programs.parent.parent)}
    listing = limited("programs", env=env)
    assert listing.code == 0, listing
    assert "heel-pain-self-care" in listing.out
    lines = listing.err.splitlines()
    assert len(lines) == 4, listing.err
    for name in ("fifo.toml", "zero.toml", "folder.toml", "huge.toml"):
        (line,) = [line for line in lines if name in line]
        assert line.startswith("rehab: skipped") and "allowed:" in line
    db = tmp_path / "x.db"
    started = limited("--db", str(db), "start", "heel-pain-self-care", "--side", "left", env=env)
    assert started.code == 0, started


def test_a_fifo_with_a_writer_waiting_is_not_read(tmp_path: Path) -> None:
    """Even a FIFO with a writer attached is not read: the check is on the file type."""
    fifo = tmp_path / "w.toml"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"exec 3>{fifo}; sleep 30"])
    try:
        result = limited("programs", "check", str(fifo))
        one_line(result, 2)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
