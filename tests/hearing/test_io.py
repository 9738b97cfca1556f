"""WAV files: round trips of every supported sample format, and bad files (hearing.io)."""

import wave

import numpy as np
import pytest
import scipy.io.wavfile

from neuroattn.hearing import read_wav, write_wav

SR = 16000


def _signal(n=800):
    return 0.5 * np.sin(2 * np.pi * 440 * np.arange(n) / SR)


@pytest.mark.parametrize(
    ("dtype", "scale", "offset", "tol"),
    [
        (np.uint8, 128, 128, 1 / 128),
        (np.int16, 2**15, 0, 1 / 2**15),
        (np.int32, 2**31, 0, 1e-9),
        (np.float32, 1, 0, 1e-7),
        (np.float64, 1, 0, 0),
    ],
)
def test_round_trip_of_scipy_written_files(tmp_path, dtype, scale, offset, tol):
    x = _signal()
    data = (np.round(x * scale) + offset).astype(dtype) if scale != 1 else x.astype(dtype)
    path = tmp_path / "a.wav"
    scipy.io.wavfile.write(path, SR, data)
    y, sr = read_wav(path)
    assert sr == SR
    np.testing.assert_allclose(y, x, atol=tol + 1e-12)


def test_24_bit_pcm_written_by_the_standard_library(tmp_path):
    x = _signal()
    ints = np.round(x * 2**23).astype(np.int32)
    raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    path = tmp_path / "a24.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(3)
        w.setframerate(SR)
        w.writeframes(raw)
    y, sr = read_wav(path)
    assert sr == SR
    np.testing.assert_allclose(y, x, atol=2**-23)


def test_stereo_is_averaged_unless_asked(tmp_path):
    x = _signal()
    path = tmp_path / "st.wav"
    scipy.io.wavfile.write(path, SR, np.stack([x, -x / 2], axis=1).astype(np.float32))
    mono, _ = read_wav(path)
    both, _ = read_wav(path, mono=False)
    assert both.shape == (2, x.size)
    np.testing.assert_allclose(mono, x / 4, atol=1e-7)


@pytest.mark.parametrize("fmt", ["pcm16", "float32"])
def test_write_then_read(tmp_path, fmt):
    x = _signal()
    write_wav(tmp_path / "w.wav", x, SR, sample_format=fmt)
    y, sr = read_wav(tmp_path / "w.wav")
    assert sr == SR
    np.testing.assert_allclose(y, x, atol=1 / 2**15 if fmt == "pcm16" else 1e-7)


def test_bad_files(tmp_path):
    with pytest.raises(ValueError, match=r"no such file"):
        read_wav(tmp_path / "missing.wav")
    (tmp_path / "text.wav").write_text("not a wav file at all")
    with pytest.raises(ValueError, match=r"not a readable WAV"):
        read_wav(tmp_path / "text.wav")
    scipy.io.wavfile.write(tmp_path / "empty.wav", SR, np.zeros(0, np.int16))
    with pytest.raises(ValueError, match=r"no samples"):
        read_wav(tmp_path / "empty.wav")
    scipy.io.wavfile.write(tmp_path / "nan.wav", SR, np.array([0.0, np.nan], np.float32))
    with pytest.raises(ValueError, match=r"NaN"):
        read_wav(tmp_path / "nan.wav")
    scipy.io.wavfile.write(tmp_path / "i64.wav", SR, np.zeros(4, np.int64))
    with pytest.raises(ValueError, match=r"(unsupported|not a readable)"):
        read_wav(tmp_path / "i64.wav")
    with pytest.raises(ValueError, match=r"folder"):
        read_wav(tmp_path)
    with pytest.raises(ValueError, match=r"sample_format"):
        write_wav(tmp_path / "x.wav", _signal(), SR, sample_format="mp3")
    with pytest.raises(ValueError, match=r"NaN"):
        write_wav(tmp_path / "x.wav", np.array([np.nan]), SR)
