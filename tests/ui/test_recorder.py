"""Recording the consult at the desk: through the real sounddevice -> PortAudio -> ALSA stack, from
a stand-in microphone (tests/ui/recorder_standin.py) that speaks at a real sound card's pace.
The recording is a WAV the scribe's speech step accepts, holds the sound the microphone gave,
without a gap or a repeat, and lasts as long as the sound it got; a recording cut short by a crash is
found and playable on the next start; and a PC that cannot record says why in plain words."""

from __future__ import annotations

import array
import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

if not sys.platform.startswith("linux"):
    pytest.skip("the stand-in microphone is an ALSA device (Linux)", allow_module_level=True)

from core.scribe.speech import check_recording  # noqa: E402
from desktop.consult import recorder as recorder_module  # noqa: E402
from desktop.consult.recorder import SAMPLE_RATE, Recorder, To16kMono, available, recover_leftovers  # noqa: E402
from tests.ui.recorder_standin import portaudio_missing, rms, wav_samples  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BLOCK = round(SAMPLE_RATE * recorder_module.BLOCK_SECONDS)  # frames PortAudio hands over at a time


def _is_excerpt(recorded: array.array, loop: bytes) -> bool:
    """The recording is one unbroken stretch of what the microphone played (which loops)."""
    data = recorded.tobytes()
    if not data:
        return False
    start = next((i for i in range(0, len(recorded) - 64) if max(recorded[i:i + 64]) - min(recorded[i:i + 64]) > 200), 0)
    probe = data[start * 2:start * 2 + 128]
    looped = loop * (len(data) // len(loop) + 3)
    at = looped.find(probe)
    while at != -1:
        if at % 2 == 0 and at >= start * 2 and looped[at - start * 2:at - start * 2 + len(data)] == data:
            return True
        at = looped.find(probe, at + 1)
    return False


def test_a_recording_runs_to_its_limit_and_is_a_wav_the_scribe_accepts(qtbot, microphone, tmp_path):
    recorder = Recorder(max_seconds=2)
    levels, seconds = [], []
    recorder.level.connect(levels.append)
    recorder.elapsed.connect(seconds.append)
    assert recorder.available() is None
    with qtbot.waitSignal(recorder.ended, timeout=10000) as ended:
        part = recorder.start(tmp_path / "recordings")
        assert part.name.endswith(".part.wav") and part.exists()
    path, words, problem = ended.args
    assert (problem, recorder.recording) == (False, False)
    assert "2-second limit" in words and "saved" in words
    assert not part.exists() and path.suffix == ".wav"
    assert check_recording(path) == path
    rate, channels, width, samples = wav_samples(path)
    assert (rate, channels, width) == (16000, 1, 2)
    assert len(samples) == 2 * SAMPLE_RATE  # exactly the limit: counted in frames, cut mid-block
    assert rms(samples) > 1000, f"the recording of {microphone.source} is near silent"
    assert _is_excerpt(samples, microphone.loop_bytes), "the recording has a gap, a repeat or noise the microphone never sent"
    assert seconds == [0, 1, 2]
    assert len(levels) >= 10 and all(0.0 <= level <= 1.0 for level in levels)
    assert max(levels) > 0.5  # speech moves the meter well up


def test_stop_keeps_all_the_sound_the_microphone_gave(qtbot, microphone, tmp_path):
    recorder = Recorder()
    before = microphone.read_frames()
    recorder.start(tmp_path)
    qtbot.waitUntil(lambda: recorder.frames >= SAMPLE_RATE, timeout=10000)
    path = recorder.stop()
    taken = microphone.read_frames() - before  # what the device side handed to PortAudio, counted at the socket
    _rate, _channels, _width, samples = wav_samples(path)
    assert check_recording(path) == path and not recorder.recording
    assert len(samples) == recorder.frames >= SAMPLE_RATE
    # Stopping lets PortAudio hand over the block it holds; measured: nothing is lost (0 frames in
    # 10 of 10 runs). One block of slack for a busy machine.
    assert 0 <= taken - len(samples) <= BLOCK, (taken, len(samples))
    assert _is_excerpt(samples, microphone.loop_bytes)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_microphone_set_by_name_is_used_or_said_to_be_missing(qtbot, microphone, tmp_path):
    assert available("Dictaphone") == ("The microphone set for Nadi ('Dictaphone') was not found: plug it in, or change the setting, "
                                       "then try again.")
    recorder = Recorder(device="default")  # the stand-in's ALSA name
    recorder.start(tmp_path)
    assert recorder.device_name == "default" and recorder.device_rate == SAMPLE_RATE
    qtbot.waitUntil(lambda: recorder.frames >= SAMPLE_RATE // 4, timeout=10000)
    assert check_recording(recorder.stop())


def test_cancel_leaves_no_file(qtbot, microphone, tmp_path):
    recorder = Recorder()
    recorder.start(tmp_path)
    qtbot.waitUntil(lambda: recorder.frames >= SAMPLE_RATE // 2, timeout=10000)
    recorder.cancel()
    assert not recorder.recording
    assert list(tmp_path.iterdir()) == []


def test_a_microphone_that_goes_silent_ends_the_recording_and_keeps_the_sound(qtbot, microphone, tmp_path):
    recorder = Recorder(stall_seconds=1.0)
    messages = []
    recorder.failed.connect(messages.append)
    recorder.start(tmp_path)
    qtbot.waitUntil(lambda: recorder.frames >= SAMPLE_RATE, timeout=10000)
    microphone.pause()  # PortAudio's thread now waits in the read, as for a USB microphone gone quiet
    try:
        with qtbot.waitSignal(recorder.ended, timeout=5000) as ended:
            pass
        path, words, problem = ended.args
        assert problem and messages == [words]
        assert "no sound has come from the microphone" in words and "is kept" in words
        assert check_recording(path) == path
        assert len(wav_samples(path)[3]) >= SAMPLE_RATE
    finally:
        microphone.resume()  # the device answers again, and the stream waiting on it closes
    qtbot.waitUntil(lambda: not recorder_module._LIVE_STREAMS, timeout=5000)
    recorder.start(tmp_path)  # Record again works once the microphone is back
    qtbot.waitUntil(lambda: recorder.frames >= SAMPLE_RATE // 4, timeout=10000)
    assert check_recording(recorder.stop())


def test_a_recording_cut_short_by_a_crash_is_found_and_playable(microphone, tmp_path):
    folder = tmp_path / "recordings"
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("recorder_standin.py")), "crash", str(folder), str(tmp_path)], cwd=ROOT,
                             env=os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()  # the child's own report that two seconds are on disk
        assert line.startswith("RECORDING"), child.stderr.read()[-2000:]
        part = Path(line.split(" ", 1)[1].strip())
        assert recover_leftovers(folder) == [] and part.exists()  # a live recording is not touched
    finally:
        child.kill()
        child.wait(10)
    found = recover_leftovers(folder)
    assert found == [part.with_name(part.name.replace(".part.wav", ".wav"))]
    assert check_recording(found[0]) == found[0]
    rate, channels, width, samples = wav_samples(found[0])
    assert (rate, channels, width) == (16000, 1, 2)
    assert len(samples) >= SAMPLE_RATE  # the header was kept in step each second before the kill
    assert rms(samples) > 1000
    assert recover_leftovers(folder) == []  # found once


def test_a_disk_that_refuses_more_ends_the_recording_and_keeps_what_fitted(microphone, tmp_path):
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("recorder_standin.py")), "diskfull", str(tmp_path / "recordings"), str(tmp_path)],
                          cwd=ROOT,
                          env=os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    told = json.loads(done.stdout.strip().splitlines()[-1])
    assert told["problem"] and told["failed"] == [told["words"]]
    assert "could not be written" in told["words"] and "File too large" in told["words"] and "is kept" in told["words"]
    path = Path(told["path"])
    assert check_recording(path) == path and path.suffix == ".wav"
    assert len(wav_samples(path)[3]) == 3 * SAMPLE_RATE // 2  # every frame that fitted, to the frame


