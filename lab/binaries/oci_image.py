#!/usr/bin/env python3
"""Writes a container image as an OCI image-layout archive, the form `ctr images import` loads.

The lab reaches no registry, so the images its pods run are built here from programs built from
source, under their upstream names (the manifests stay unchanged and nothing is pulled). The
archive is deterministic: one layer of the given files, entries sorted, owner root, mtime 0, no
compression, JSON with sorted keys, so the same programs give the same digests on any machine.

    oci_image.py OUT.tar NAME:TAG --entrypoint /PROGRAM [--user UID:GID] [--arch GOARCH] [--arg A]...
                 /PATH=SOURCE...

Prints the manifest digest (what a pod spec could pin) on stdout.
"""
import argparse
import hashlib
import io
import json
import sys
import tarfile


def archive(entries):
    """An uncompressed tar of (name, bytes, mode) entries: sorted, root-owned, mtime 0."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        directories = set()
        for name, _, _ in entries:
            parts = name.split("/")[:-1]
            directories.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        directories = sorted(directories)
        for directory in directories:
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        for name, data, mode in sorted(entries):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def digest(blob):
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("reference", help="NAME:TAG, e.g. registry.k8s.io/pause:3.10.2")
    parser.add_argument("--entrypoint", required=True)
    parser.add_argument("--arg", action="append", default=[], help="the image's default args")
    parser.add_argument("--user", default="", help="UID:GID the image runs as by default")
    parser.add_argument("--arch", default="amd64", help="the programs' architecture (GOARCH)")
    parser.add_argument("files", nargs="+", help="PATH=SOURCE: SOURCE installed at PATH, 0755")
    options = parser.parse_args()
    name, _, tag = options.reference.rpartition(":")
    if not name or not tag or "/" in tag:
        sys.exit(f"oci_image.py: {options.reference!r} is not NAME:TAG")

    files = []
    for item in options.files:
        path, _, source = item.partition("=")
        if not path.startswith("/") or not source:
            sys.exit(f"oci_image.py: {item!r} is not /PATH=SOURCE")
        with open(source, "rb") as program:
            files.append((path.lstrip("/"), program.read(), 0o755))
    layer = archive(files)
    config = canonical({
        "architecture": options.arch,
        "os": "linux",
        "config": {"Entrypoint": [options.entrypoint], "Cmd": options.arg or None,
                   "User": options.user, "Env": ["PATH=/"]},
        "rootfs": {"type": "layers", "diff_ids": [digest(layer)]},
        "history": [{"created_by": "zerospof lab/binaries/oci_image.py"}],
    })
    manifest = canonical({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": digest(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": digest(layer), "size": len(layer)}],
    })
    index = canonical({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest(manifest), "size": len(manifest),
            "platform": {"architecture": options.arch, "os": "linux"},
            # containerd names the imported image after this annotation.
            "annotations": {"io.containerd.image.name": options.reference,
                            "org.opencontainers.image.ref.name": tag},
        }],
    })
    blobs = [("blobs/sha256/" + digest(blob)[7:], blob, 0o644) for blob in (layer, config, manifest)]
    with open(options.output, "wb") as out:
        out.write(archive([("oci-layout", canonical({"imageLayoutVersion": "1.0.0"}), 0o644),
                           ("index.json", index, 0o644)] + blobs))
    print(digest(manifest))


if __name__ == "__main__":
    main()
