#!/usr/bin/env python3
"""Regenerates Fixtures/packages/ (good label packages) and Fixtures/hostile/ (one problem each).

Deterministic: noise comes from a fixed LCG, zips carry a fixed date, JSON is written with a fixed key
order. FLAC files are made with the `flac` command-line tool (1.4.x), which is deterministic for the same
input and version. Run from anywhere: python3 scripts/make-fixtures.py
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
PACKAGES = os.path.join(ROOT, "packages")
HOSTILE = os.path.join(ROOT, "hostile")
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


# ---------------------------------------------------------------- media bytes

def noise(n, seed):
    x = seed
    out = bytearray(n)
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = (x >> 16) & 0xFF
    return bytes(out)


def wav(samples=441, rate=44100, bits=16, channels=2, seed=1, format_tag=1):
    align = channels * bits // 8
    data = noise(samples * align, seed)
    fmt = struct.pack("<HHIIHH", format_tag, channels, rate, rate * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


_flac_cache = {}


def flac(samples=441, seed=1):
    key = (samples, seed)
    if key not in _flac_cache:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.wav")
            dst = os.path.join(tmp, "out.flac")
            with open(src, "wb") as f:
                f.write(wav(samples=samples, seed=seed))
            subprocess.run(["flac", "-s", "-f", "--no-padding", "-o", dst, src], check=True)
            with open(dst, "rb") as f:
                _flac_cache[key] = f.read()
    return _flac_cache[key]


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width=640, height=640):
    """A black RGB PNG: zero rows compress to almost nothing."""
    raw = (b"\x00" + b"\x00" * (width * 3)) * height
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw, 9))
            + png_chunk(b"IEND", b""))


def png_header_only(width, height):
    """A PNG whose IHDR claims a size its tiny image data does not hold (a decompression bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64, 9))
            + png_chunk(b"IEND", b""))