def test_a_leftover_with_no_sound_is_cleared_away(tmp_path):
    (tmp_path / "consult-20250101-090000-abcd.part.wav").write_bytes(b"RIFF")  # died before the header was whole
    assert recover_leftovers(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def _available_in_child(code_before: str = "", wrap: list[str] | None = None, env: dict | None = None) -> str:
    script = textwrap.dedent(code_before) + "\nfrom desktop.consult.recorder import available\nprint(available())\n"
    done = subprocess.run([*(wrap or []), sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=(env or os.environ) | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_available_names_a_missing_portaudio_library(tmp_path):
    """As on a Linux PC without libportaudio2: the dynamic linker's cache is hidden from the child
    (a private mount namespace, root only), and PATH holds no compiler that could find it either."""
    unshare = shutil.which("unshare")
    if not unshare or os.geteuid() != 0 or subprocess.run([unshare, "--mount", "true"], capture_output=True).returncode != 0:
        pytest.skip("hiding a system library from one process needs root and unshare(1) (CI runs as root)")
    wrap = [unshare, "--mount", "--propagation", "private", "sh", "-c",
            'mount --bind /dev/null /etc/ld.so.cache && exec env PATH=/nonexistent "$@"', "sh"]
    said = _available_in_child(wrap=wrap)
    assert said.startswith("Recording needs the PortAudio sound library, which this PC does not have")
    assert "apt install libportaudio2" in said


def test_available_names_a_missing_sounddevice_package():
    said = _available_in_child("import sys\nsys.modules['sounddevice'] = None  # as if it were not installed\n")
    assert said.startswith("Recording needs the sounddevice package, which is missing")


def test_available_says_there_is_no_microphone(tmp_path):
    if portaudio_missing():
        pytest.skip(portaudio_missing())
    speakers_only = tmp_path / "asound.conf"  # a PC with sound out and no way in
    speakers_only.write_text("pcm.!default {\n    type asym\n    playback.pcm { type null }\n}\n")
    said = _available_in_child(env=os.environ | {"ALSA_CONFIG_PATH": str(speakers_only)})
    assert said == "No microphone was found on this PC: plug one in (or switch it on in the sound settings), then try again."


# -- bringing other devices' sound to 16 kHz mono (the part the stand-in, a 16 kHz device, skips)

def _tone(rate: int, seconds: float, hz: float, channels: int = 1, sign_right: int = 1) -> bytes:
    samples = array.array("h")
    for n in range(int(rate * seconds)):
        value = int(12000 * math.sin(2 * math.pi * hz * n / rate))
        samples.append(value)
        if channels == 2:
            samples.append(sign_right * value)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def _through(converter: To16kMono, raw: bytes, frame_bytes: int, block_frames: int = 1999) -> array.array:
    out = array.array("h")
    step = block_frames * frame_bytes  # odd-sized blocks: what is left of one must carry into the next
    for i in range(0, len(raw), step):
        out.extend(converter.convert(raw[i:i + step]))
    return out


def _crossings(samples) -> int:
    return sum(1 for a, b in zip(samples, samples[1:], strict=False) if (a < 0) != (b < 0))


@pytest.mark.parametrize("rate", [48000, 44100, 32000, 22050, 8000])
def test_other_rates_become_16k_with_the_pitch_and_loudness_kept(rate):
    out = _through(To16kMono(rate, 1), _tone(rate, 1.0, 440), 2)
    assert 0 <= SAMPLE_RATE - len(out) <= math.ceil(SAMPLE_RATE / rate)  # only the last input sample is held back
    assert abs(_crossings(out) - 880) <= 2  # 440 Hz is still 440 Hz
    assert abs(rms(out) - 12000 / math.sqrt(2)) < 0.03 * 12000 / math.sqrt(2)


def test_stereo_is_averaged_to_mono():
    assert abs(rms(_through(To16kMono(48000, 2), _tone(48000, 0.5, 300, 2), 4)) - 12000 / math.sqrt(2)) < 200
    assert rms(_through(To16kMono(48000, 2), _tone(48000, 0.5, 300, 2, sign_right=-1), 4)) < 2  # opposite channels cancel
