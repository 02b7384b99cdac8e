"""Recording the consult from this PC's microphone, for the scribe: a WAV file whisper reads as it
is (16 kHz, mono, 16-bit PCM).

Sound reaches the disk as it comes, so a crash or a power cut loses seconds, not the consult. The
file is `consult-<date>-<time>-<random>.part.wav` in the folder given (the data directory's
`recordings/`); its header is rewritten every second and the file is flushed to the disk every five.
`stop()` fixes the header, names the file `.wav` and returns it; `cancel()` deletes it. On the next
start, `recover_leftovers()` finds a `.part.wav` no process is writing, sets its header from its
length and names it `.wav`.

Threads. PortAudio calls back on its own thread with each block of sound; the callback copies the
block into a queue and returns, as anything slow or failing there would break the stream. A writer
thread turns blocks into 16 kHz mono and writes them. What the desk needs to hear (level, elapsed
time, the end) crosses to the Recorder's thread through queued Qt signals, so every public signal
is emitted on the thread the Recorder lives on (the UI thread).

A device that cannot record at 16 kHz is recorded at its default rate and brought to 16 kHz here:
by averaging each group of samples when its rate is a whole multiple (32, 48, 96 kHz), otherwise
by linear interpolation (44.1 kHz). No low-pass filter comes first: speech has little above 8 kHz,
and whisper is not thrown by the faint aliasing. A device that records only in stereo is averaged
to mono.

sounddevice (PortAudio through cffi) is imported only when asked for, so a PC without PortAudio
runs the rest of Nadi as before and `available()` says what is missing.
"""

from __future__ import annotations

import array
import errno
import logging
import math
import os
import queue
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from core.errors import NadiError

log = logging.getLogger("nadi.desktop")

SAMPLE_RATE = 16000  # what whisper reads
FOLDER_NAME = "recordings"  # under the data directory
MAX_SECONDS = 60 * 60  # a consult longer than an hour is a recording left running
STALL_SECONDS = 3.0  # no sound for this long while recording: the microphone is gone
BLOCK_SECONDS = 0.04  # PortAudio's block: small enough for a lively meter, large enough for Python
LEVEL_EVERY_S = 0.1  # the meter moves ten times a second
HEADER_EVERY_S = 1.0
SYNC_EVERY_S = 5.0
CLOSE_WAIT_S = 0.5  # a device that stopped answering must not hold the desk longer (a live one lets go within a block)
PREFIX = "consult-"
PART_SUFFIX = ".part.wav"
HEADER_BYTES = 44

# Streams opened and not yet closed. A device that stopped answering keeps its stream here until it
# lets go; PortAudio is not restarted (to look for a newly plugged microphone) while any is open.
_LIVE_STREAMS: set[object] = set()
_ACTIVE_PARTS: set[Path] = set()  # files this process is writing


class RecorderError(NadiError):
    """Recording cannot start or finish; the message says why and what to do."""


# -- what this PC can do ------------------------------------------------------------------------

def available(device: str | int | None = None) -> str | None:
    """None when recording can start, otherwise why not, in plain words: the sounddevice package
    is missing, the PortAudio library is missing, or there is no microphone (or not the one set)."""
    try:
        _input_device(_import_sounddevice(), device)
    except RecorderError as exc:
        return str(exc)
    return None


def _import_sounddevice():
    try:
        import sounddevice  # noqa: PLC0415 - loads PortAudio; only when recording is wanted
    except ImportError:
        raise RecorderError("Recording needs the sounddevice package, which is missing from this installation of Nadi: "
                            "IT can reinstall Nadi. Until then, transcribe a recording made elsewhere.") from None
    except OSError:
        # sounddevice raises OSError when it cannot find or load the PortAudio library.
        if sys.platform.startswith("linux"):
            raise RecorderError("Recording needs the PortAudio sound library, which this PC does not have: IT can install it "
                                "(on Debian or Ubuntu: sudo apt install libportaudio2), then restart Nadi.") from None
        raise RecorderError("Recording needs the PortAudio sound library, which is missing from this installation of Nadi: "
                            "IT can reinstall Nadi.") from None
    except Exception as exc:  # noqa: BLE001 - PortAudio failing to start is said, not raised at the desk
        raise RecorderError(f"The sound system of this PC could not be started ({exc}): restart Nadi; if it happens again, tell IT.") from None
    return sounddevice


