"""A microphone for the recorder's tests that goes through the real stack: sounddevice -> PortAudio
-> ALSA -> a capture PCM of our own, defined in an ALSA configuration file that only this process
(and children given its environment) reads.

The PCM is ALSA's `file` plugin over its `null` plugin. On capture, `file` first reads from its
slave (null: instant, no clock of its own) and then replaces the samples with bytes read from
`infile` (raw, no header). Our `infile` is a file descriptor: one end of a local socket pair. The
other end is fed by a thread of ours at the device's own pace, 16,000 frames a second by the
monotonic clock, the way a sound card's crystal paces a real microphone. So:

- reads block until sound "arrives", and PortAudio calls back at the real rate;
- SO_RCVLOWAT on our end makes every read wait for the whole amount asked for, so PortAudio never
  gets half a period (a plain pipe hands back short reads, which PortAudio does not expect from
  ALSA and fills with stale samples);
- nobody reading means the sound is dropped after a short queue (an overrun), as on a real card,
  so a recording never starts with seconds of old sound;
- `pause()` stops the sound the way a stalled or unplugged USB microphone does on some systems:
  PortAudio's thread waits in the read and no more callbacks come.

What it cannot do: ALSA's `file` plugin turns a failed read into a short read PortAudio ignores,
so an *error* from the device (ENODEV on a real unplug) cannot be produced this way.

Run as a script (`python tests/ui/recorder_standin.py crash|diskfull FOLDER WORKDIR`) it records into
FOLDER from a stand-in of its own (its files in WORKDIR) in a process of its own: see `_child`.
"""

from __future__ import annotations

import array
import fcntl
import math
import os
import shutil
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
import wave
from pathlib import Path

import pytest

RATE = 16000
PERIOD_FRAMES = 160  # 10 ms: the stand-in's clock tick
QUEUE_LIMIT_S = 0.25  # unread sound beyond this is dropped; must be at least the largest read PortAudio asks for (one block)
SPEECH_TEXT = ("The patient has had a dry cough and fever for three days. "
               "Blood pressure one hundred and eighteen over seventy six. Paracetamol six fifty, three times a day.")


def speech_samples(workdir: Path) -> tuple[array.array, str]:
    """16 kHz mono int16 samples to feed: espeak-ng's voice (through sox to 16 kHz) when both are
    installed, otherwise a voiced, syllable-rhythm tone. Returns the samples and which it is."""
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak and sox:
        spoken, raw = workdir / "speech.wav", workdir / "speech16k.raw"
        subprocess.run([espeak, "-s", "150", "-w", str(spoken), SPEECH_TEXT], check=True, capture_output=True)
        subprocess.run([sox, str(spoken), "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", str(raw)],
                       check=True, capture_output=True)
        samples = array.array("h", raw.read_bytes())
        if sys.byteorder == "big":
            samples.byteswap()
        return samples, "speech (espeak-ng)"
    samples = array.array("h")
    for n in range(RATE * 4):
        t = n / RATE
        envelope = max(0.0, math.sin(2 * math.pi * 3 * t)) ** 2  # three "syllables" a second
        voice = sum(math.sin(2 * math.pi * 140 * k * t) / k for k in range(1, 6))
        samples.append(int(9000 * envelope * voice / 2.3))
    return samples, "a voiced tone (espeak-ng or sox is not installed)"


