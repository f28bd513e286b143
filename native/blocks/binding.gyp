{
  "targets": [{
    "target_name": "blocks",
    "sources": ["blocks.c", "coders.c", "../common/checkedRead.c"],
    "include_dirs": ["<!@(pkg-config --cflags-only-I libisal | sed 's/-I//g')"],
    "cflags": ["-O3", "-Wall", "-Wextra", "-Wno-unused-parameter"]
  }]
}