def _input_device(sd, device: str | int | None) -> dict:
    """The input device's description from PortAudio. PortAudio lists devices once, when it starts;
    if the one wanted is not in that list, it is started afresh (once) so a microphone plugged in
    after Nadi opened is found."""
    for attempt in (1, 2):
        try:
            return sd.query_devices(device, kind="input")
        except ValueError as exc:
            if str(exc).startswith("Multiple"):  # a name that fits two devices (sounddevice matches parts of names)
                raise RecorderError(f"More than one microphone fits the name set for Nadi ({device!r}): "
                                    "set more of its name, then try again.") from None
            if attempt == 2 or not _restart_portaudio(sd):
                break
        except sd.PortAudioError:
            if attempt == 2 or not _restart_portaudio(sd):
                break
    if device is None or device == "":
        raise RecorderError("No microphone was found on this PC: plug one in (or switch it on in the sound settings), then try again.")
    raise RecorderError(f"The microphone set for Nadi ({device!r}) was not found: plug it in, or change the setting, then try again.")


def _restart_portaudio(sd) -> bool:
    if _LIVE_STREAMS:
        return False
    try:
        if getattr(sd, "_initialized", 0):
            sd._terminate()  # the maintainers' way to see devices plugged in since (python-sounddevice #125)
        sd._initialize()
    except Exception:  # noqa: BLE001 - then there is still no device, which is what the caller says
        log.warning("restarting PortAudio to look for microphones failed", exc_info=True)
        return False
    return True


def _choose_format(sd, info: dict) -> tuple[int, int]:
    """(rate, channels) to open the device with: 16 kHz mono when it can, else its own rate."""
    own_rate = int(round(info.get("default_samplerate") or 0)) or 48000
    tries = [(SAMPLE_RATE, 1), (own_rate, 1)]
    if info.get("max_input_channels", 1) >= 2:
        tries.append((own_rate, 2))
    for rate, channels in dict.fromkeys(tries):
        try:
            sd.check_input_settings(device=info["index"], channels=channels, dtype="int16", samplerate=rate)
        except (ValueError, sd.PortAudioError):
            continue
        return rate, channels
    raise RecorderError(f"The microphone ({info.get('name', 'unnamed')}) cannot record at {own_rate} Hz or 16 kHz in 16-bit sound: "
                        "choose another microphone in the sound settings, then try again.")


# -- the file ------------------------------------------------------------------------------------

def _header(data_bytes: int) -> bytes:
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, 1,
                       SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16, b"data", data_bytes)


def _finished_name(part: Path) -> Path:
    return part.with_name(part.name[: -len(PART_SUFFIX)] + ".wav")


class _WavFile:
    """A 16 kHz mono 16-bit WAV written as it comes. On POSIX the writer holds an exclusive lock on
    it, so `recover_leftovers` can tell a live recording from one a crash left behind (the lock
    goes with the process, however it ends). Windows refuses to rename a file another process
    has open, which tells the same thing there."""

    def __init__(self, folder: Path) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        # mkstemp: a name no other recording has, and a file only this user can read (it is a consult).
        handle, name = tempfile.mkstemp(prefix=f"{PREFIX}{stamp}-", suffix=PART_SUFFIX, dir=folder)
        self.path = Path(name)
        # Unbuffered: what write() accepted is with the OS (it survives the process), and after a
        # failed write (disk full) no stuck buffer stands between us and fixing the header.
        self._file = os.fdopen(handle, "r+b", buffering=0)
        if os.name == "posix":
            import fcntl  # noqa: PLC0415 - POSIX only

            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.data_bytes = 0
        self._file.write(_header(0))

    @property
    def frames(self) -> int:
        return self.data_bytes // 2

    def write(self, samples: array.array) -> None:
        if sys.byteorder == "big":
            samples = array.array("h", samples)
            samples.byteswap()
        rest = memoryview(samples.tobytes())
        while rest:
            written = self._file.write(rest)  # a full disk takes part of a block, then refuses with the reason
            if not written:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.data_bytes += written
            rest = rest[written:]

    def update_header(self) -> None:
        self._file.seek(0)
        self._file.write(_header(self.frames * 2))  # a half sample cut off by a full disk is left out
        self._file.seek(0, os.SEEK_END)

    def sync(self) -> None:
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            self.update_header()
            self.sync()
        finally:
            self._file.close()


