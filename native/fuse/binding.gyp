{
  "targets": [{
    "target_name": "fuse",
    "sources": ["fuse.c"],
    "include_dirs": ["<!@(pkg-config --cflags-only-I fuse3 | sed 's/-I//g')"],
    "libraries": ["<!@(pkg-config --libs fuse3)"],
    "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
  }]
}