class StandInMicrophone:
    """Writes the ALSA configuration and feeds the socket. `sound` is looped with 0.25 s of
    silence between repeats. Use `environment()` for the variables a process needs to hear it."""

    def __init__(self, workdir: Path, sound: array.array) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        loop = array.array("h", sound)
        loop.extend([0] * (RATE // 4))
        if sys.byteorder == "big":
            loop.byteswap()
        self._loop = loop.tobytes()
        self._device_end, self._feed_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # Reads wait for all they asked for (the kernel caps the low-water mark at the read's size).
        self._device_end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 1 << 30)
        self._device_end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.config = self.workdir / "asound.conf"
        self.config.write_text(
            "# Nadi's test microphone: see tests/ui/recorder_standin.py\n"
            "pcm.!default {\n"
            "    type file\n"
            "    slave.pcm { type null }\n"
            '    file "/dev/null"\n'
            f"    infile {self._device_end.fileno()}\n"
            '    format "raw"\n'
            "}\n", encoding="utf-8")
        self.sent_frames = 0  # frames that left the feeder (queued or read)
        self.dropped_frames = 0  # frames nobody read in time
        self._position = 0
        self._running = threading.Event()
        self._running.set()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._feed, name="standin-microphone", daemon=True)
        self._thread.start()

    def environment(self) -> dict[str, str]:
        """ALSA reads this file instead of /usr/share/alsa/alsa.conf, so neither the system's cards
        nor anyone's ~/.asoundrc take part, and nothing outside this process changes."""
        return {"ALSA_CONFIG_PATH": str(self.config)}

    @property
    def loop_bytes(self) -> bytes:
        return self._loop

    def queued_frames(self) -> int:
        pending = struct.unpack("i", fcntl.ioctl(self._device_end.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]
        return pending // 2

    def read_frames(self) -> int:
        """Frames the device side has taken (PortAudio read them, or holds them)."""
        return self.sent_frames - self.queued_frames()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def close(self) -> None:
        self._closing.set()
        self._running.set()
        self._thread.join(5)
        self._feed_end.close()
        self._device_end.close()

    def _feed(self) -> None:
        chunk_bytes = PERIOD_FRAMES * 2
        limit = int(QUEUE_LIMIT_S * RATE)
        due = time.monotonic()
        while not self._closing.is_set():
            if not self._running.is_set():
                self._running.wait()
                due = time.monotonic()  # a paused clock does not owe the time it was stopped
                continue
            end = self._position + chunk_bytes
            chunk = self._loop[self._position:end]
            if len(chunk) < chunk_bytes:
                chunk += self._loop[:chunk_bytes - len(chunk)]
            self._position = end % len(self._loop)
            if self.queued_frames() + PERIOD_FRAMES > limit:
                self.dropped_frames += PERIOD_FRAMES
            else:
                self._feed_end.sendall(chunk)
                self.sent_frames += PERIOD_FRAMES
            due += PERIOD_FRAMES / RATE
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            elif wait < -0.2:
                due = time.monotonic()  # this process was starved; a real card would have overrun


def wav_samples(path: Path) -> tuple[int, int, int, array.array]:
    """(rate, channels, sample width, samples) of a WAV file, read with the standard library."""
    with wave.open(str(path), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return rate, channels, width, samples


def rms(samples) -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if len(samples) else 0.0


def _child(mode: str, folder: str, workdir: str) -> None:
    """A recording in a process of its own, from a stand-in of its own.

    crash: prints RECORDING <file> once two seconds are recorded, then waits to be killed.
    diskfull: the OS refuses to let any file of this process grow past 1.5 s of sound
    (RLIMIT_FSIZE; the write fails with EFBIG, as a full disk fails with ENOSPC); prints what the
    recorder said and kept, as JSON, and exits."""
    import json  # noqa: PLC0415
    import resource  # noqa: PLC0415
    import signal  # noqa: PLC0415

    samples, _ = speech_samples(Path(workdir))
    microphone = StandInMicrophone(Path(workdir), samples)
    os.environ.update(microphone.environment())  # before sounddevice is imported: ALSA reads it once
    from PySide6.QtCore import QCoreApplication  # noqa: PLC0415

    from desktop.consult.recorder import HEADER_BYTES, Recorder  # noqa: PLC0415

    app = QCoreApplication([])
    recorder = Recorder()
    if mode == "crash":
        def tick(seconds: int) -> None:
            if seconds >= 2:
                print("RECORDING", recorder.path, flush=True)

        recorder.elapsed.connect(tick)
    else:
        said = []
        recorder.failed.connect(said.append)

        def ended(path, words, problem) -> None:
            print(json.dumps({"path": str(path) if path else None, "words": words, "problem": problem, "failed": said}), flush=True)
            app.quit()

        recorder.ended.connect(ended)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG instead of the process being killed
        limit = HEADER_BYTES + 3 * RATE  # 1.5 s of 16-bit mono
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    recorder.start(Path(folder))
    app.exec()


if __name__ == "__main__":
    _child(*sys.argv[1:4])


def portaudio_missing() -> str | None:
    probe = subprocess.run([sys.executable, "-c", "import sounddevice"], capture_output=True, text=True)
    if probe.returncode == 0:
        return None
    return ("PortAudio cannot be loaded here (" + (probe.stderr.strip().splitlines() or ["?"])[-1] + "); "
            "install Debian's libportaudio2 (apt-get install libportaudio2) to run the recorder's tests")


@pytest.fixture(scope="module")
def microphone(tmp_path_factory):
    """The stand-in, heard by this process only: ALSA_CONFIG_PATH points ALSA at its file while the
    tests run, and PortAudio is restarted on both sides so it reads the configuration afresh."""
    missing = portaudio_missing()
    if missing:
        pytest.skip(missing)
    workdir = tmp_path_factory.mktemp("microphone")
    sound, what = speech_samples(workdir)
    standin = StandInMicrophone(workdir, sound)
    standin.source = what
    with pytest.MonkeyPatch.context() as patch:
        for name, value in standin.environment().items():
            patch.setenv(name, value)
        import sounddevice

        sounddevice._terminate()
        sounddevice._initialize()
        yield standin
    standin.close()
    from desktop.consult import recorder as recorder_module

    if not recorder_module._LIVE_STREAMS:
        sounddevice._terminate()
        sounddevice._initialize()