def _in_use(part: Path) -> bool:
    if os.name != "posix":
        return False
    import fcntl  # noqa: PLC0415 - POSIX only

    try:
        with open(part, "rb") as probe:
            fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
    except OSError:  # BlockingIOError: another process holds it; anything else: leave it alone
        return True
    return False


def _repair(path: Path) -> int:
    """Set the header from the file's length; the number of frames it holds."""
    size = path.stat().st_size
    if size < HEADER_BYTES:
        return 0
    data = size - HEADER_BYTES
    with open(path, "r+b") as wav:
        if data % 2:  # the crash came mid-sample
            data -= 1
            wav.truncate(HEADER_BYTES + data)
        wav.write(_header(data))
        wav.flush()
        os.fsync(wav.fileno())
    return data // 2


def recover_leftovers(folder: str | os.PathLike) -> list[Path]:
    """Recordings a crash or a power cut left unfinished in `folder`, made into complete WAV files
    (named .wav, header set from their length), oldest first. Ones that hold no sound are deleted;
    ones a running recorder is still writing are left alone."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for part in sorted(folder.glob(f"{PREFIX}*{PART_SUFFIX}")):
        if part in _ACTIVE_PARTS or _in_use(part):
            continue
        final = _finished_name(part)
        try:
            os.replace(part, final)
            frames = _repair(final)
            if not frames:
                final.unlink()
                continue
        except OSError as exc:
            log.warning("a leftover recording %s could not be finished: %s", part.name, exc)
            continue
        log.info("finished a recording left by a crash: %s (%.1f s)", final.name, frames / SAMPLE_RATE)
        found.append(final)
    return found


# -- sound to 16 kHz mono ------------------------------------------------------------------------

class To16kMono:
    """Blocks of int16 samples at the device's rate and channels, to 16 kHz mono, across block
    boundaries (what is left of one block is carried into the next)."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate, self.channels = rate, channels
        self._carry = array.array("h")
        self._position = 0  # the next output sample's place in `_carry + block`, in 1/16000ths of an input sample

    def convert(self, raw: bytes) -> array.array:
        samples = array.array("h")
        samples.frombytes(raw[: len(raw) - len(raw) % 2])
        if sys.byteorder == "big":
            samples.byteswap()
        if self.channels > 1:
            n = self.channels
            samples = array.array("h", (sum(samples[i:i + n]) // n for i in range(0, len(samples) - n + 1, n)))
        if self.rate == SAMPLE_RATE:
            return samples
        if self.rate % SAMPLE_RATE == 0:
            return self._average(samples, self.rate // SAMPLE_RATE)
        return self._interpolate(samples)

    def _average(self, samples: array.array, k: int) -> array.array:
        data = self._carry + samples
        whole = len(data) - len(data) % k
        out = array.array("h", ((sum(data[i:i + k]) + k // 2) // k for i in range(0, whole, k)))
        self._carry = data[whole:]
        return out

    def _interpolate(self, samples: array.array) -> array.array:
        data = self._carry + samples
        out = array.array("h")
        if not data:
            return out
        position, last = self._position, (len(data) - 1) * SAMPLE_RATE
        while position < last:
            i, fraction = divmod(position, SAMPLE_RATE)
            a, b = data[i], data[i + 1]
            out.append(a + (b - a) * fraction // SAMPLE_RATE)
            position += self.rate
        used = len(data) - 1  # the last sample is needed to reach past it next time
        self._carry = data[used:]
        self._position = position - used * SAMPLE_RATE
        return out


def level_of(samples) -> float:
    """0..1 for a meter: the block's RMS on a 60 dB scale (-60 dBFS and quieter is 0, full scale is 1)."""
    if not len(samples):
        return 0.0
    mean_square = sum(s * s for s in samples) / len(samples)
    if mean_square < 1.0:
        return 0.0
    decibels = 10 * math.log10(mean_square / (32768.0 * 32768.0))
    return min(1.0, max(0.0, (decibels + 60.0) / 60.0))


# -- one recording -------------------------------------------------------------------------------

class _Bridge(QObject):
    """Carries news from the writer and PortAudio threads to the Recorder's thread. Owned by the
    session (not by a widget), so it is alive whenever a thread emits on it."""

    progress = Signal(object, int, float)  # session, frames written, loudest level since the last
    limit = Signal(object)  # session: the length limit was reached and the writer stopped writing
    write_failed = Signal(object, str)  # session, OS error in words
    device_gone = Signal(object)  # session: PortAudio ended the stream without being asked


class _Session:
    def __init__(self, wav: _WavFile, converter: To16kMono, max_frames: int) -> None:
        self.wav, self.converter, self.max_frames = wav, converter, max_frames
        self.bridge = _Bridge()
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.last_audio = time.monotonic()
        self.accepting = True
        self.closing = False
        self.overflows = 0
        self.stream = None
        self.writer = threading.Thread(target=self._write, name="nadi-recorder-writer", daemon=True)

    # PortAudio's thread: copy and return; an exception here would abort the stream.
    def audio(self, indata, frames, time_info, status) -> None:
        try:
            self.last_audio = time.monotonic()
            if status.input_overflow:
                self.overflows += 1
            if self.accepting:
                self.queue.put(bytes(indata))
        except Exception:  # noqa: BLE001
            pass

    def stream_finished(self) -> None:
        if not self.closing:
            self.bridge.device_gone.emit(self)

    def _write(self) -> None:
        now = time.monotonic()
        level_at = header_at = sync_at = now
        loudest, at_limit = 0.0, False
        try:
            while True:
                try:
                    block = self.queue.get(timeout=0.25)
                except queue.Empty:
                    block = b""
                if block is None:
                    break
                if block and not at_limit:
                    samples = self.converter.convert(block)
                    room = self.max_frames - self.wav.frames
                    if len(samples) >= room:
                        samples, at_limit = samples[:room], True
                    self.wav.write(samples)
                    loudest = max(loudest, level_of(samples))
                now = time.monotonic()
                if now - level_at >= LEVEL_EVERY_S or at_limit:
                    self.bridge.progress.emit(self, self.wav.frames, loudest)
                    loudest, level_at = 0.0, now
                if now - header_at >= HEADER_EVERY_S:
                    self.wav.update_header()
                    header_at = now
                if now - sync_at >= SYNC_EVERY_S:
                    self.wav.sync()
                    sync_at = now
                if at_limit and self.accepting:
                    self.accepting = False
                    self.bridge.limit.emit(self)
        except OSError as exc:
            self.accepting = False
            self.bridge.write_failed.emit(self, exc.strerror or str(exc))
        finally:
            try:
                self.wav.close()
            except OSError:
                log.warning("closing the recording %s failed", self.wav.path.name, exc_info=True)


def _close_stream(stream) -> bool:
    """Stop and close a stream without letting a device that stopped answering hold the desk:
    PortAudio waits for the device's next block, which may never come. True when it closed."""
    def close() -> None:
        try:
            stream.stop(ignore_errors=True)
            stream.close(ignore_errors=True)
        except Exception:  # noqa: BLE001 - closing is best effort; the file is already safe
            log.warning("closing the microphone's stream failed", exc_info=True)
        finally:
            _LIVE_STREAMS.discard(stream)

    closer = threading.Thread(target=close, name="nadi-recorder-close", daemon=True)
    closer.start()
    closer.join(CLOSE_WAIT_S)
    if closer.is_alive():
        log.warning("the microphone did not let go within %.1f s; it will be closed when it answers", CLOSE_WAIT_S)
        return False
    return True


def _clock(frames: int) -> str:
    seconds = frames // SAMPLE_RATE
    return f"{seconds // 60}:{seconds % 60:02d}"


class Recorder(QObject):
    """Records the default input device (or `device`: a PortAudio device number, or part of its
    name) to a 16 kHz mono WAV file. One recording at a time; see the module's docstring.

    Signals, all on the Recorder's thread:
    - level(float): 0..1 for a meter, about ten times a second (the loudest block since the last).
    - elapsed(int): whole seconds recorded, counted from the sound itself; 0 at start.
    - failed(str): a problem ended the recording (the microphone went silent or away, the disk
      refused the file); the words say so, and whether what was recorded is kept. `ended` follows.
    - ended(object, str, bool): the recording ended without stop() or cancel() being called: at the
      length limit or after `failed`. (the finished WAV's Path, or None when nothing was kept;
      the words to show; True when a problem ended it.)
    """

    level = Signal(float)
    elapsed = Signal(int)
    failed = Signal(str)
    ended = Signal(object, str, bool)

    def __init__(self, device: str | int | None = None, *, max_seconds: float = MAX_SECONDS,
                 stall_seconds: float = STALL_SECONDS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device = device if device != "" else None
        self.max_seconds = max_seconds
        self.stall_seconds = stall_seconds
        self.device_name: str | None = None
        self.device_rate: int | None = None
        self._session: _Session | None = None
        self._frames = 0
        self._second = -1
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(250)
        self._watchdog.timeout.connect(self._check_sound_arrives)

    # -- state

    @property
    def recording(self) -> bool:
        return self._session is not None

    @property
    def path(self) -> Path | None:
        """The file being written (a .part.wav), while recording."""
        return self._session.wav.path if self._session else None

    @property
    def frames(self) -> int:
        """16 kHz frames recorded so far (in this recording, or the last one)."""
        return self._frames

    def available(self) -> str | None:
        return available(self.device)

    # -- start, stop, cancel

    def start(self, folder: str | os.PathLike) -> Path:
        """Start recording into `folder` (made if missing); the .part.wav being written."""
        if self._session is not None:
            raise RecorderError("Already recording: stop this recording first.")
        sd = _import_sounddevice()
        info = _input_device(sd, self.device)
        rate, channels = _choose_format(sd, info)
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            wav = _WavFile(folder)
        except OSError as exc:
            raise RecorderError(f"Recordings cannot be saved in {folder} ({exc.strerror or exc}): tell IT.") from None
        session = _Session(wav, To16kMono(rate, channels), max(1, int(self.max_seconds * SAMPLE_RATE)))
        bridge, queued = session.bridge, Qt.ConnectionType.QueuedConnection
        bridge.progress.connect(self._on_progress, queued)
        bridge.limit.connect(self._on_limit, queued)
        bridge.write_failed.connect(self._on_write_failed, queued)
        bridge.device_gone.connect(self._on_device_gone, queued)
        _ACTIVE_PARTS.add(wav.path)
        try:
            session.stream = sd.RawInputStream(
                samplerate=rate, blocksize=max(1, round(rate * BLOCK_SECONDS)), device=info["index"], channels=channels,
                dtype="int16", callback=session.audio, finished_callback=session.stream_finished)
            _LIVE_STREAMS.add(session.stream)
            session.writer.start()
            session.stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudio's refusal, said as what to do
            self._wind_up(session, keep=False)
            name = info.get("name", "the microphone")
            raise RecorderError(f"The microphone ({name}) could not be opened ({exc}): another program may be using it. "
                                "Close that program, then try again.") from None
        self._session = session
        self._frames, self._second = 0, 0
        self.device_name, self.device_rate = info.get("name"), rate
        log.info("recording from %s at %d Hz, %d channel(s) into %s", self.device_name, rate, channels, wav.path.name)
        self._watchdog.start()
        self.elapsed.emit(0)
        return wav.path

    def stop(self) -> Path:
        """Stop, finish the file and return it (a .wav with everything recorded)."""
        session = self._take_session()
        if session is None:
            raise RecorderError("Nothing is being recorded.")
        path = self._wind_up(session, keep=True)
        if path is None:
            raise RecorderError("Nothing was recorded: no sound came from the microphone. Check it is plugged in and not muted, then try again.")
        return path

    def cancel(self) -> None:
        """Stop and delete what was recorded."""
        session = self._take_session()
        if session is not None:
            self._wind_up(session, keep=False)

    # -- the end

    def _take_session(self) -> _Session | None:
        session, self._session = self._session, None
        self._watchdog.stop()
        if session is not None:
            session.closing = True  # from here the stream's end is ours, not the device's
        return session

    def _wind_up(self, session: _Session, *, keep: bool) -> Path | None:
        """Close the stream, let the writer finish the file, and keep or delete it."""
        session.closing = True
        if session.stream is not None:
            _close_stream(session.stream)
        session.accepting = False
        if session.writer.is_alive():
            session.queue.put(None)
            session.writer.join()
        else:
            session.wav.close()
        _ACTIVE_PARTS.discard(session.wav.path)
        frames = session.wav.frames
        self._frames = frames
        if session.overflows:
            log.warning("the recording lost sound %d time(s): the PC was too busy to take it", session.overflows)
        part = session.wav.path
        if not keep or frames == 0:
            part.unlink(missing_ok=True)
            return None
        final = _finished_name(part)
        try:
            os.replace(part, final)
        except OSError as exc:  # the sound is safe under its working name; recover_leftovers finishes it later
            log.warning("the recording %s could not be renamed: %s", part.name, exc)
            return part
        log.info("recorded %s (%.1f s)", final.name, frames / SAMPLE_RATE)
        return final

    def _end_by_itself(self, session: _Session, words: str, problem: bool) -> None:
        if session is not self._session:
            return
        self._take_session()
        path = self._wind_up(session, keep=True)
        if problem:
            kept = (f" What was recorded ({_clock(self._frames)}) is kept and can be transcribed." if path
                    else " Nothing had been recorded.")
            words += kept
            self.failed.emit(words)
        self.ended.emit(path, words, problem)

    # -- news from the threads (queued, so on this thread)

    def _on_progress(self, session: _Session, frames: int, loudest: float) -> None:
        if session is not self._session:
            return
        self._frames = frames
        self.level.emit(loudest)
        second = frames // SAMPLE_RATE
        if second != self._second:
            self._second = second
            self.elapsed.emit(second)

    def _on_limit(self, session: _Session) -> None:
        minutes = self.max_seconds / 60
        limit = f"{minutes:g}-minute" if minutes >= 1 else f"{self.max_seconds:g}-second"
        self._end_by_itself(session, f"Recording stopped at the {limit} limit; it is saved and can be transcribed. "
                                     "Press Record again to go on in a new recording.", problem=False)

    def _on_write_failed(self, session: _Session, reason: str) -> None:
        folder = session.wav.path.parent
        self._end_by_itself(session, f"Recording stopped: the sound could not be written to {folder} ({reason}); "
                                     "the disk may be full. Free some space, then press Record again.", problem=True)

    def _on_device_gone(self, session: _Session) -> None:
        self._end_by_itself(session, "Recording stopped: the microphone stopped working (it may have been unplugged). "
                                     "Plug it back in, then press Record again.", problem=True)

    def _check_sound_arrives(self) -> None:
        session = self._session
        if session is not None and time.monotonic() - session.last_audio > self.stall_seconds:
            self._end_by_itself(session, f"Recording stopped: no sound has come from the microphone for {self.stall_seconds:g} seconds "
                                         "(it may have been unplugged or switched off). Check it, then press Record again.", problem=True)