def jpeg(width=640, height=640):
    """A real baseline JPEG (mid grey, 3 components, 4:4:4): every block is DC difference 0 then end-of-block."""
    def seg(marker, payload):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload
    out = b"\xff\xd8"
    out += seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += seg(0xDB, b"\x00" + b"\x01" * 64)
    out += seg(0xC0, struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00")
    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    ac_bits = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
    ac_vals = bytes.fromhex(
        "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435"
        "363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798"
        "999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4"
        "f5f6f7f8f9fa")
    out += seg(0xC4, b"\x00" + bytes(dc_bits) + bytes(range(12)) + b"\x10" + bytes(ac_bits) + ac_vals)
    out += seg(0xDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00")
    blocks = (width // 8) * (height // 8) * 3
    bits = "001010" * blocks
    bits += "1" * (-len(bits) % 8)
    data = bytearray(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
    data = bytes(data).replace(b"\xff", b"\xff\x00")
    return out + data + b"\xff\xd9"


# ---------------------------------------------------------------- packages

def release(tracks, cover="resources/cover.png", **overrides):
    r = {
        "icpn": "0094631432057",
        "grid": "A10302B0001234567I",
        "catalogNumber": "LBL-001",
        "title": "Album Title",
        "displayArtist": "Artist Name",
        "artists": [{"name": "Artist Name", "role": "MainArtist"}],
        "label": "Label Name",
        "pLine": {"year": 2026, "text": "2026 Label Name"},
        "cLine": {"year": 2026, "text": "2026 Label Name"},
        "genre": "Electronic",
        "releaseType": "Album",
        "releaseDate": "2026-12-04",
        "parentalWarning": "NotExplicit",
        "language": "en",
        "cover": cover,
        "tracks": tracks,
        "deals": [{
            "territories": ["Worldwide"], "excludedTerritories": [],
            "commercialModels": ["SubscriptionModel", "AdvertisementSupportedModel"],
            "useTypes": ["OnDemandStream", "NonInteractiveStream"],
            "start": "2026-12-04", "end": None,
        }],
        "dsps": ["spotify", "youtube"],
        "takedown": False,
    }
    r.update(overrides)
    return r


def track(n, isrc=None, file=None, **overrides):
    t = {
        "isrc": isrc or "GBAYE06%05d" % (1497 + n),
        "title": "Track %d" % n,
        "displayArtist": "Artist Name",
        "artists": [{"name": "Artist Name", "role": "MainArtist"}],
        "contributors": [{"name": "Writer Name", "role": "Composer"}],
        "disc": 1,
        "number": n,
        "file": file or "resources/%02d.flac" % n,
        "parentalWarning": "NotExplicit",
    }
    t.update(overrides)
    return t


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def write_json(path, obj):
    write(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def package(folder, metadata, files, ready=True):
    """Writes a package: metadata (dict → release.json, or None), files {relative path: bytes}, READY last."""
    if os.path.lexists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    if metadata is not None:
        write_json(os.path.join(folder, "release.json"), metadata)
    for rel, data in files.items():
        write(os.path.join(folder, rel), data)
    if ready:
        write(os.path.join(folder, "READY"), b"")


def make_zip(path, entries):
    """entries: list of (name, bytes, unix mode or None)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = ((mode or 0o100644) & 0xFFFF) << 16
            z.writestr(info, data)


def raw_zip(path, entries):
    """A zip written byte by byte, for lies zipfile will not tell: entries are dicts with name (str), data (the
    bytes as stored), method (0 stored, 8 deflated), crc and usize (the declared uncompressed size)."""
    body, central = b"", b""
    for e in entries:
        name = e["name"].encode("utf-8")
        fields = (0x0800, e["method"], 0, 0x5C21, e["crc"], len(e["data"]), e["usize"], len(name))
        central += struct.pack("<IHH", 0x02014B50, 0x0314, 20) + struct.pack("<HHHHIIIH", *fields) \
            + struct.pack("<HHHHII", 0, 0, 0, 0, 0o100644 << 16, len(body)) + name
        body += struct.pack("<IH", 0x04034B50, 20) + struct.pack("<HHHHIIIH", *fields) + struct.pack("<H", 0) + name + e["data"]
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(body), 0)
    with open(path, "wb") as f:
        f.write(body + central + eocd)


def deflate_raw(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def good_packages():
    shutil.rmtree(PACKAGES, ignore_errors=True)
    tracks = [track(1, splits=[{"payee": "Artist Name", "shareBasisPoints": 8000},
                               {"payee": "Producer Name", "shareBasisPoints": 2000}],
                    iswc="T0345246801"),
              track(2), track(3)]
    package(os.path.join(PACKAGES, "album-flac"), release(tracks), {
        "resources/cover.png": png(),
        "resources/01.flac": flac(441, 1),
        "resources/02.flac": flac(600, 2),
        "resources/03.flac": flac(300, 3),
        "splits.csv": "isrc,payee,share_bp\nGBAYE0601499,Artist Name,10000\n"
                      "GBAYE0601500,\"Name, With Comma\",5000\nGBAYE0601500,Artist Name,5000\n",
    })
    single = release([track(1, isrc="GBAYE0601510", file="resources/01.wav", title="Single Track")],
                     cover="resources/cover.jpg", icpn="5901234123457", grid=None, catalogNumber="LBL-002",
                     title="Single Title", releaseType="Single", dsps=None)
    single["tracks"][0]["duration"] = "PT0.01S"
    del single["dsps"], single["grid"]
    package(os.path.join(PACKAGES, "single-wav"), single, {
        "resources/cover.jpg": jpeg(),
        "resources/01.wav": wav(441, seed=7),
    })
    # The README's example: deliverable to every example DSP (Labelcamp takes only square JPEG covers of
    # 3000-4500 px, and ERN 3.8.2), so it names no DSP list and carries a 3000 px JPEG.
    example_tracks = [track(n, isrc="GBEXA26%05d" % n, title=title,
                            splits=[{"payee": "Example Artist", "shareBasisPoints": 7000},
                                    {"payee": "Example Producer", "shareBasisPoints": 3000}])
                      for n, title in enumerate(["Morning Tide", "Harbour Lights", "Long Way Home"], start=1)]
    for t in example_tracks:
        t["displayArtist"] = "Example Artist"
        t["artists"] = [{"name": "Example Artist", "role": "MainArtist"}]
    example = release(example_tracks, cover="resources/cover.jpg", icpn="5012345678900", grid=None,
                      catalogNumber="EXL-001", title="Harbour Lights", displayArtist="Example Artist",
                      artists=[{"name": "Example Artist", "role": "MainArtist"}], label="Example Label",
                      pLine={"year": 2026, "text": "2026 Example Label"}, cLine={"year": 2026, "text": "2026 Example Label"})
    del example["dsps"], example["grid"]
    package(os.path.join(PACKAGES, "example-album"), example, {
        "resources/cover.jpg": jpeg(3000, 3000),
        "resources/01.flac": flac(441, 11),
        "resources/02.flac": flac(600, 12),
        "resources/03.flac": flac(300, 13),
    })


# ---------------------------------------------------------------- hostile corpus

def hostile_packages():
    shutil.rmtree(HOSTILE, ignore_errors=True)
    base_files = {"resources/cover.png": png(), "resources/01.flac": flac(441, 1)}

    def case(name, expected, metadata=None, files=None, extra=None, drop=(), ready=True, raw_release=None):
        folder = os.path.join(HOSTILE, name)
        f = dict(base_files)
        f.update(files or {})
        for d in drop:
            f.pop(d, None)
        package(folder, None if raw_release is not None else (metadata or release([track(1)])), f, ready)
        if raw_release is not None:
            write(os.path.join(folder, "release.json"), raw_release)
        if extra:
            extra(folder)
        write(os.path.join(folder, "expected.txt"), expected + "\n")

    def rel(**kw):
        return release([track(1)], **kw)

    def rel_track(**kw):
        return release([track(1, **kw)])

    case("isrc-invalid", "ISRC_INVALID error", rel_track(isrc="GB-AYE-06-01498"))
    case("icpn-check-digit", "ICPN_INVALID error", rel(icpn="0094631432058"))
    case("iswc-check-digit", "ISWC_INVALID error", rel_track(iswc="T0345246802"))
    case("grid-check-digit", "GRID_INVALID error", rel(grid="A10302B0001234567X"))
    case("isrc-duplicate", "ISRC_DUPLICATE error",
         release([track(1), track(2, isrc="GBAYE0601498", file="resources/02.flac")]),
         {"resources/02.flac": flac(300, 2)})
    case("track-number-duplicate", "TRACK_NUMBER_DUPLICATE error",
         release([track(1), track(2, number=1, file="resources/02.flac")]), {"resources/02.flac": flac(300, 2)})
    case("splits-sum", "SPLITS_SUM_INVALID error",
         rel_track(splits=[{"payee": "A", "shareBasisPoints": 8000}, {"payee": "B", "shareBasisPoints": 1000}]))
    case("splits-csv-sum", "SPLITS_SUM_INVALID error", None,
         {"splits.csv": "isrc,payee,share_bp\nGBAYE0601498,A,6000\nGBAYE0601498,B,3000\n"})
    case("splits-csv-unknown-isrc", "SPLITS_UNKNOWN_ISRC error", None,
         {"splits.csv": "isrc,payee,share_bp\nGBAYE0601498,A,10000\nGBAYE0601499,A,10000\n"})
    case("splits-conflict", "SPLITS_CONFLICT error",
         rel_track(splits=[{"payee": "A", "shareBasisPoints": 10000}]),
         {"splits.csv": "isrc,payee,share_bp\nGBAYE0601498,B,10000\n"})
    deal = rel()["deals"][0]
    case("territory-unknown", "TERRITORY_UNKNOWN error", rel(deals=[dict(deal, territories=["WW"])]))
    case("date-impossible", "DATE_INVALID error", rel(releaseDate="2026-02-30"))
    case("deal-ends-before-start", "DEAL_PERIOD_INVALID error", rel(deals=[dict(deal, start="2026-12-04", end="2026-01-01")]))
    case("value-not-allowed", "VALUE_NOT_ALLOWED error", rel(releaseType="LP"))
    case("language-invalid", "LANGUAGE_INVALID error", rel(language="en_US"))
    no_title = rel()
    del no_title["title"]
    case("field-missing", "FIELD_REQUIRED error", no_title)
    case("missing-file", "RESOURCE_MISSING error", drop=["resources/01.flac"])
    case("not-a-file", "PATH_NOT_REGULAR_FILE error", drop=["resources/01.flac"],
         files={"resources/01.flac/.gitkeep": b""})
    case("wrong-format", "MEDIA_FORMAT_MISMATCH error", files={"resources/01.flac": wav(441)})
    case("float-wav", "MEDIA_UNSUPPORTED_FORMAT error", rel_track(file="resources/01.wav"),
         {"resources/01.wav": wav(441, bits=32, format_tag=3)}, drop=["resources/01.flac"])
    case("truncated-wav", "MEDIA_TRUNCATED error", rel_track(file="resources/01.wav"),
         {"resources/01.wav": wav(441)[:-200]}, drop=["resources/01.flac"])
    case("truncated-flac", "MEDIA_TRUNCATED error", files={"resources/01.flac": flac(2000, 4)[:-300]})
    case("empty-audio", "MEDIA_EMPTY error", files={"resources/01.flac": b""})
    case("cover-is-audio", "RESOURCE_WRONG_KIND error", rel(cover="resources/cover.flac"),
         {"resources/cover.flac": flac(300, 5)}, drop=["resources/cover.png"])
    case("cover-too-small", "COVER_TOO_SMALL warning", files={"resources/cover.png": png(300, 300)})
    case("resource-used-twice", "RESOURCE_USED_TWICE error",
         release([track(1), track(2, file="resources/./01.flac")]))
    case("path-traversal", "PATH_TRAVERSAL error", rel_track(file="../outside.flac"))
    case("path-absolute", "PATH_ABSOLUTE error", rel_track(file="/etc/passwd"))

    def symlink_out(folder):
        target = os.path.join(folder, "resources", "01.flac")
        os.remove(target)
        # Leaves the package: Fixtures/hostile/symlink-escape/resources → Fixtures/packages/album-flac/…
        os.symlink("../../../packages/album-flac/resources/01.flac", target)
    case("symlink-escape", "PATH_SYMLINK_ESCAPE error", extra=symlink_out)

    case("json-not-utf8", "JSON_NOT_UTF8 error",
         raw_release=json.dumps(rel(title="Caf\u00e9"), indent=2, ensure_ascii=False).encode("latin-1"))
    case("json-empty", "JSON_EMPTY error", raw_release=b"")
    case("json-syntax", "JSON_SYNTAX error", raw_release=b'{\n  "title": "x",\n  "tracks": [1, 2,],\n}\n')
    case("json-duplicate-key", "JSON_DUPLICATE_KEY error",
         raw_release=json.dumps(rel(), indent=2)[:-2].encode() + b',\n  "title": "Other"\n}\n')
    case("metadata-missing", "METADATA_MISSING error", raw_release=b"", extra=lambda f: os.remove(os.path.join(f, "release.json")))

    xxe = ('<?xml version="1.0"?>\n<!DOCTYPE NewReleaseMessage [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
           '<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43"><MessageHeader>&xxe;</MessageHeader>'
           '</ern:NewReleaseMessage>\n')
    case("xxe", "XML_DOCTYPE_FORBIDDEN error", raw_release=b"",
         extra=lambda f: (os.remove(os.path.join(f, "release.json")), write(os.path.join(f, "master.xml"), xxe)))
    case("metadata-ambiguous", "METADATA_AMBIGUOUS error", files={"master.xml": xxe})

    # Zip packages: the case folder holds package.zip; expected.txt may set limits for the test.
    def zip_case(name, expected, entries, settings=""):
        folder = os.path.join(HOSTILE, name)
        os.makedirs(folder)
        make_zip(os.path.join(folder, "package.zip"), entries)
        write(os.path.join(folder, "expected.txt"), expected + "\n" + settings)

    good = [("release.json", json.dumps(rel(), indent=2).encode(), None),
            ("resources/cover.png", png(), None), ("resources/01.flac", flac(441, 1), None)]
    zip_case("zip-traversal", "ZIP_UNSAFE_ENTRY error", good + [("../evil.txt", b"evil", None)])
    zip_case("zip-absolute", "ZIP_UNSAFE_ENTRY error", good + [("/tmp/evil.txt", b"evil", None)])
    zip_case("zip-symlink", "ZIP_SYMLINK_ENTRY error", good + [("resources/link", b"/etc/passwd", 0o120777)])
    zip_case("zip-over-cap", "ZIP_TOO_LARGE error", good + [("resources/zeros.bin", b"\x00" * 200000, None)],
             "max_unpacked_bytes=65536\n")
    zip_case("zip-too-many-entries", "ZIP_TOO_MANY_ENTRIES error",
             good + [("resources/f%02d.txt" % i, b"x", None) for i in range(20)], "max_zip_entries=10\n")
    zip_case("zip-twins", "ZIP_DUPLICATE_ENTRY error",
             good + [("resources/caf\u00e9.txt", b"composed", None), ("resources/cafe\u0301.txt", b"decomposed", None)])
    zip_case("zip-control-name", "ZIP_UNSAFE_ENTRY error", good + [("resources/evil\nname.txt", b"x", None)])
    zip_case("zip-ratio", "ZIP_RATIO_TOO_HIGH error", good + [("resources/zeros.bin", b"\x00" * (70 << 20), None)])

    def raw_zip_case(name, expected, extra_entries):
        folder = os.path.join(HOSTILE, name)
        os.makedirs(folder)
        stored = [{"name": n, "data": d, "method": 0, "crc": zlib.crc32(d) & 0xFFFFFFFF, "usize": len(d)} for n, d, _ in good]
        raw_zip(os.path.join(folder, "package.zip"), stored + extra_entries)
        write(os.path.join(folder, "expected.txt"), expected + "\n")
    # 1 MiB declared, 64 MiB of zeros inside: unpacking must stop at the declared size.
    zeros = b"\x00" * (64 << 20)
    raw_zip_case("zip-bomb-entry", "ZIP_SIZE_MISMATCH error", [{
        "name": "resources/padding.bin", "data": deflate_raw(zeros), "method": 8,
        "crc": zlib.crc32(zeros) & 0xFFFFFFFF, "usize": 1 << 20}])
    # A non-final stored block of 65535 bytes and nothing after it: the stream never ends.
    raw_zip_case("zip-endless-deflate", "ZIP_UNREADABLE error", [{
        "name": "resources/endless.bin", "data": b"\x00\xff\xff\x00\x00", "method": 8, "crc": 0, "usize": 100000}])

    # Master ERNs: the in-repository ERN 3.8.2 fixture, made hostile.
    with open(os.path.join(ROOT, "ern", "master-382.xml"), "r", encoding="utf-8") as f:
        master = f.read()

    def ern_case(name, expected, xml_bytes):
        case(name, expected, raw_release=b"",
             extra=lambda f: (os.remove(os.path.join(f, "release.json")), write(os.path.join(f, "master.xml"), xml_bytes)))
    ern_case("ern-xinclude", "XSD_INVALID error", master.replace(
        "<MessageHeader>", '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>\n  <MessageHeader>', 1))
    assert master.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    ern_case("ern-utf16-declared-utf8", "XML_ENCODING error", b"\xff\xfe" + master.encode("utf-16-le"))

    # Soft cases, decided (README: release.json content, resource contents).
    case("cover-8px", "COVER_TOO_SMALL warning", files={"resources/cover.png": png(8, 8)})
    case("title-control-character", "TEXT_CONTROL_CHARACTER error", rel(title="Album\u0000Title"))
    case("title-too-long", "TEXT_TOO_LONG error", rel(title="x" * 600))
    case("territory-included-and-excluded", "DEAL_TERRITORY_CONFLICT error",
         rel(deals=[dict(deal, territories=["GB", "FR"], excludedTerritories=["GB"])]))
    case("png-pixel-bomb", "MEDIA_IMAGE_TOO_LARGE error", files={"resources/cover.png": png_header_only(100000, 100000)})


if __name__ == "__main__":
    good_packages()
    hostile_packages()
    # The good album as a zip too, wrapped in a folder as zipping a folder does.
    folder = os.path.join(PACKAGES, "album-flac")
    entries = []
    for dirpath, _, names in sorted(os.walk(folder)):
        for n in sorted(names):
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                entries.append(("album-flac/" + os.path.relpath(p, folder), f.read(), None))
    make_zip(os.path.join(PACKAGES, "album-flac.zip"), entries)
    print("fixtures written under", os.path.normpath(ROOT))
