#!/usr/bin/python3
"""Fake RTSP cameras: one GStreamer RTSP server on loopback serving several H.264 streams.

Run by test/sim/rtsp.ts with Debian's /usr/bin/python3 (the one that has `gi`).

Protocol (line based, so a parent process can drive it):
  stdin, first line : JSON config
      {"port": 0, "username": "u", "password": "p", "cacheDir": "/tmp/x",
       "streams": [{"name": "cam1", "width": 640, "height": 360, "fps": 10,
                    "audio": false, "bitrateKbps": 512, "preencoded": false}]}
  stdout            : "READY <port>" once listening
  stdin, then       : "stop <name>" | "start <name>" | "quit"
  stdout            : "OK stop <name>" | "OK start <name>" | "ERR <message>"
The config comes on stdin (not argv) so credentials never show in `ps`.
The server exits when stdin closes, and (Linux) when its parent dies, so no camera outlives
the test that started it.

Two kinds of stream:
  live       : videotestsrc (moving ball) + clockoverlay, encoded by x264 (ultrafast,
               zerolatency, keyframe every second). One pipeline per camera, shared by
               all its clients.
  preencoded : H.264 encoded ONCE into a cache file (same look, keyframe every second,
               no B-frames), then looped from memory through appsrc with fresh timestamps.
               No encoding at run time, so a benchmark can serve many 1080p cameras.
Audio (optional, both kinds): a quiet sine encoded to AAC (voaacenc), RTP mpeg4-generic,
so ffmpeg can stream-copy it into MP4.
"""
import ctypes
import json
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

Gst.init(None)


