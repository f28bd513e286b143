{
  "targets": [{
    "target_name": "fuse",
    "sources": ["fuse.c", "directReads.c", "../common/checkedRead.c"],
    "include_dirs": ["<!@(pkg-config --cflags-only-I fuse3 | sed 's/-I//g')", "<!@(pkg-config --cflags-only-I libisal | sed 's/-I//g')"],
    "libraries": ["<!@(pkg-config --libs fuse3)", "-lpthread", "-ldl"],
    "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
  }]
}