def die_with_parent():
    """Ask Linux to SIGTERM us when the parent (Node) dies, even if it was SIGKILLed."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() == 1:  # parent already gone before prctl
            sys.exit(0)
    except OSError:
        pass


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def has_element(name):
    return Gst.ElementFactory.find(name) is not None


# ---------------------------------------------------------------------------------------------
# Stream description -> pipeline text

def stream_defaults(s):
    out = {
        "name": s["name"],
        "width": int(s.get("width") or 640),
        "height": int(s.get("height") or 360),
        "fps": int(s.get("fps") or 10),
        "audio": bool(s.get("audio")),
        # "bang": a loud 100 ms burst every 5 s over near-silence (the loud-sound detector's test).
        "bang": s.get("audio") == "bang",
        "preencoded": bool(s.get("preencoded")) or bool(s.get("footage")),
        # A real video file to serve instead of the test pattern (always pre-encoded and looped).
        "footage": s.get("footage") or None,
    }
    # Default bitrate scales with pixels per second: ~4 Mbit/s at 1080p25.
    pixels_per_s = out["width"] * out["height"] * out["fps"]
    default_kbps = max(128, int(4000 * pixels_per_s / (1920 * 1080 * 25)))
    out["bitrateKbps"] = int(s.get("bitrateKbps") or default_kbps)
    return out


def overlay(kind):
    """A clock (wall time) on live streams; a running time on the pre-encoded loop."""
    if kind == "clock" and has_element("clockoverlay"):
        return 'clockoverlay time-format="%Y-%m-%d %H:%M:%S" font-desc="Sans 18" ! '
    if has_element("timeoverlay"):
        return 'timeoverlay font-desc="Sans 18" ! '
    return ""  # gstreamer1.0-x (pango) missing: no text, the ball still moves


def x264(st, extra=""):
    return (
        "x264enc speed-preset=ultrafast tune=zerolatency bframes=0 "
        f"key-int-max={st['fps']} bitrate={st['bitrateKbps']} {extra}! "
        "video/x-h264,profile=constrained-baseline,stream-format=byte-stream ! "
    )


def video_caps(st):
    return f"video/x-raw,width={st['width']},height={st['height']},framerate={st['fps']}/1 ! "


def audio_branch(st=None):
    source = (
        "audiotestsrc is-live=true wave=ticks freq=180 sine-periods-per-tick=18 "
        "tick-interval=5000000000 volume=0.9"
        if st and st.get("bang") else
        "audiotestsrc is-live=true wave=sine freq=440 volume=0.05"
    )
    return (
        f" {source} ! "
        "audio/x-raw,rate=16000,channels=1 ! audioconvert ! voaacenc bitrate=32000 ! "
        "aacparse ! rtpmp4gpay name=pay1 pt=97"
    )


def live_launch(st):
    video = (
        "videotestsrc is-live=true pattern=ball motion=sweep ! " + video_caps(st)
        + overlay("clock") + "videoconvert ! " + x264(st)
        + "h264parse ! rtph264pay name=pay0 pt=96 config-interval=1"
    )
    return "( " + video + (audio_branch(st) if st["audio"] else "") + " )"


# ---------------------------------------------------------------------------------------------
# Pre-encoded loop

def cache_file(cache_dir, st):
    source = "ball"
    if st["footage"]:
        stat = os.stat(st["footage"])
        source = f"{os.path.basename(st['footage'])}-{stat.st_size}-{int(stat.st_mtime)}"
    return os.path.join(
        cache_dir, f"{source}-{st['width']}x{st['height']}-{st['fps']}fps-{st['bitrateKbps']}k-v1.h264"
    )


def encode_loop_file(path, st):
    """Encode 10 s (a whole number of 1 s GOPs) once; atomic rename so readers never see half."""
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    frames = st["fps"] * 10
    if st["footage"]:
        # The whole file, scaled and re-timed to the stream's shape: real scenes for detection.
        source = (
            f'filesrc location="{st["footage"]}" ! decodebin ! videoconvert ! videoscale ! videorate ! '
            + video_caps(st)
        )
    else:
        # A moving ball over a scrolling colour-bar background: enough motion for realistic bitrate.
        source = f"videotestsrc num-buffers={frames} pattern=smpte horizontal-speed=4 ! " + video_caps(st) + overlay("time")
    text = source + "videoconvert ! " + x264(st, "aud=true ") + f'filesink location="{tmp}"'
    pipeline = Gst.parse_launch(text)
    pipeline.set_state(Gst.State.PLAYING)
    msg = pipeline.get_bus().timed_pop_filtered(
        Gst.CLOCK_TIME_NONE, Gst.MessageType.EOS | Gst.MessageType.ERROR
    )
    pipeline.set_state(Gst.State.NULL)
    if msg.type == Gst.MessageType.ERROR:
        err, _ = msg.parse_error()
        raise RuntimeError(f"encoding {path} failed: {err.message}")
    os.replace(tmp, path)


def split_access_units(data):
    """Split an Annex-B byte stream on access unit delimiters (NAL type 9, x264 aud=true)."""
    units = []
    start = None
    i = 0
    n = len(data)
    while True:
        j = data.find(b"\x00\x00\x01", i)
        if j < 0 or j + 3 >= n:
            break
        nal_type = data[j + 3] & 0x1F
        if nal_type == 9:
            begin = j - 1 if j > 0 and data[j - 1] == 0 else j
            if start is not None:
                units.append(data[start:begin])
            start = begin
        i = j + 3
    if start is not None:
        units.append(data[start:])
    return units


_frames_cache = {}


def loop_frames(cache_dir, st):
    path = cache_file(cache_dir, st)
    if path not in _frames_cache:
        encode_loop_file(path, st)
        with open(path, "rb") as f:
            units = split_access_units(f.read())
        if not units:
            raise RuntimeError(f"{path}: no access units")
        _frames_cache[path] = [Gst.Buffer.new_wrapped(u) for u in units]
    return _frames_cache[path]


def preencoded_launch(st):
    caps = (
        f"video/x-h264,stream-format=byte-stream,alignment=au,"
        f"width={st['width']},height={st['height']},framerate={st['fps']}/1"
    )
    video = (
        f'appsrc name=loop is-live=true format=time do-timestamp=false block=false '
        f'max-bytes=0 max-buffers=0 caps="{caps}" ! h264parse ! '
        "rtph264pay name=pay0 pt=96 config-interval=1"
    )
    return "( " + video + (audio_branch(st) if st["audio"] else "") + " )"


def not_seekable(pad):
    """Answer SEEKING queries through `pad` with "not seekable".

    The server seeks on PLAY when the pipeline says it is seekable, and a live audiotestsrc
    says so; the looping appsrc cannot seek. Real cameras are not seekable either.
    """

    def probe(_pad, info):
        query = info.get_query()
        if query.type == Gst.QueryType.SEEKING:
            query.set_seeking(Gst.Format.TIME, False, 0, -1)
            return Gst.PadProbeReturn.HANDLED
        return Gst.PadProbeReturn.OK

    pad.add_probe(Gst.PadProbeType.QUERY_UPSTREAM, probe)


class LoopFeeder:
    """Feeds the cached access units into one media's appsrc in real time, like a live camera.

    A timer ticks once per frame; each tick pushes the frames owed so far, stamped
    `start + n * duration` where `start` is the pipeline running time of the first push. So
    timestamps are evenly spaced and match the clock (sinks neither drop them as late nor
    hold them), and the loop restarts on a keyframe with time still increasing.
    """

    def __init__(self, media, appsrc, frames, fps):
        self.appsrc = appsrc
        self.frames = frames
        self.duration = Gst.SECOND // fps
        self.n = 0
        self.start = None
        self.timer = GLib.timeout_add(max(1, 1000 // fps), self.tick)
        media.connect("unprepared", self.stop)

    def stop(self, *_args):
        if self.timer:
            GLib.source_remove(self.timer)
            self.timer = 0

    def tick(self):
        now = self.appsrc.get_current_running_time()
        if now == Gst.CLOCK_TIME_NONE:
            return True  # not playing yet
        if self.start is None:
            self.start = now
        while self.start + self.n * self.duration <= now:
            buf = self.frames[self.n % len(self.frames)].copy()  # shallow: shares the memory
            buf.pts = buf.dts = self.start + self.n * self.duration
            buf.duration = self.duration
            self.n += 1
            ret = self.appsrc.emit("push-buffer", buf)
            if ret == Gst.FlowReturn.FLUSHING:
                break
            if ret != Gst.FlowReturn.OK:
                self.timer = 0
                return False
        return True


# ---------------------------------------------------------------------------------------------
# Server

class Site:
    def __init__(self, config):
        self.streams = {}
        for s in config["streams"]:
            st = stream_defaults(s)
            self.streams[st["name"]] = st
        self.cache_dir = config.get("cacheDir") or "/tmp/camfleet-sim-cache"
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address("127.0.0.1")
        self.server.set_service(str(int(config.get("port") or 0)))
        self.username = config.get("username")
        self.password = config.get("password")
        if self.username:
            self.setup_auth()
        # Encode loop files before listening, so READY means every stream can play at once.
        for st in self.streams.values():
            if st["preencoded"]:
                loop_frames(self.cache_dir, st)
        self.mounts = self.server.get_mount_points()
        self.running = set()
        for name in self.streams:
            self.start(name)

    def setup_auth(self):
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "user")
        # Digest only, as most cameras do (PyGObject cannot pass BASIC|DIGEST: it is a plain enum).
        auth.add_digest(self.username, self.password, token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        self.server.set_auth(auth)

    def make_factory(self, st):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_shared(True)  # one pipeline per camera whatever the number of viewers
        frames = loop_frames(self.cache_dir, st) if st["preencoded"] else None
        factory.set_launch(preencoded_launch(st) if frames else live_launch(st))

        def configure(_factory, media):
            # Cameras are not seekable: without this the server seeks (flushes) on every PLAY
            # once an audio branch makes the pipeline look seekable.
            for pay in ("pay0", "pay1"):
                element = media.get_element().get_by_name_recurse_up(pay)
                if element is not None:
                    not_seekable(element.get_static_pad("src"))
            if frames:
                appsrc = media.get_element().get_by_name_recurse_up("loop")
                media._feeder = LoopFeeder(media, appsrc, frames, st["fps"])  # lives with the media

        factory.connect("media-configure", configure)
        if self.username:
            perms = Gst.Structure.new_from_string(
                "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            )
            factory.add_role_from_structure(perms)
        return factory

    def start(self, name):
        if name not in self.streams:
            raise KeyError(f"no stream named {name}")
        if name in self.running:
            return
        self.mounts.add_factory("/" + name, self.make_factory(self.streams[name]))
        self.running.add(name)

    def stop(self, name):
        if name not in self.streams:
            raise KeyError(f"no stream named {name}")
        self.mounts.remove_factory("/" + name)
        self.running.discard(name)
        # Close every client connection that plays this camera: a real camera going down
        # drops the TCP connection, it does not just go quiet.
        path = "/" + name
        for client in self.server.client_filter(None):
            if self.client_uses(client, path):
                client.close()

    @staticmethod
    def client_uses(client, path):
        for session in client.session_filter(None):
            for sessmedia in session.filter(None):
                matched, _ = sessmedia.matches(path)
                if matched:
                    return True
        return False

    def command(self, line):
        parts = line.strip().split()
        if not parts:
            return
        try:
            if parts[0] == "quit":
                loop.quit()
                return
            if parts[0] in ("stop", "start") and len(parts) == 2:
                getattr(self, parts[0])(parts[1])
                say(f"OK {parts[0]} {parts[1]}")
            else:
                say(f"ERR unknown command: {line.strip()}")
        except Exception as err:  # report, keep serving
            say(f"ERR {err}")


class LineReader:
    """Unbuffered line reader on a fd (Python's buffered stdin would hide lines from GLib)."""

    def __init__(self, fd):
        self.fd = fd
        self.pending = b""

    def read_lines(self):
        """Returns (lines, eof)."""
        chunk = os.read(self.fd, 65536)
        if not chunk:
            return [], True
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        return [l.decode("utf-8", "replace") for l in lines], False

    def first_line(self):
        while b"\n" not in self.pending:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode("utf-8")


def main():
    die_with_parent()
    reader = LineReader(sys.stdin.fileno())
    first = reader.first_line()
    if not first:
        return
    site = Site(json.loads(first))
    site.server.attach(None)
    say(f"READY {site.server.get_bound_port()}")
    # Lines that arrived together with the config.
    buffered, reader.pending = reader.pending.split(b"\n"), b""
    reader.pending = buffered.pop()
    for l in buffered:
        site.command(l.decode("utf-8", "replace"))

    def on_stdin(_fd, _condition):
        lines, eof = reader.read_lines()
        for l in lines:
            site.command(l)
        if eof:
            loop.quit()  # parent closed our stdin: it is gone or done with us
            return False
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda: loop.quit() or False)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, lambda: loop.quit() or False)
    loop.run()


loop = GLib.MainLoop()

if __name__ == "__main__":
    main()
